/**
 * Runs conversation files (test/conversations/*.json, format in test/conversations/FORMAT.md) through the real help desk:
 * the same composition as `npm start` (createHelpDesk: knowledge, recognizer, dialogs, middlewares, a real SQLite
 * file), driven turn by turn by botbuilder's TestAdapter. Used by the vitest suite and `npm run eval:conversations`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { ActivityTypes, TestAdapter, type Activity, type TurnContext } from 'botbuilder'
import type { DialogState } from 'botbuilder-dialogs'
import { z } from 'zod'
import { createHelpDesk, type HelpDesk } from '../app.js'
import { hashPassword } from '../agent/auth.js'
import { loadConfig } from '../core/config.js'
import { createLogger } from '../core/logger.js'
import { JOIN_EVENT } from '../core/channelInput.js'
import { runningProcedures } from '../../dialogs/mainDialog.js'
import { REASK, REASK_DONE } from '../../dialogs/prompts.js'
import { reportOf, type TurnOutcome } from '../../dialogs/turnReport.js'

export const CATEGORIES = [
  'free-text-answers',
  'facts',
  'digressions',
  'early-exits',
  'clarify',
  'policy',
  'no-dead-ends',
  'small-things',
  'secrets',
] as const

const ExpectSchema = z
  .object({
    procedure: z.string().nullable().optional(),
    say: z.array(z.string()).optional(),
    notSay: z.array(z.string()).optional(),
    reprompt: z.boolean().optional(),
    outcome: z.enum(['resolved', 'referred', 'handoff', 'closed']).optional(),
    step: z.number().int().positive().optional(),
  })
  .passthrough() // optional fields may be added later; these keep their meaning

export const ConversationSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
    category: z.enum(CATEGORIES),
    description: z.string().min(1),
    channel: z.enum(['test', 'webchat', 'msteams']).default('test'),
    hints: z.object({ browser: z.string().optional(), os: z.string().optional() }).passthrough().optional(),
    turns: z.array(z.object({ user: z.string(), expect: ExpectSchema.optional() }).passthrough()).min(1),
  })
  .passthrough()
export type Conversation = z.infer<typeof ConversationSchema>

export interface TurnFailure {
  turn: number
  user: string
  problems: string[]
  replies: string[]
}
export interface ConversationResult {
  id: string
  category: Conversation['category']
  passed: boolean
  failures: TurnFailure[]
}

/** Reads every conversation file in `dir`; a broken file is reported by name, never skipped silently. */
export function loadConversations(dir: string): { file: string; conversation?: Conversation; error?: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      try {
        const parsed = ConversationSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')))
        if (!parsed.success) return { file, error: z.prettifyError(parsed.error) }
        if (parsed.data.id !== basename(file, '.json')) return { file, error: `id "${parsed.data.id}" must match the file name` }
        return { file, conversation: parsed.data }
      } catch (err) {
        return { file, error: `not valid JSON: ${(err as Error).message}` }
      }
    })
}

interface Observed {
  replies: Partial<Activity>[]
  outcomes: Set<TurnOutcome>
  before: { procedureId: string; step?: number }[]
  after: { procedureId: string; step?: number }[]
  procedures: Map<string, number | undefined>
}

/** Everything a reply shows: its text, its buttons, and the text of its cards. */
function shownText(activity: Partial<Activity>): string[] {
  const texts = [activity.text ?? '']
  for (const action of activity.suggestedActions?.actions ?? []) texts.push(String(action.title ?? ''))
  for (const attachment of activity.attachments ?? []) texts.push(JSON.stringify(attachment.content ?? ''))
  return texts.filter(Boolean)
}

const isReprompt = (text: string) => text.startsWith(REASK) || text.startsWith(REASK_DONE) || /didn.t catch that/i.test(text)

