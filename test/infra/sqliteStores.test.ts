import { afterAll } from 'vitest'
import { createLogger } from '../../src/core/logger.js'
import { openSqliteStores } from '../../src/infra/sqlite/index.js'
import { tempDataDir } from '../helpers/server.js'
import { storesContract } from './stores.contract.js'

const data = tempDataDir()
afterAll(() => data.remove())

storesContract('SQLite', { open: async () => openSqliteStores(data.dir, createLogger({ level: 'silent' })), instances: false })
