/**
 * The life of a handoff case, and so who owns the conversation: the bot, the queue (waiting for an agent), or an
 * agent. Pure rules, no I/O: every transition is checked here, then persisted by the caller.
 */
export type CaseStatus = 'waiting' | 'claimed' | 'returned' | 'closed' | 'expired' | 'message-left' | 'answered' | 'cancelled'
/** Every status, for validating a search's filter. */
export const CASE_STATUSES = ['waiting', 'claimed', 'returned', 'closed', 'expired', 'message-left', 'answered', 'cancelled'] as const satisfies readonly CaseStatus[]
/** Who answers the user's next message: the bot, the queue, an agent, or the queue taking a left message. */
export type Owner = 'bot' | 'waiting' | 'agent' | 'leaving-message'

export interface CaseState {
  status: CaseStatus
  agentId?: string
  /** Why an agent closed it (set by a close that gives one). */
  closingReason?: ClosingReason
}

/** Why an agent closed a case: the console offers these, the report counts them. */
export const CLOSING_REASONS = [
  'resolved',
  'referred-id-card-office',
  'referred-local-it',
  'referred-branch-of-service',
  'no-response',
  'other',
] as const
export type ClosingReason = (typeof CLOSING_REASONS)[number]

export type CaseAction =
  | { type: 'claim'; agentId: string }
  | { type: 'return'; agentId: string }
  | { type: 'close'; agentId: string; reason?: ClosingReason }
  /** The holding agent passes the case to another agent (`to`), or back to the queue (no `to`). */
  | { type: 'transfer'; agentId: string; to?: string }
  | { type: 'expire' }
  | { type: 'leave-message' }
  | { type: 'answer'; agentId: string } // an agent answers a message the user left
  | { type: 'cancel' }
  | { type: 'accepted'; agentId: string } // handoff.status from an external agent hub
  | { type: 'completed' }
  | { type: 'failed' }

export type TransitionResult =
  | { ok: true; state: CaseState; changed: boolean }
  | { ok: false; reason: TransitionRefusal }
export type TransitionRefusal = 'claimed-by-another-agent' | 'not-your-case' | 'case-ended' | 'left-message' | 'no-message' | 'not-allowed'

/** Cases that still hold the conversation (the bot stays silent or says "you're in the queue"). */
export const OPEN_STATUSES: readonly CaseStatus[] = ['waiting', 'claimed', 'expired']

export function ownerOf(state: CaseState | undefined): Owner {
  if (state?.status === 'waiting') return 'waiting'
  if (state?.status === 'claimed') return 'agent'
  if (state?.status === 'expired') return 'leaving-message'
  return 'bot'
}

const ENDED: readonly CaseStatus[] = ['returned', 'closed', 'cancelled']
/** A message the user left, answered or not: answered in the console, never joined as a live chat. */
const MESSAGES: readonly CaseStatus[] = ['message-left', 'answered']

/** Applies an action; repeating the action that led to the current state is a no-op (idempotent), never an error. */
export function transition(state: CaseState, action: CaseAction): TransitionResult {
  const same = (next: CaseState) => ({ ok: true as const, state: next, changed: false })
  const to = (next: CaseState) => ({ ok: true as const, state: next, changed: true })
  switch (action.type) {
    case 'claim':
    case 'accepted':
      if (state.status === 'claimed') {
        return state.agentId === action.agentId ? same(state) : { ok: false, reason: 'claimed-by-another-agent' }
      }
      if (state.status === 'waiting' || state.status === 'expired') return to({ status: 'claimed', agentId: action.agentId })
      return { ok: false, reason: MESSAGES.includes(state.status) ? 'left-message' : 'case-ended' }
    case 'return': {
      if (state.status === 'returned') return same(state)
      if (state.status === 'claimed') return state.agentId === action.agentId ? to({ status: 'returned', agentId: state.agentId }) : { ok: false, reason: 'not-your-case' }
      return { ok: false, reason: ENDED.includes(state.status) ? 'case-ended' : MESSAGES.includes(state.status) ? 'left-message' : 'not-allowed' }
    }
    case 'close':
      // Any case can be filed as closed (also one sent back to the bot, or cancelled), except another agent's live chat.
      if (state.status === 'closed') return same(state)
      if (state.status === 'claimed' && state.agentId !== action.agentId) return { ok: false, reason: 'not-your-case' }
      return to({ status: 'closed', agentId: state.agentId ?? action.agentId, ...(action.reason && { closingReason: action.reason }) })
    case 'transfer':
      // Only the agent holding the chat passes it on; to themselves it would change nothing but the console's alert.
      if (ENDED.includes(state.status)) return { ok: false, reason: 'case-ended' }
      if (state.status !== 'claimed' || action.to === action.agentId) return { ok: false, reason: 'not-allowed' }
      if (state.agentId !== action.agentId) return { ok: false, reason: 'not-your-case' }
      return to(action.to ? { status: 'claimed', agentId: action.to } : { status: 'waiting' })
    case 'answer':
      // Answering again (a follow-up) is a change too: each answer is delivered and recorded.
      if (MESSAGES.includes(state.status)) return to({ status: 'answered', agentId: action.agentId })
      return { ok: false, reason: ENDED.includes(state.status) ? 'case-ended' : 'no-message' }
    case 'completed':
      if (state.status === 'returned') return same(state)
      return state.status === 'claimed' ? to({ ...state, status: 'returned' }) : { ok: false, reason: 'not-allowed' }
    case 'failed':
      if (state.status === 'expired') return same(state)
      return state.status === 'waiting' ? to({ status: 'expired' }) : { ok: false, reason: 'not-allowed' }
    case 'expire':
      if (state.status === 'expired') return same(state)
      return state.status === 'waiting' ? to({ status: 'expired' }) : { ok: false, reason: 'not-allowed' }
    case 'leave-message':
      if (state.status === 'message-left') return same(state)
      return state.status === 'expired' ? to({ status: 'message-left' }) : { ok: false, reason: 'not-allowed' }
    case 'cancel':
      if (state.status === 'cancelled') return same(state)
      return ['waiting', 'expired'].includes(state.status) ? to({ status: 'cancelled' }) : { ok: false, reason: 'not-allowed' }
  }
}

/**
 * Help-desk hours like "Mon-Fri 07:00-18:00" (days and times in `timeZone`), or "always". Returns whether `at` is
 * inside them. Throws on a malformed spec, so config validation can reject it at start-up.
 */
export function isWithinHours(spec: string, timeZone: string, at: Date = new Date()): boolean {
  if (spec.trim().toLowerCase() === 'always') return true
  const match = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec.trim())
  if (!match) throw new Error(`hours "${spec}": expected e.g. "Mon-Fri 07:00-18:00" or "always"`)
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  )
  const day = days.indexOf(parts.weekday!)
  const from = days.indexOf(match[1]!)
  const to = days.indexOf(match[2] ?? match[1]!)
  const dayOk = from <= to ? day >= from && day <= to : day >= from || day <= to
  const minutes = Number(parts.hour) * 60 + Number(parts.minute)
  const open = Number(match[3]) * 60 + Number(match[4])
  const close = Number(match[5]) * 60 + Number(match[6])
  return dayOk && minutes >= open && minutes < close
}