/** A help desk on a fresh database file, and a runner for conversations against it. */
export async function createConversationRunner() {
  const dataDir = mkdtempSync(join(tmpdir(), 'cac-conversations-'))
  // A staffed help desk (one agent account, with a password nobody knows), so a handoff opens a case as in production.
  const agent = { username: 'corpus-agent', name: 'Corpus Agent', passwordHash: hashPassword(randomBytes(24).toString('hex')) }
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', AGENT_ACCOUNTS: JSON.stringify([agent]) })
  const helpDesk: HelpDesk = await createHelpDesk(config, createLogger({ level: 'silent' }))
  const dialogState = helpDesk.conversationState.createProperty<DialogState>('DialogState')
  let observed: Observed = { replies: [], outcomes: new Set(), before: [], after: [], procedures: new Map() }
  let counter = 0

  const adapter = new TestAdapter((context) => helpDesk.bot.run(context))
  adapter.use({
    onTurn: async (context: TurnContext, next) => {
      await helpDesk.conversationState.load(context)
      observed.before = runningProcedures((await dialogState.get(context))?.dialogStack ?? [])
      await next()
      observed.after = runningProcedures((await dialogState.get(context))?.dialogStack ?? [])
      for (const outcome of reportOf(context).outcomes) observed.outcomes.add(outcome)
      for (const [id, step] of reportOf(context).procedures) observed.procedures.set(id, step)
    },
  })
  for (const middleware of helpDesk.middlewares) adapter.use(middleware)

  async function send(activity: Partial<Activity>): Promise<Observed> {
    observed = { replies: [], outcomes: new Set(), before: [], after: [], procedures: new Map() }
    await adapter.processActivity(activity)
    await new Promise((resolve) => setImmediate(resolve)) // the write batch flushes per event-loop turn
    while (adapter.activeQueue.length > 0) observed.replies.push(adapter.activeQueue.shift()!)
    return observed
  }

  async function run(conversation: Conversation): Promise<ConversationResult> {
    const conversationId = `conversation-${++counter}-${conversation.id}`
    const base: Partial<Activity> = {
      channelId: conversation.channel,
      serviceUrl: 'https://test.invalid',
      conversation: { id: conversationId } as Activity['conversation'],
      from: { id: `user-${counter}`, name: 'User' },
      recipient: { id: 'bot', name: 'Bot' },
    }
    // First contact as the channel makes it: the help page's join event (with its hints), or a member added.
    const opening =
      conversation.channel === 'webchat'
        ? await send({ ...base, type: ActivityTypes.Event, name: JOIN_EVENT, value: conversation.hints ?? {} })
        : await send({ ...base, type: ActivityTypes.ConversationUpdate, membersAdded: [base.from!] })
    const welcome = opening.replies.flatMap(shownText)
    const failures: TurnFailure[] = []
    for (const [index, turn] of conversation.turns.entries()) {
      const seen = await send({ ...base, type: ActivityTypes.Message, text: turn.user, id: `${conversationId}-${index}` })
      const messages = seen.replies.filter((r) => r.type === ActivityTypes.Message)
      const texts = messages.flatMap(shownText)
      const problems = check(turn.expect ?? {}, seen, texts, index === 0 ? welcome : [])
      if (problems.length > 0) failures.push({ turn: index + 1, user: turn.user, problems, replies: messages.map((m) => m.text ?? '') })
    }
    return { id: conversation.id, category: conversation.category, passed: failures.length === 0, failures }
  }

  return {
    run,
    async close() {
      await helpDesk.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

function check(expect: z.infer<typeof ExpectSchema>, seen: Observed, texts: string[], welcome: string[]): string[] {
  const problems: string[] = []
  if (texts.length === 0) problems.push('no reply (a dead end)')
  for (const pattern of expect.say ?? []) {
    const re = new RegExp(pattern, 'i')
    if (![...texts, ...welcome].some((t) => re.test(t))) problems.push(`say /${pattern}/ not found`)
  }
  for (const pattern of expect.notSay ?? []) {
    const re = new RegExp(pattern, 'i')
    const hit = texts.find((t) => re.test(t))
    if (hit) problems.push(`notSay /${pattern}/ matched: "${hit.slice(0, 80)}"`)
  }
  const reprompted = texts.some(isReprompt)
  if (expect.reprompt === true && !texts.some((t) => isReprompt(t) || t.includes('?'))) problems.push('expected the question asked again')
  if (expect.reprompt !== true && reprompted) problems.push('re-prompted ("didn\'t catch that")')
  if (expect.outcome && !seen.outcomes.has(expect.outcome)) {
    problems.push(`outcome ${expect.outcome} expected, got ${[...seen.outcomes].join(', ') || 'none'}`)
  }
  const involved = new Set([...seen.before, ...seen.after].map((p) => p.procedureId))
  for (const id of seen.procedures.keys()) involved.add(id)
  if (expect.procedure === null && seen.after.length > 0) {
    problems.push(`no procedure expected, ${seen.after.map((p) => p.procedureId).join(', ')} running`)
  } else if (typeof expect.procedure === 'string' && !involved.has(expect.procedure)) {
    problems.push(`procedure ${expect.procedure} expected, got ${[...involved].join(', ') || 'none'}`)
  }
  if (expect.step !== undefined) {
    // The step pending after the turn, or else the last one this turn showed (e.g. a last step that ended it).
    const id = expect.procedure ?? seen.after[0]?.procedureId ?? [...seen.procedures.keys()][0]
    const pending = seen.after.find((p) => p.procedureId === id)?.step
    const step = pending ?? (id ? seen.procedures.get(id) : undefined)
    if (step !== expect.step) problems.push(`step ${expect.step} expected, got ${step ?? 'none'}`)
  }
  return problems
}
