import { closingReason } from '../core/analytics.js'
import { describeContact, type Contact } from '../core/contact.js'
import type { CaseStatus } from '../core/handoffCase.js'
import type { CaseEvent, HandoffCase } from '../core/ports.js'
import type { Delivery } from '../handoff/service.js'

/** A status as agents read it. */
export const STATUS_LABELS: Record<CaseStatus, string> = {
  waiting: 'Waiting',
  claimed: 'With an agent',
  expired: 'Nobody answered in time',
  'message-left': 'Message left',
  answered: 'Message answered',
  returned: 'Back with the bot',
  closed: 'Closed',
  cancelled: 'Cancelled by the user',
}

/** One line of a case's history as the console shows it: when, what kind, who, and a sentence. */
export interface HistoryLine {
  at: string
  kind: string
  agentName?: string
  text: string
}

/** Whether an answer reached the user, as one sentence for the agent (with how else to reach them when it did not). */
export function explainDelivery(delivery: Delivery, handoffCase: Pick<HandoffCase, 'channelId' | 'details'>): string {
  if (delivery.delivered) {
    if (handoffCase.channelId === 'webchat') return "Delivered to the user's chat on the help page: they see it when they come back to the page."
    if (handoffCase.channelId === 'msteams') return 'Delivered to the user in Microsoft Teams.'
    return "Delivered to the user's chat."
  }
  const contact = handoffCase.details.contact
  const other = contact && contact.kind !== 'chat' ? `Reach them yourself: ${describeContact(contact)}.` : 'They left no other way to reach them.'
  const why = delivery.why === 'chat-ended' ? "the user's chat has ended" : 'their channel did not take it'
  return `Not delivered: ${why}. ${other}`
}

const ACTIONS: Record<string, (agent: string) => string> = {
  claim: (agent) => `Claimed by ${agent}.`,
  accepted: () => 'Taken by an agent hub.',
  return: (agent) => `Sent back to the bot by ${agent}.`,
  completed: () => 'Handed back to the bot by the agent hub.',
  close: (agent) => `Closed by ${agent}.`,
  expire: () => 'Nobody claimed it in time: the user was asked to leave a message.',
  failed: () => 'The agent hub could not take it: the user was asked to leave a message.',
  'leave-message': () => 'The user left a message.',
  cancel: () => 'Cancelled by the user, who went back to the bot.',
}

/**
 * A case's history in sentences: opened, every status change, the contact given, each answer (and whether it reached
 * the user), each private note. An answer's own line says who answered, so its status change is not repeated.
 */
export function historyLines(events: readonly CaseEvent[], handoffCase: Pick<HandoffCase, 'channelId' | 'details'>, nameOf: (agentId: string) => string): HistoryLine[] {
  const lines: HistoryLine[] = []
  for (const event of events) {
    const agentName = event.agentId ? nameOf(event.agentId) : undefined
    const text = sentenceOf(event, agentName ?? 'an agent', handoffCase, nameOf)
    if (text) lines.push({ at: event.at, kind: event.kind, ...(agentName && { agentName }), text })
  }
  return lines
}

function sentenceOf(
  event: CaseEvent,
  agent: string,
  handoffCase: Pick<HandoffCase, 'channelId' | 'details'>,
  nameOf: (agentId: string) => string,
): string | undefined {
  const data = event.data
  switch (event.kind) {
    case 'opened':
      return data.status === 'expired' ? 'Opened outside help-desk hours: the user was asked to leave a message.' : 'Opened: waiting for an agent.'
    case 'status':
      if (data.action === 'answer') return undefined
      if (data.action === 'close' && typeof data.reason === 'string') return `Closed by ${agent}: ${closingReason(data.reason)}.`
      if (data.action === 'transfer') {
        return typeof data.toAgent === 'string' ? `Passed by ${agent} to ${nameOf(data.toAgent)}.` : `Passed by ${agent} back to the queue.`
      }
      return ACTIONS[String(data.action)]?.(agent) ?? `Now: ${STATUS_LABELS[data.to as CaseStatus] ?? String(data.to)}.`
    case 'contact':
      return data.kind === 'chat' ? 'The user will check back in the chat for an answer.' : `The user gave a contact: ${describeContact(data as Contact)}.`
    case 'answer':
      return `${agent} answered: "${String(data.text)}" ${explainDelivery(data as unknown as Delivery, handoffCase)}`
    case 'note':
      return `Private note by ${agent}: ${String(data.text)}`
    default:
      return undefined // kinds other parts of the desk add show in their own views
  }
}
