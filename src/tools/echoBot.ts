/** The reference for `npm run bench`: a minimal botbuilder echo bot on /api/messages (CloudAdapter, restify). */
import restify from 'restify'
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder'

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}))
const bot = new ActivityHandler()
bot.onMessage(async (context, next) => {
  await context.sendActivity(`Echo: ${context.activity.text}`)
  await next()
})
const server = restify.createServer()
server.use(restify.plugins.bodyParser())
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context))
})
server.listen(Number(process.env.PORT ?? 3979), '127.0.0.1', () => process.stdout.write(`listening ${server.url}\n`))
