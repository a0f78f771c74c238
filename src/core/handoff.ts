/** One thing the bot tried with the user, for the agent who takes over. */
export interface TrailEntry {
  procedureId: string
  stepId: string
  question?: string
  answer?: string
  at: string
}

/** What a help-desk agent sees when a conversation is handed over. Holds redacted text only. */
export interface HandoffPacket {
  conversationId: string
  channelId: string
  question?: string
  intentId?: string
  errorMessages: string[]
  browser?: string
  os?: string
  /** What the user told the bot about their situation (branch, PIN known, card registered...) and what they had already tried. */
  facts?: Record<string, string>
  trail: TrailEntry[]
  summary: string
  reason: 'asked-for-human' | 'procedure-escalated' | 'out-of-scope' | 'unclear-answers'
  requestedAt: string
}

/** Where handoff requests go: the queue agents work from. `reference` is how to reach the user again. */
export interface HandoffQueue {
  /** Whether anyone can take a chat here (agent accounts or a Teams agents' channel); if not, the bot says so instead of queueing. */
  readonly staffed: boolean
  /** Queues the case; outside help-desk hours `queued` is false, `hours` says when the desk is open, and the user can leave a message. */
  request(packet: HandoffPacket, reference: object): Promise<{ id: string; queued: boolean; hours?: string }>
  /** The conversation so far, redacted, as stored activities (for the handoff event's transcript). */
  transcript(channelId: string, conversationId: string): Promise<object[]>
}

/** A one-paragraph summary an agent can read at a glance. */
export function summarise(packet: Omit<HandoffPacket, 'summary'>): string {
  const parts = [`Reason: ${packet.reason}.`]
  if (packet.intentId) parts.push(`Problem: ${packet.intentId}.`)
  if (packet.errorMessages.length > 0) parts.push(`Error: "${packet.errorMessages.join('", "')}".`)
  if (packet.browser || packet.os) parts.push(`On: ${[packet.browser, packet.os].filter(Boolean).join(', ')}.`)
  const facts = Object.entries(packet.facts ?? {}).filter(([key]) => key !== 'browser' && key !== 'os')
  if (facts.length > 0) parts.push(`Known: ${facts.map(([key, value]) => `${key} ${value}`).join(', ')}.`)
  if (packet.trail.length > 0) {
    parts.push(
      `Tried: ${packet.trail.map((t) => `${t.procedureId}/${t.stepId}${t.answer ? ` → ${t.answer}` : ''}`).join('; ')}.`,
    )
  }
  return parts.join(' ')
}
