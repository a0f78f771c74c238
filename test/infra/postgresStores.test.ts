import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
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

describe('PostgreSQL migrations', () => {
  it('are applied once when several instances start together', async () => {
    const fresh = freshNamespace()
    try {
      const open = () => openPostgresStores({ databaseUrl: DATABASE_URL, schema: fresh.schema, redisPrefix: fresh.redisPrefix }, logger)
      const instances = await Promise.all([open(), open(), open()])
      const client = new pg.Client({ connectionString: DATABASE_URL })
      await client.connect()
      const { rows } = await client.query(`SELECT name FROM ${fresh.schema}.pgmigrations ORDER BY id`)
      await client.end()
      for (const instance of instances) await instance.close()

      expect(rows.map((r) => r.name)).toEqual(['1764600000000_initial', '1764610000000_console-events', '1764620000000_analytics-events', '1764630000000_case-history', '1764640000000_transfer-closing-ratings', '1764650000000_notices-and-suggestions'])
    } finally {
      await fresh.drop()
    }
  })
})

describe('a turn on PostgreSQL', () => {
  it('commits what it wrote without waiting, and reports a failed write instead of a silent rollback', async () => {
    const fresh = freshNamespace()
    const stores = await openPostgresStores({ databaseUrl: DATABASE_URL, schema: fresh.schema, redisPrefix: fresh.redisPrefix }, logger)
    try {
      await stores.lock.withLock('c1', async () => {
        void stores.transcripts.log({ channelId: 'test', conversationId: 'c1', at: new Date().toISOString(), activity: { text: 'not awaited' } })
      })
      const failing = stores.lock.withLock('c2', async () => {
        await stores.state.save('k', '{}', 0)
        void stores.transcripts.log({ channelId: null as unknown as string, conversationId: 'c2', at: new Date().toISOString(), activity: {} }).catch(() => {}) // NOT NULL
      })

      await expect(failing).rejects.toThrow()
      expect((await stores.transcripts.page('test', 'c1', 0, 10)).activities).toEqual([{ text: 'not awaited' }])
      expect(await stores.state.load('k')).toBeUndefined() // the turn rolled back whole
    } finally {
      await stores.close()
      await fresh.drop()
    }
  })
})
