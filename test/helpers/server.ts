import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { createApplication } from '../../src/application.js'
import type { HelpDesk } from '../../src/app.js'
import type { TurnSlots } from '../../src/core/turnSlots.js'
import { loadConfig } from '../../src/core/config.js'
import { createLogger } from '../../src/core/logger.js'
import { sink } from './sink.js'

export interface Running {
  url: string
  helpDesk: HelpDesk
  /** The website channel's bound on turns in flight. */
  turnSlots?: TurnSlots
  logs: ReturnType<typeof sink>
  stop(): Promise<void>
}

/** A data directory for one test file, removed afterwards. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
/**
 * The SQLite file of a data directory, opened beside the running server, so a test can look at what was stored as it
 * is on disk.
 */
export function sqliteFile(dataDir: string): Database.Database {
  return new Database(join(dataDir, 'helpdesk.sqlite'))
}

/**
 * The whole server, as `npm start` builds it, on a free port of 127.0.0.1 (or `port`, to restart in place; or
 * another `host`, e.g. a non-loopback address to be called from).
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}, port = 0, host = '127.0.0.1'): Promise<Running> {
  // No load shedding unless a test asks: several servers share this process, and starting one (a second of
  // training) would make the others shed.
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'debug', SHED_EVENT_LOOP_DELAY_MS: '0', SHED_TURN_LATENCY_MS: '0', ...env })
  const logs = sink()
  const app = await createApplication(config, createLogger({ level: config.LOG_LEVEL, destination: logs }))
  await new Promise<void>((resolve) => app.server.listen(port, host, resolve))
  return {
    url: `http://${host}:${(app.server.address() as AddressInfo).port}`,
    helpDesk: app.helpDesk,
    turnSlots: app.directLine.slots,
    logs,
    stop: () => app.stop(),
  }
}
