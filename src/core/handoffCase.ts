/**
 * The life of a handoff case, and so who owns the conversation: the bot, the queue (waiting for an agent), or an
 * agent. Pure rules, no I/O: every transition is checked here, then persisted by the caller.
 */
export type CaseStatus = 'waiting' | 'claimed' | 'returned' | 'closed' | 'expired' | 'message-left' | 'cancelled'
export type Owner = 'bot' | 'waiting' | 'agent'

export interface CaseState {
  status: CaseStatus
  agentId?: string
}

export type CaseAction =
  | { type: 'claim'; agentId: string }
  | { type: 'return'; agentId: string }
  | { type: 'close'; agentId: string }
  | { type: 'expire' }
  | { type: 'leave-message' }
  | { type: 'cancel' }
  | { type: 'accepted'; agentId: string } // handoff.status from an external agent hub
  | { type: 'completed' }
  | { type: 'failed' }

export type TransitionResult =
  | { ok: true; state: CaseState; changed: boolean }
  | { ok: false; reason: 'claimed-by-another-agent' | 'not-your-case' | 'case-ended' | 'not-allowed' }

/** Cases that still hold the conversation (the bot stays silent or says "you're in the queue"). */
export const OPEN_STATUSES: readonly CaseStatus[] = ['waiting', 'claimed']

export function ownerOf(state: CaseState | undefined): Owner {
  if (state?.status === 'waiting') return 'waiting'
  if (state?.status === 'claimed') return 'agent'
  return 'bot'
}

const ENDED: readonly CaseStatus[] = ['returned', 'closed', 'message-left', 'cancelled']

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
      return { ok: false, reason: 'case-ended' }
    case 'return':
    case 'close': {
      const target: CaseStatus = action.type === 'return' ? 'returned' : 'closed'
      if (state.status === target) return same(state)
      if (state.status === 'claimed' && state.agentId !== action.agentId) return { ok: false, reason: 'not-your-case' }
      if (state.status === 'claimed' || (action.type === 'close' && ['waiting', 'expired', 'message-left'].includes(state.status))) {
        return to({ status: target, agentId: state.agentId ?? action.agentId })
      }
      return { ok: false, reason: ENDED.includes(state.status) ? 'case-ended' : 'not-allowed' }
    }
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
