import { afterAll } from 'vitest'
import { createLogger } from '../../src/core/logger.js'
import { openPostgresStores } from '../../src/infra/postgres/index.js'
import { DATABASE_URL, freshNamespace, REDIS_URL } from '../helpers/postgres.js'
import { storesContract } from './stores.contract.js'

const redis = freshNamespace()
const notify = freshNamespace()
afterAll(async () => {
  await redis.drop()
  await notify.drop()
})

const logger = createLogger({ level: 'silent' })

storesContract('PostgreSQL + Redis', {
  open: () => openPostgresStores({ databaseUrl: DATABASE_URL, schema: redis.schema, redisUrl: REDIS_URL, redisPrefix: redis.redisPrefix }, logger),
  instances: true,
  globalLimits: true,
})

storesContract('PostgreSQL alone (LISTEN/NOTIFY)', {
  open: () => openPostgresStores({ databaseUrl: DATABASE_URL, schema: notify.schema, redisPrefix: notify.redisPrefix }, logger),
  instances: true,
})
