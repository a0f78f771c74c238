import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type restify from 'restify'
import { z } from 'zod'
import type { AgentAccount } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import { CASE_STATUSES, type CaseStatus } from '../core/handoffCase.js'
import { describeContact } from '../core/contact.js'
import { explainDelivery, historyLines, STATUS_LABELS } from './caseHistory.js'
import { explainRefusal, type AgentAction, type AgentRefusal, type ConsoleEvent, type HandoffService } from '../handoff/service.js'
import type { AnalyticsEvents, HandoffCase, LimiterFactory, TrainingSuggestions } from '../core/ports.js'
import { PERIODS, reportFor, reportTables, TABLE_IDS, toCsv, type PeriodId } from '../analytics/tables.js'
import type { OutageWatch } from '../analytics/outage.js'
import { reviewList, storableUtterance, suggestionSchema, suggestionsJsonl } from '../analytics/review.js'
import { NoticeInputSchema, type NoticeBoard } from '../core/serviceNotice.js'
import type { AgentAuth } from './auth.js'
import type { CaseView } from './caseView.js'
import { createSignInGuard, DEVICE_COOKIE } from './signInGuard.js'
import { registerDeskTools, type AgentDeskTools } from './deskTools.js'

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public')

/** Chart.js's UMD build, found through the package directory (its exports map hides dist/): served from here, no CDN. */
function chartJsPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js')
  const marker = `${sep}chart.js${sep}`
  return join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), 'dist', 'chart.umd.min.js')
}
const COOKIE = 'hd_agent'
const HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}
const QUEUE_STATUSES: readonly CaseStatus[] = ['waiting', 'claimed', 'expired']
/** The Messages view: messages users left, until an agent closes them. */
const MESSAGE_STATUSES: readonly CaseStatus[] = ['message-left', 'answered']

const LoginSchema = z.object({ username: z.string().min(1).max(80), password: z.string().min(1).max(200) })
const MessageSchema = z.object({ text: z.string().trim().min(1, 'empty message').max(4000) })
const NO_SUCH_CASE = 'There is no such case: it may have been mistyped. Pick a case from the queue.'
const CaseIdSchema = z.string().regex(/^HD-[0-9A-F]{8}$/)
const NoteSchema = z.object({ text: z.string().trim().min(1, 'Write the note first.').max(2000, 'A note is text of at most 2000 characters.') })
const AnswerSchema = z.object({ text: z.string().trim().min(1, 'Write the answer first.').max(4000, 'An answer is text of at most 4000 characters.') })
/** The reason a text was too short or too long, if that was what was wrong. */
const sizeReason = (error: z.ZodError) => error.issues.find((i) => i.code === 'too_small' || i.code === 'too_big')?.message
/** A time in a search: ISO 8601 with its offset (the console sends the agent's local day as such), kept as UTC ISO. */
const searchTime = (name: string) =>
  z.iso.datetime({ offset: true, error: `${name} must be a time such as 2026-12-01T00:00:00Z` }).transform((t) => new Date(t).toISOString())
