/**
 * `npm run chat`: talk to the bot in a terminal, with the same dialogs, state and middleware as the server,
 * and no server. For help-desk staff to try content. Logs go to data/chat.log, not the screen.
 */
import { createInterface } from 'node:readline'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder'
import { loadConfig } from '../core/config.js'
import { createLogger } from '../core/logger.js'
import { createHelpDesk } from '../app.js'

/** Prints the bot's messages and their buttons; numbers pick a button. */
class TerminalAdapter extends BotAdapter {
  buttons: string[] = []

  constructor(private readonly write: (text: string) => void) {
    super()
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message) continue
      this.write(`\nbot> ${(activity.text ?? '').replace(/\n/g, '\n     ')}\n`)
      const actions = activity.suggestedActions?.actions ?? []
      if (actions.length > 0) {
        this.buttons = actions.map((a) => String(a.value ?? a.title))
        this.write(`     ${actions.map((a, i) => `[${i + 1}] ${a.title}`).join('   ')}\n`)
      }
    }
    return activities.map(() => ({ id: randomUUID() }))
  }

  async updateActivity(): Promise<void> {
    throw new Error('the terminal cannot update a message')
  }

  async deleteActivity(): Promise<void> {
    throw new Error('the terminal cannot delete a message')
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continue' }, reference, true)
    await this.runMiddleware(new TurnContext(this, activity), logic)
  }

  async send(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.runMiddleware(new TurnContext(this, activity), logic)
  }
}

const config = loadConfig()
mkdirSync(config.DATA_DIR, { recursive: true })
const logger = createLogger({ level: config.LOG_LEVEL, destination: createWriteStream(join(config.DATA_DIR, 'chat.log'), { flags: 'a' }) })
const helpDesk = await createHelpDesk(config, logger)
const adapter = new TerminalAdapter((text) => process.stdout.write(text))
for (const middleware of helpDesk.middlewares) adapter.use(middleware)
adapter.onTurnError = async (context, err) => {
  logger.error({ err }, 'unhandled turn error')
  await context.sendActivity("Sorry, something went wrong on my side. Let's start again.")
  await helpDesk.conversationState.delete(context)
}

const conversation = { id: `terminal-${randomUUID()}` }
const user = { id: 'terminal-user', name: 'You' }
const bot = { id: 'cac-helpdesk', name: 'CAC Help Desk' }
const activity = (partial: Partial<Activity>): Partial<Activity> => ({
  channelId: 'terminal',
  serviceUrl: 'terminal://',
  conversation: conversation as Activity['conversation'],
  from: user,
  recipient: bot,
  id: randomUUID(),
  timestamp: new Date(),
  ...partial,
})

process.stdout.write('CAC help-desk bot in the terminal. Type your message; a number picks a button; "quit" leaves.\n')
await adapter.send(activity({ type: ActivityTypes.ConversationUpdate, membersAdded: [user] }), (c) => helpDesk.bot.run(c))
const tty = Boolean(process.stdin.isTTY)
// On a terminal readline echoes and edits the line; piped, the line is echoed by hand so a transcript reads well.
const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty })
rl.setPrompt('you> ')
const prompt = () => (tty ? (process.stdout.write('\n'), rl.prompt()) : process.stdout.write('\nyou> '))
prompt()

/** Lines that arrive together on a terminal are one pasted message (an e-mail, an error page), as in Web Chat. */
const PASTE_MS = 25
let lines: string[] = []
let timer: NodeJS.Timeout | undefined
let turns = Promise.resolve()
let quitting = false

async function say(text: string): Promise<void> {
  if (quitting) return
  if (text === 'quit' || text === 'exit') {
    quitting = true
    rl.close()
    return
  }
  if (text) {
    if (!tty) process.stdout.write(`${text}\n`)
    const button = /^\d$/.test(text) ? adapter.buttons[Number(text) - 1] : undefined
    adapter.buttons = []
    await adapter.send(activity({ type: ActivityTypes.Message, text: button ?? text }), (c) => helpDesk.bot.run(c))
  }
  prompt()
}

function flush(): void {
  const text = lines.join('\n').trim()
  lines = []
  // One turn at a time, in order, even when lines arrive while the bot is still answering (piped input).
  turns = turns.then(() => say(text))
}

rl.on('line', (raw) => {
  if (tty) {
    lines.push(raw)
    clearTimeout(timer)
    timer = setTimeout(flush, PASTE_MS)
  } else if (raw.endsWith('\\')) {
    lines.push(raw.slice(0, -1)) // piped: a line ending in a backslash goes on on the next line
  } else {
    lines.push(raw)
    flush()
  }
})
await new Promise<void>((resolve) => rl.once('close', resolve))
clearTimeout(timer)
if (lines.length > 0 && !quitting) flush()
await turns
await helpDesk.close()
process.stdout.write('\n')
