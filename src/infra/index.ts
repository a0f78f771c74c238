import type { Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import type { Stores } from '../core/ports.js'
import { openPostgresStores } from './postgres/index.js'
import { openSqliteStores } from './sqlite/index.js'

/** Storage as configured: PostgreSQL (+ Redis) when DATABASE_URL is set, else the SQLite file in DATA_DIR. */
export async function openStores(
  config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'REDIS_URL' | 'REDIS_KEY_PREFIX'>,
  logger: Logger,
): Promise<Stores> {
  if (!config.DATABASE_URL) return openSqliteStores(config.DATA_DIR, logger)
  return openPostgresStores(
    { databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, redisUrl: config.REDIS_URL || undefined, redisPrefix: config.REDIS_KEY_PREFIX },
    logger,
  )
}
