import { randomBytes } from 'node:crypto'
import { HelpDeskError } from '../core/errors.js'
import type { HandoffPacket } from '../core/handoff.js'
import type { CaseAction, CaseState, CaseStatus, ClosingReason } from '../core/handoffCase.js'
import type { CaseDetails, CaseEvent, CaseQuery, HandoffCase, StoredRating } from '../core/ports.js'

// What every engine stores the same way: ids, rows, errors.

/** The id of a Direct Line activity: its conversation and watermark (the same form on every engine). */
export const activityId = (conversationId: string, watermark: number) => `${conversationId}|${String(watermark).padStart(7, '0')}`

/** The `channelData.clientActivityID` a client put on its activity, if any. */
export function clientActivityIdOf(activity: object): string | undefined {
  const id = (activity as { channelData?: { clientActivityID?: unknown } }).channelData?.clientActivityID
  return typeof id === 'string' ? id : undefined
}

/** A handoff case as both engines store it (one row of handoff_requests). */
export interface CaseRow {
  id: string
  conversation_id: string
  channel_id: string
  status: string
  agent_id: string | null
  packet: string
  reference: string | null
  created_at: string
  updated_at: string | null
  agents_thread: string | null
  closing_reason?: string | null
  details: string | null
}

export const toCase = (row: CaseRow): HandoffCase => {
  const packet = JSON.parse(row.packet) as HandoffPacket & { leftMessage?: string }
  return {
    id: row.id,
    conversationId: row.conversation_id,
    channelId: row.channel_id,
    status: row.status as CaseStatus,
    agentId: row.agent_id ?? undefined,
    packet,
    reference: row.reference ? (JSON.parse(row.reference) as object) : {},
    createdAt: row.created_at,
    updatedAt: row.updated_at ?? row.created_at,
    leftMessage: packet.leftMessage,
    agentsThread: row.agents_thread ?? undefined,
    ...(row.closing_reason && { closingReason: row.closing_reason as ClosingReason }),
    details: row.details ? (JSON.parse(row.details) as CaseDetails) : {},
  }
}

/** What a case search reads (lower case): the id, question, problem id, error messages, left message and contact. */
export function searchTextOf(c: Pick<HandoffCase, 'id' | 'packet' | 'leftMessage' | 'details'>): string {
  const contact = c.details.contact && 'value' in c.details.contact ? c.details.contact.value : ''
  return [c.id, c.packet.question, c.packet.intentId, ...c.packet.errorMessages, c.leftMessage, contact].filter(Boolean).join('\n').toLowerCase()
}

/** `patch` merged into `details`; an undefined value removes its key. */
export function mergeDetails(details: CaseDetails, patch: Partial<CaseDetails>): CaseDetails {
  const merged: CaseDetails = { ...details, ...patch }
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete merged[key]
  return merged
}

/** A LIKE pattern that finds `text` anywhere, its own %, _ and backslash taken literally (with ESCAPE backslash). */
export const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * The WHERE clause of a case search and its parameters, the same on both engines; `param(n)` writes the n-th
 * placeholder in the engine's style. Text matches through LIKE on the lower-cased search column (escaped input).
 */
export function caseSearchWhere(query: CaseQuery, param: (n: number) => string): { where: string; params: unknown[] } {
  const params: unknown[] = []
  const add = (value: unknown) => param(params.push(value))
  const clauses: string[] = []
  if (query.text) {
    const patterns = [query.text, ...(query.intentIds ?? [])].map((t) => `search_text LIKE ${add(containsPattern(t))} ESCAPE '\\'`)
    clauses.push(`(${patterns.join(' OR ')})`)
  }
  if (query.status) clauses.push(`status = ${add(query.status)}`)
  if (query.agentId) clauses.push(`agent_id = ${add(query.agentId)}`)
  if (query.from) clauses.push(`created_at >= ${add(query.from)}`)
  if (query.to) clauses.push(`created_at < ${add(query.to)}`)
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

/**
 * A case's changed columns after a transition, in the order both engines' UPDATE names them: status, agent, packet
 * (with a message the user left), updated time, search text, and a closing reason (kept when none is given).
 */
export function transitionColumns(current: HandoffCase, state: CaseState, at: string, leftMessage?: string): unknown[] {
  const packet = leftMessage ? { ...current.packet, leftMessage } : current.packet
  return [
    state.status,
    state.agentId ?? null,
    JSON.stringify(packet),
    at,
    searchTextOf({ ...current, packet, leftMessage: leftMessage ?? current.leftMessage }),
    state.closingReason ?? null,
  ]
}

/** Ended cases untouched since a limit (the one parameter, ISO text): what retention deletes, on both engines. */
export const ENDED_CASES_BEFORE = (param: string) =>
  `SELECT id FROM handoff_requests WHERE status IN ('closed', 'returned', 'cancelled', 'answered') AND COALESCE(updated_at, created_at) < ${param}`

/** The history entry of a status change: from, to, by which action, and the agent who did it. */
export const statusEvent = (from: CaseStatus, to: CaseStatus, action: CaseAction): Omit<CaseEvent, 'id' | 'caseId' | 'at'> => ({
  kind: 'status',
  ...('agentId' in action && { agentId: action.agentId }),
  data: {
    from,
    to,
    action: action.type,
    ...(action.type === 'transfer' && action.to && { toAgent: action.to }),
    ...(action.type === 'close' && action.reason && { reason: action.reason }),
  },
})

/** One row of case_events as both engines store it. */
export interface CaseEventRow {
  id: number | string
  case_id: string
  at: string
  kind: string
  agent_id: string | null
  data: string
}

export const toCaseEvent = (row: CaseEventRow): CaseEvent => ({
  id: Number(row.id),
  caseId: row.case_id,
  at: row.at,
  kind: row.kind,
  ...(row.agent_id && { agentId: row.agent_id }),
  data: JSON.parse(row.data) as Record<string, unknown>,
})

/** A rating as both engines store it (one row of ratings). */
export interface RatingRow {
  id: string
  channel_id: string
  conversation_id: string
  after: string
  case_id: string | null
  procedure_id: string | null
  asked_at: string
  score: number | null
  comment: string | null
  rated_at: string | null
}

export const toRating = (row: RatingRow): StoredRating => ({
  id: row.id,
  channelId: row.channel_id,
  conversationId: row.conversation_id,
  after: row.after as StoredRating['after'],
  askedAt: row.asked_at,
  ...(row.case_id && { caseId: row.case_id }),
  ...(row.procedure_id && { procedureId: row.procedure_id }),
  ...(row.score !== null && { score: Number(row.score) }),
  ...(row.comment !== null && { comment: row.comment }),
  ...(row.rated_at && { ratedAt: row.rated_at }),
})

/** A new case id: short enough to read out on the phone. */
export const newCaseId = () => `HD-${randomBytes(4).toString('hex').toUpperCase()}`

/** A version conflict: another turn saved the document since this one read it. */
export const stateConflict = (key: string, expected: number | '*', actual: number) =>
  new HelpDeskError('HD_STATE_CONFLICT', `state "${key}" is at version ${actual}, the save expected ${expected}`)

/** How long the agent console's events are kept for consoles that reconnect. */
export const CONSOLE_EVENTS_KEPT_MS = 24 * 3600 * 1000
