import { createApplication } from './application.js'
import { loadConfig, type Config } from './core/config.js'
import { captureConsole, createLogger } from './core/logger.js'

// The composition root: the only place that reads the environment and listens.
let config: Config
try {
  config = loadConfig()
} catch (err) {
  process.stderr.write(`Cannot start: ${(err as Error).message}\n`)
  process.exit(1)
}
const logger = createLogger({ level: config.LOG_LEVEL })
captureConsole(logger)
const app = await createApplication(config, logger)
app.helpDesk.handoffQueue.start()

app.server.listen(config.PORT, config.HOST, () => {
  logger.info({ url: app.server.url, auth: config.MicrosoftAppId ? 'bot-framework-jwt' : 'none (local)' }, 'listening')
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down')
    void app.stop().then(() => process.exit(0))
  })
}
