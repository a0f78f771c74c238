import { randomBytes } from 'node:crypto'
import { HelpDeskError } from '../core/errors.js'
import type { HandoffPacket } from '../core/handoff.js'
import type { CaseStatus, ClosingReason } from '../core/handoffCase.js'
import type { HandoffCase, StoredRating } from '../core/ports.js'

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
  }
}

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
