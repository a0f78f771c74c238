/**
 * A second reference for `npm run bench`: our own server and website channel (Direct Line routes, tokens, the
 * database, the live streams, every middleware), with an echo in place of the help-desk bot. Set against the echo
 * bot on /api/messages it shows what the channel costs; set against our bot, what the dialogs cost.
 */
import { createAdapter } from '../adapter.js'
import { createHelpDesk } from '../app.js'
import { messagesPolicyOf } from '../application.js'
import { loadConfig } from '../core/config.js'
import { createLogger } from '../core/logger.js'
import { createDirectLineChannel } from '../directline/channel.js'
import { createServer } from '../server.js'

const config = loadConfig()
const logger = createLogger({ level: config.LOG_LEVEL })
const helpDesk = await createHelpDesk(config, logger)
const directLine = await createDirectLineChannel(config, logger, helpDesk)
const echo = { ...directLine, logic: async (context: Parameters<typeof directLine.logic>[0]) => void (await context.sendActivity(`Echo: ${context.activity.text}`)) }
const server = createServer({ adapter: createAdapter(config, logger, helpDesk), bot: helpDesk.bot, logger, directLine: echo, messages: messagesPolicyOf(config), limiter: helpDesk.stores.limiter, clientAddress: directLine.clientAddress })
server.listen(config.PORT, config.HOST)
// Exits on SIGTERM (as `npm start` does) so a profile taken with --cpu-prof is written.
process.once('SIGTERM', () => server.close(() => process.exit(0)))
