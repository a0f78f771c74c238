import { AgentAuth } from '../../src/agent/auth.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createAdapter } from '../../src/adapter.js'
import { createHelpDesk, type HelpDesk } from '../../src/app.js'
import { loadConfig } from '../../src/core/config.js'
import { createLogger } from '../../src/core/logger.js'
import { createDirectLineChannel } from '../../src/directline/channel.js'
import { createServer } from '../../src/server.js'
import { connectHandoffChannels } from '../../src/handoff/channels.js'
import { sink } from './sink.js'

export interface Running {
  url: string
  helpDesk: HelpDesk
  logs: ReturnType<typeof sink>
  stop(): Promise<void>
}

/** A data directory for one test file, removed afterwards. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The whole server, as `npm start` builds it, on a free port of 127.0.0.1. */
export async function startServer(dataDir: string, env: Record<string, string> = {}, port = 0): Promise<Running> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'debug', ...env })
  const logs = sink()
  const logger = createLogger({ level: config.LOG_LEVEL, destination: logs })
  const helpDesk = createHelpDesk(config, logger)
  const directLine = createDirectLineChannel(config, logger, helpDesk)
  const adapter = createAdapter(config, logger, helpDesk)
  connectHandoffChannels(helpDesk.handoffQueue, { cloudAdapter: adapter, directLine: directLine.adapter, appId: config.MicrosoftAppId, agentsChannel: config.TEAMS_AGENTS_CHANNEL })
  const server = createServer({ adapter, bot: helpDesk.bot, logger, directLine,
    agentConsole: { auth: new AgentAuth(helpDesk.db, config.AGENT_ACCOUNTS, config.AGENT_SESSION_HOURS), handoff: helpDesk.handoffQueue } })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const bound = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${bound}`,
    helpDesk,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        directLine.hub.closeAll()
        directLine.store.flush()
        server.close(() => {
          helpDesk.close()
          resolve()
        })
        server.server.closeAllConnections() // live streams (agent console events) would hold the server open
      }),
  }
}
