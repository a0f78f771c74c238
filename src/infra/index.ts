import type { Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import type { Stores } from '../core/ports.js'
import { openSqliteStores } from './sqlite/index.js'

/** Storage as configured: SQLite in DATA_DIR (the embedded default). */
export async function openStores(config: Pick<Config, 'DATA_DIR'>, logger: Logger): Promise<Stores> {
  return openSqliteStores(config.DATA_DIR, logger)
}