const CaseSearchSchema = z
  .strictObject(
    {
      q: z.string().trim().max(200, 'Search for at most 200 characters.').optional(),
      status: z.enum(CASE_STATUSES, { error: `status must be one of ${CASE_STATUSES.join(', ')}` }).optional(),
      agent: z.string().regex(/^[\w.:@-]{1,120}$/, 'agent must be an agent\'s username').optional(),
      from: searchTime('from').optional(),
      to: searchTime('to').optional(),
      limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be 1 to 100').max(100, 'limit must be 1 to 100').default(50),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}: search with q, status, agent, from, to and limit` : undefined) },
  )
  .refine((query) => !query.from || !query.to || query.from < query.to, { error: 'from must be before to' })
const PERIOD_IDS = Object.keys(PERIODS) as [PeriodId, ...PeriodId[]]
const AnalyticsQuerySchema = z.strictObject(
  { period: z.enum(PERIOD_IDS, { error: `period must be one of ${PERIOD_IDS.join(', ')} (the last 24 hours, 7 days or 30 days)` }) },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}: only period is accepted` : undefined) },
)
const NOT_A_LEAD =
  'The Analytics view is for help-desk leads. An administrator can give your account "role": "lead" in AGENT_ACCOUNTS (see the README, "Analytics").'

function cookieOf(req: restify.Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

const NO_ACCOUNTS =
  'No agent accounts are configured on this server, so nobody can sign in. An administrator makes a password hash with ' +
  "npm run agent:hash -- 'a long passphrase', puts it in AGENT_ACCOUNTS and restarts (see the README, \"Human handoff\")."

/** The agent console: `/agent` and its JSON API, every endpoint but sign-in behind a session. */
export function registerAgentConsole(
  server: restify.Server,
  {
    auth,
    handoff,
    view,
    logger,
    secureCookies = false,
    limiter,
    clientAddress = (req) => req.socket.remoteAddress ?? 'unknown',
    signInSecret,
    analytics,
    outage,
    review,
    ...tools
  }: AgentDeskTools & {
    auth: AgentAuth
    handoff: HandoffService
    view: CaseView
    logger: Logger
    secureCookies?: boolean
    /** Rate limits (global across instances with Redis); default: this process's. */
    limiter?: LimiterFactory
    /** The client's address, behind trusted proxies. */
    clientAddress?: (req: restify.Request) => string
    /** Signs the device cookies of the sign-in guard: the same on every instance, so a cookie works on each. */
    signInSecret?: Buffer
    /** The stored analytics events, for the Analytics view (leads only); without them the view is not served. */
    analytics?: AnalyticsEvents
    /** Outage alerts and the service notice (every agent). */
    outage?: { watch: OutageWatch; notices: NoticeBoard }
    /** The review list's suggestions store and the intents a lead may propose an utterance for. */
    review?: { suggestions: TrainingSuggestions; intentIds: readonly string[] }
  },
): void {
  const secure = secureCookies ? '; Secure' : '' // served over https: never sent over plain http
  /** What the queue shows of a case: no transcript, just enough to choose; times are ISO, the console shows them in local time. */
  const summaryOf = (c: HandoffCase, now = Date.now()) => ({
    id: c.id,
    status: c.status,
    agentId: c.agentId,
    agentName: c.agentId ? handoff.nameOf(c.agentId) : undefined,
    channelId: c.channelId,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    waitingSeconds: Math.max(0, Math.round((now - Date.parse(c.createdAt)) / 1000)),
    question: c.packet.question,
    intentId: c.packet.intentId,
    problem: view.problem(c.packet.intentId),
    reason: c.packet.reason,
    reasonText: view.reason(c.packet.reason),
    statusLabel: STATUS_LABELS[c.status] ?? c.status,
    summary: view.summary(c.packet),
    errorMessages: c.packet.errorMessages,
    leftMessage: c.leftMessage,
    closingReason: c.closingReason,
    contact: describeContact(c.details.contact),
  })
  const refuse = async (res: restify.Response, action: AgentAction, result: { status: number; reason: AgentRefusal }, id: string) =>
    json(res, result.status, { error: explainRefusal(action, result.reason, await handoff.get(id), (agentId) => handoff.nameOf(agentId)), code: result.reason })

  const files: Record<string, [string, string]> = {
    '/agent': ['console.html', 'text/html; charset=utf-8'],
    '/agent/static/console.js': ['console.js', 'text/javascript; charset=utf-8'],
    '/agent/static/console.css': ['console.css', 'text/css; charset=utf-8'],
    '/agent/static/analytics.js': ['analytics.js', 'text/javascript; charset=utf-8'],
    '/agent/static/desk-tools.js': ['desk-tools.js', 'text/javascript; charset=utf-8'],
    '/agent/static/outage.js': ['outage.js', 'text/javascript; charset=utf-8'],
    '/agent/static/chart.js': [chartJsPath(), 'text/javascript; charset=utf-8'],
  }
  for (const [path, [file, type]] of Object.entries(files)) {
    const body = readFileSync(file.startsWith(sep) ? file : join(PUBLIC, file))
    server.get(path, async (_req, res) => {
      res.writeHead(200, { ...HEADERS, 'content-type': type, 'content-length': body.length })
      res.end(body)
    })
  }

  const guard = createSignInGuard(signInSecret, limiter)
  const json = (res: restify.Response, status: number, body: unknown) => {
    res.writeHead(status, { ...HEADERS, 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const fail = (res: restify.Response, status: number, message: string) => json(res, status, { error: message })

  /** Runs `handler` for a signed-in agent; JSON bodies only on POST (a cross-site form cannot send one). */
  const agentRoute =
    (handler: (req: restify.Request, res: restify.Response, agent: AgentAccount) => Promise<void> | void) =>
    async (req: restify.Request, res: restify.Response) => {
      const agent = await auth.agentOf(cookieOf(req, COOKIE))
      if (!agent) return fail(res, 401, 'You are not signed in, or your session has ended: please sign in.')
      if (req.method === 'POST' && !req.is('application/json')) return fail(res, 415, 'Send JSON (content-type: application/json).')
      try {
        await handler(req, res, agent)
      } catch (err) {
        logger.error({ err }, 'agent console request failed')
        fail(res, 500, 'Something went wrong on our side.')
      }
    }
  const caseParam = (req: restify.Request) => CaseIdSchema.safeParse(req.params?.id).data

  // Public on purpose: the sign-in page says when no account exists, rather than "wrong password" forever.
  server.get('/agent/api/sign-in', async (_req, res) => json(res, 200, { accountsConfigured: auth.hasAccounts, ...(!auth.hasAccounts && { help: NO_ACCOUNTS }) }))

  server.post('/agent/api/login', async (req, res) => {
    if (!auth.hasAccounts) return fail(res, 401, NO_ACCOUNTS)
    const parsed = LoginSchema.safeParse(req.body)
    if (!parsed.success) return fail(res, 400, 'Give a username and a password.')
    const attempt = { username: parsed.data.username, address: clientAddress(req), device: cookieOf(req, DEVICE_COOKIE) }
    const allowed = await guard.begin(attempt)
    if (!allowed.ok) {
      const wait = allowed.retryAfterSeconds
      res.setHeader('retry-after', String(wait))
      return fail(res, 429, `Too many failed sign-ins; try again in ${wait} second${wait === 1 ? '' : 's'}.`)
    }
    const session = await auth.signIn(parsed.data.username, parsed.data.password)
    if (!session) {
      logger.warn({ address: attempt.address }, 'agent sign-in failed') // never the typed username: people type passwords there too
      return fail(res, 401, 'Wrong username or password.')
    }
    const device = await guard.succeeded(attempt)
    logger.info({ agentId: session.account.username }, 'agent signed in')
    res.setHeader('set-cookie', [
      `${COOKIE}=${session.sessionId}; HttpOnly; SameSite=Strict; Path=/agent; Max-Age=${session.maxAgeSeconds}${secure}`,
      `${DEVICE_COOKIE}=${device.value}; HttpOnly; SameSite=Strict; Path=/agent/api/login; Max-Age=${device.maxAgeSeconds}${secure}`,
    ])
    json(res, 200, { username: session.account.username, name: session.account.name, role: session.account.role ?? 'agent' })
  })

  server.post('/agent/api/logout', agentRoute(async (req, res) => {
    await auth.signOut(cookieOf(req, COOKIE))
    res.setHeader('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/agent; Max-Age=0${secure}`)
    json(res, 200, { ok: true })
  }))

  server.get('/agent/api/me', agentRoute(async (_req, res, agent) =>
    json(res, 200, { username: agent.username, name: agent.name, role: agent.role ?? 'agent', agents: auth.directory() }),
  ))

  // The Analytics view's figures: the report `npm run report` prints, computed once per request, with its tables.
  const analyticsRoute = (handler: (req: restify.Request, res: restify.Response, period: PeriodId) => Promise<void>) =>
    agentRoute(async (req, res, agent) => {
      if (agent.role !== 'lead') return fail(res, 403, NOT_A_LEAD)
      if (!analytics) return fail(res, 404, 'Analytics are not recorded on this server.')
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://console').searchParams)
      const parsed = AnalyticsQuerySchema.safeParse(query)
      if (!parsed.success) return fail(res, 400, parsed.error.issues[0]!.message)
      await handler(req, res, parsed.data.period)
    })

  server.get('/agent/api/analytics', analyticsRoute(async (_req, res, period) => {
    const report = await reportFor(analytics!, period)
    const titles = Object.fromEntries(report.procedures.map((p) => [p.procedureId, view.procedure(p.procedureId)]))
    json(res, 200, { period, from: new Date(report.from).toISOString(), to: new Date(report.to).toISOString(), report, tables: reportTables(report), titles })
  }))

  server.get('/agent/api/analytics/csv/:table', analyticsRoute(async (req, res, period) => {
    const id = TABLE_IDS.find((t) => t === req.params?.table)
    if (!id) return fail(res, 404, `There is no such table: the tables are ${TABLE_IDS.join(', ')}.`)
    const report = await reportFor(analytics!, period)
    const stamp = new Date(report.to).toISOString().slice(0, 10)
    res.writeHead(200, {
      ...HEADERS,
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="helpdesk-${id}-${period}-${stamp}.csv"`,
    })
    res.end(toCsv(reportTables(report).find((t) => t.id === id)!))
  }))

  // The top out-of-scope and clarified messages (from the redacted transcripts), the intents to file one under, and
  // what has been proposed so far.
  server.get('/agent/api/analytics/review', analyticsRoute(async (_req, res, period) => {
    if (!review) return fail(res, 404, 'The review list is not kept on this server.')
    const to = Date.now()
    const items = await reviewList(await analytics!.query(to - PERIODS[period], to), (channelId, conversationId) => handoff.transcript(channelId, conversationId))
    json(res, 200, {
      period,
      items: items.map((i) => ({ ...i, problem: view.problem(i.intentId) })),
      intents: review.intentIds.map((id) => ({ id, title: view.problem(id) })),
      suggestions: await review.suggestions.list(),
    })
  }))

  // Never automatic: a lead's click files one utterance for the content owner; the running model is not touched.
  const SuggestionSchema = suggestionSchema(review?.intentIds ?? [])
  server.post('/agent/api/analytics/suggestions', agentRoute(async (req, res, agent) => {
    if (agent.role !== 'lead') return fail(res, 403, NOT_A_LEAD)
    if (!review) return fail(res, 404, 'The review list is not kept on this server.')
    const parsed = SuggestionSchema.safeParse(req.body)
    if (!parsed.success) return fail(res, 400, parsed.error.issues[0]!.message)
    const { text, intentId, source } = parsed.data
    const suggestion = await review.suggestions.add({ text: storableUtterance(text), intentId, source, suggestedBy: agent.username, at: Date.now() })
    logger.info({ agentId: agent.username, intentId, source }, 'training utterance suggested')
    json(res, 201, { suggestion })
  }))

  server.post('/agent/api/analytics/suggestions/:id/delete', agentRoute(async (req, res, agent) => {
    if (agent.role !== 'lead') return fail(res, 403, NOT_A_LEAD)
    const id = z.coerce.number().int().positive().safeParse(req.params?.id).data
    if (!review || !id || !(await review.suggestions.delete(id))) return fail(res, 404, 'There is no such suggestion: it may have been deleted already.')
    json(res, 200, { ok: true })
  }))

  server.get('/agent/api/analytics/suggestions.jsonl', agentRoute(async (_req, res, agent) => {
    if (agent.role !== 'lead') return fail(res, 403, NOT_A_LEAD)
    if (!review) return fail(res, 404, 'The review list is not kept on this server.')
    const body = suggestionsJsonl(await review.suggestions.list())
    res.writeHead(200, {
      ...HEADERS,
      'content-type': 'application/jsonl; charset=utf-8',
      'content-disposition': `attachment; filename="suggested-utterances-${new Date().toISOString().slice(0, 10)}.jsonl"`,
    })
    res.end(body)
  }))

  // Outage alerts and the service notice: for every agent, who may be the first to see the queue fill up.
  server.get('/agent/api/outage', agentRoute(async (_req, res) => {
    if (!outage) return json(res, 200, { spikes: [], notice: null })
    const [spikes, notice] = await Promise.all([outage.watch.spikes(), outage.notices.current()])
    json(res, 200, {
      spikes: spikes.map((s) => ({ ...s, problem: view.problem(s.intentId) })),
      notice: notice ? { ...notice, setByName: handoff.nameOf(notice.setBy) } : null,
    })
  }))

  server.post('/agent/api/notice', agentRoute(async (req, res, agent) => {
    if (!outage) return fail(res, 404, 'Service notices are not available on this server.')
    const parsed = NoticeInputSchema.safeParse(req.body)
    if (!parsed.success) return fail(res, 400, parsed.error.issues[0]!.message)
    const notice = await outage.notices.set(parsed.data, agent.username)
    logger.info({ agentId: agent.username, minutes: parsed.data.minutes }, 'service notice set')
    json(res, 200, { notice: { ...notice, setByName: handoff.nameOf(notice.setBy) } })
  }))

  server.post('/agent/api/notice/clear', agentRoute(async (_req, res, agent) => {
    if (!outage) return fail(res, 404, 'Service notices are not available on this server.')
    await outage.notices.clear()
    logger.info({ agentId: agent.username }, 'service notice cleared')
    json(res, 200, { ok: true })
  }))

  server.get('/agent/api/queue', agentRoute(async (_req, res) => json(res, 200, { cases: (await handoff.list(QUEUE_STATUSES)).map((c) => summaryOf(c)) })))

  server.get('/agent/api/messages', agentRoute(async (_req, res) => json(res, 200, { cases: (await handoff.list(MESSAGE_STATUSES)).map((c) => summaryOf(c)) })))

  // Every case, by id, problem (its title or id), error text, left message, agent, date, status: newest first, bounded.
  server.get('/agent/api/cases', agentRoute(async (req, res) => {
    const params = [...new URL(req.url ?? '/', 'http://console').searchParams].filter(([, value]) => value !== '')
    const parsed = CaseSearchSchema.safeParse(Object.fromEntries(params))
    if (!parsed.success) return fail(res, 400, parsed.error.issues[0]!.message)
    const { q, status, agent, from, to, limit } = parsed.data
    const found = await handoff.search({
      ...(q && { text: q, intentIds: view.intentsTitled(q) }),
      ...(status && { status }),
      ...(agent && { agentId: agent }),
      ...(from && { from }),
      ...(to && { to }),
      limit: limit + 1, // one more says whether there are more
    })
    json(res, 200, { cases: found.slice(0, limit).map((c) => summaryOf(c)), more: found.length > limit })
  }))

  server.get('/agent/api/cases/:id', agentRoute(async (req, res) => {
    const id = caseParam(req)
    const found = id && (await handoff.get(id))
    if (!found) return fail(res, 404, NO_SUCH_CASE)
    const [activities, events] = await Promise.all([handoff.transcript(found.channelId, found.conversationId), handoff.history(found.id)])
    json(res, 200, {
      case: { ...summaryOf(found), packet: { ...found.packet, trail: view.trail(found.packet.trail) }, environment: view.environment(activities) },
      transcript: view.lines(activities),
      history: historyLines(events, found, (agentId) => handoff.nameOf(agentId)),
    })
  }))

  /** A POST of `{text}` to a case: the case id and the text checked (404 / 400 with the reason) before `handler`. */
  const caseTextRoute = (
    schema: typeof NoteSchema,
    what: string,
    handler: (res: restify.Response, agent: AgentAccount, id: string, text: string) => Promise<void>,
  ) =>
    agentRoute(async (req, res, agent) => {
      const id = caseParam(req)
      if (!id) return fail(res, 404, NO_SUCH_CASE)
      const parsed = schema.safeParse(req.body)
      if (!parsed.success) return fail(res, 400, sizeReason(parsed.error) ?? `Send the ${what} as {"text": "..."}.`)
      await handler(res, agent, id, parsed.data.text)
    })

  // A private note: agents only; never relayed to the user, never in the transcript.
  server.post('/agent/api/cases/:id/notes', caseTextRoute(NoteSchema, 'note', async (res, agent, id, text) => {
    const result = await handoff.addNote(id, agent.username, text)
    if (!result.ok) return fail(res, 404, NO_SUCH_CASE)
    json(res, 201, { note: historyLines([result.note], { channelId: '', details: {} }, (agentId) => handoff.nameOf(agentId))[0] })
  }))

  // The answer to a message the user left: delivered to their chat if it can still be reached, and kept on the case.
  server.post('/agent/api/cases/:id/answer', caseTextRoute(AnswerSchema, 'answer', async (res, agent, id, text) => {
    const result = await handoff.answer(id, agent.username, text)
    if (!result.ok) return refuse(res, 'answer', result, id)
    json(res, 200, { case: summaryOf(result.case), delivered: result.delivery!.delivered, delivery: explainDelivery(result.delivery!, result.case) })
  }))

  // The Bot Framework .transcript format: a JSON array of activities, which the Emulator opens.
  server.get('/agent/api/cases/:id/transcript', agentRoute(async (req, res) => {
    const id = caseParam(req)
    const found = id && (await handoff.get(id))
    if (!found) return fail(res, 404, NO_SUCH_CASE)
    res.writeHead(200, { ...HEADERS, 'content-type': 'application/json', 'content-disposition': `attachment; filename="${found.id}.transcript"` })
    res.end(JSON.stringify(view.exported(await handoff.transcript(found.channelId, found.conversationId)), null, 2))
  }))

  // Every conversation's transcript (redacted), not only handed-over ones.
  server.get('/agent/api/conversations', agentRoute(async (_req, res) => json(res, 200, { conversations: await handoff.recentConversations(50) })))

  server.get('/agent/api/conversations/:channelId/:conversationId/transcript', agentRoute(async (req, res) => {
    const channelId = String(req.params?.channelId ?? '')
    const conversationId = String(req.params?.conversationId ?? '')
    if (!/^[\w.-]{1,50}$/.test(channelId) || conversationId.length === 0 || conversationId.length > 300) {
      return fail(res, 400, 'That is not a conversation address: pick a conversation from the list.')
    }
    const activities = view.exported(await handoff.transcript(channelId, conversationId))
    if (activities.length === 0) return fail(res, 404, 'There is no such conversation, or it has no messages yet.')
    const file = `${channelId}-${conversationId}`.replace(/[^\w.-]+/g, '_').slice(0, 100)
    res.writeHead(200, { ...HEADERS, 'content-type': 'application/json', 'content-disposition': `attachment; filename="${file}.transcript"` })
    res.end(JSON.stringify(activities, null, 2))
  }))

  // Close (with its reason) and transfer are the desk tools' (deskTools.ts).
  registerDeskTools(server, { agentRoute, json, fail, caseParam, refuse, summaryOf: (c) => summaryOf(c), noSuchCase: NO_SUCH_CASE }, handoff, tools)

  for (const action of ['claim', 'return'] as const) {
    server.post(`/agent/api/cases/:id/${action}`, agentRoute(async (req, res, agent) => {
      const id = caseParam(req)
      if (!id) return fail(res, 404, NO_SUCH_CASE)
      const result = action === 'claim' ? await handoff.claim(id, agent.username) : await handoff.giveBack(id, agent.username)
      if (!result.ok) return refuse(res, action, result, id)
      json(res, 200, { case: summaryOf(result.case) })
    }))
  }

  server.post('/agent/api/cases/:id/messages', agentRoute(async (req, res, agent) => {
    const id = caseParam(req)
    if (!id) return fail(res, 404, NO_SUCH_CASE)
    const parsed = MessageSchema.safeParse(req.body)
    if (!parsed.success) return fail(res, 400, parsed.error.issues[0]?.message === 'empty message' ? 'Write a message first.' : 'A message is text of at most 4000 characters.')
    const result = await handoff.say(id, agent.username, parsed.data.text)
    if (!result.ok) return refuse(res, 'say', result, id)
    json(res, 200, { ok: true })
  }))

  // The agent is typing: the user's channel shows it (the service sends at most one every few seconds).
  server.post('/agent/api/cases/:id/typing', agentRoute(async (req, res, agent) => {
    const id = caseParam(req)
    if (!id) return fail(res, 404, NO_SUCH_CASE)
    const result = await handoff.agentTyping(id, agent.username)
    if (!result.ok) return refuse(res, 'typing', result, id)
    json(res, 200, { ok: true })
  }))

  // Live updates (server-sent events) from every instance, each with an id: a console that reconnects sends
  // Last-Event-ID (EventSource does so by itself) and gets what it missed first.
  server.get('/agent/api/events', agentRoute(async (req, res) => {
    res.writeHead(200, { ...HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' })
    res.write(': connected\n\n')
    const sent = new Set<number>() // replay and live may overlap: each event once
    const send = ({ id, event, data }: ConsoleEvent) => {
      if (id === 0) return void res.write(`event: ${event}\ndata: ${data}\n\n`) // live only (typing)
      if (sent.has(id)) return
      sent.add(id)
      if (sent.size > 1000) sent.delete(sent.values().next().value!)
      res.write(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`)
    }
    handoff.on('event', send) // first, so nothing published during the replay is missed
    const lastEventId = Number(req.header('last-event-id') ?? '')
    if (Number.isSafeInteger(lastEventId) && lastEventId > 0) {
      for (const event of await handoff.eventsAfter(lastEventId)) send(event as ConsoleEvent)
    }
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000)
    req.on('close', () => {
      clearInterval(keepAlive)
      handoff.off('event', send)
    })
  }))
}
