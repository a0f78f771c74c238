import type restify from 'restify'
import { z } from 'zod'
import type { AgentAccount } from '../core/config.js'
import type { CannedReply } from '../core/cannedReplies.js'
import { CLOSING_REASONS } from '../core/handoffCase.js'
import type { AgentSessions, HandoffCase, Ratings } from '../core/ports.js'
import type { AgentAction, AgentRefusal, AgentResult, HandoffService } from '../handoff/service.js'

/** What the console's desk tools (issue 13) need besides the handoff: who is signed in, ratings, canned replies. */
export interface AgentDeskTools {
  sessions?: AgentSessions
  ratings?: Ratings
  cannedReplies?: readonly CannedReply[]
}

/** The console's own plumbing, handed over by registerAgentConsole so these routes behave as its others do. */
export interface ConsoleRouting {
  agentRoute: (handler: (req: restify.Request, res: restify.Response, agent: AgentAccount) => Promise<void> | void) => (req: restify.Request, res: restify.Response) => Promise<void>
  json: (res: restify.Response, status: number, body: unknown) => void
  fail: (res: restify.Response, status: number, message: string) => void
  caseParam: (req: restify.Request) => string | undefined
  refuse: (res: restify.Response, action: AgentAction, result: { status: number; reason: AgentRefusal }, id: string) => Promise<void>
  summaryOf: (c: HandoffCase) => object
  noSuchCase: string
}

const REASONS = CLOSING_REASONS.join(', ')
const CloseSchema = z.object(
  { reason: z.enum(CLOSING_REASONS, { error: `Say why you are closing the case: reason is one of ${REASONS}.` }) },
  { error: `Send {"reason": ...}, one of ${REASONS}.` },
)
const TransferSchema = z.strictObject(
  { to: z.string({ error: 'to is the username of a signed-in agent, or null for the queue.' }).min(1).max(80).nullable() },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}: send only "to"` : 'Send {"to": "<username>"} or {"to": null} for the queue.') },
)
const firstIssue = (error: z.ZodError) => error.issues[0]!.message

/**
 * Transfer a case to another signed-in agent or back to the queue, close it with a reason, the canned replies and a
 * case's ratings. Every route needs an agent session and, for POST, a JSON body (as every console route).
 */
export function registerDeskTools(server: restify.Server, routing: ConsoleRouting, handoff: HandoffService, tools: AgentDeskTools): void {
  const { agentRoute, json, fail, caseParam, refuse, summaryOf, noSuchCase } = routing
  const answer = async (res: restify.Response, action: AgentAction, id: string, result: AgentResult) =>
    result.ok ? json(res, 200, { case: summaryOf(result.case) }) : refuse(res, action, result, id)

  /** The other agents signed in now (console accounts only), by name. */
  const others = async (me: string) =>
    (await (tools.sessions?.signedIn() ?? Promise.resolve([])))
      .filter((username) => username !== me && handoff.isConsoleAgent(username))
      .map((username) => ({ username, name: handoff.nameOf(username) }))

  server.get('/agent/api/canned-replies', agentRoute(async (_req, res) => {
    json(res, 200, { replies: (tools.cannedReplies ?? []).map(({ id, title, text }) => ({ id, title, text })) })
  }))

  server.get('/agent/api/agents', agentRoute(async (_req, res, agent) => json(res, 200, { agents: await others(agent.username) })))

  server.post('/agent/api/cases/:id/close', agentRoute(async (req, res, agent) => {
    const id = caseParam(req)
    if (!id) return fail(res, 404, noSuchCase)
    const parsed = CloseSchema.safeParse(req.body)
    if (!parsed.success) return fail(res, 400, firstIssue(parsed.error))
    await answer(res, 'close', id, await handoff.close(id, agent.username, parsed.data.reason))
  }))

  server.post('/agent/api/cases/:id/transfer', agentRoute(async (req, res, agent) => {
    const id = caseParam(req)
    if (!id) return fail(res, 404, noSuchCase)
    const parsed = TransferSchema.safeParse(req.body)
    if (!parsed.success) return fail(res, 400, firstIssue(parsed.error))
    const { to } = parsed.data
    if (to === agent.username) return fail(res, 400, 'You already have this case: pick another agent, or the queue.')
    if (to !== null && !(await others(agent.username)).some((a) => a.username === to)) {
      return fail(res, 409, `${handoff.isConsoleAgent(to) ? handoff.nameOf(to) : 'That agent'} is not signed in now. Pick someone who is, or send the case back to the queue.`)
    }
    await answer(res, 'transfer', id, await handoff.transfer(id, agent.username, to ?? undefined))
  }))

  server.get('/agent/api/cases/:id/ratings', agentRoute(async (req, res) => {
    const id = caseParam(req)
    const found = id && (await handoff.get(id))
    if (!found) return fail(res, 404, noSuchCase)
    const ratings = (await tools.ratings?.forCase(found.id)) ?? []
    json(res, 200, { ratings: ratings.map(({ score, comment, ratedAt }) => ({ score, comment, ratedAt })) })
  }))
}
