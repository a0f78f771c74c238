import { randomBytes } from 'node:crypto'
import type { HandoffPacket } from '../core/handoff.js'
import { OPEN_STATUSES, transition, type CaseAction, type CaseStatus, type TransitionResult } from '../core/handoffCase.js'
import { statementCache, type Db } from '../database.js'

/** A handoff request and where it stands. `reference` is the Bot Framework conversation reference of the user. */
export interface HandoffCase {
  id: string
  conversationId: string
  channelId: string
  status: CaseStatus
  agentId?: string
  packet: HandoffPacket
  reference: object
  createdAt: string
  updatedAt: string
  /** A message the user left when no agent was free. */
  leftMessage?: string
  /** The Teams agents' channel thread (its conversation id) where this case was announced. */
  agentsThread?: string
}

interface Row {
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
}

const toCase = (row: Row): HandoffCase => {
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
  }
}

/** Handoff cases in the database; every change goes through the rules of core/handoffCase in a transaction. */
export class HandoffStore {
  private readonly sql: ReturnType<typeof statementCache>

  constructor(private readonly db: Db) {
    this.sql = statementCache(db)
  }

  /** Opens a case, or returns the conversation's open one: asking twice never queues twice. */
  create(packet: HandoffPacket, reference: object, status: 'waiting' | 'expired' = 'waiting'): HandoffCase {
    return this.db.transaction(() => {
      const open = this.openFor(packet.channelId, packet.conversationId)
      if (open) return open
      const id = `HD-${randomBytes(4).toString('hex').toUpperCase()}`
      this.sql(
          'INSERT INTO handoff_requests (id, conversation_id, channel_id, reason, status, packet, reference, created_at, updated_at) ' +
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(id, packet.conversationId, packet.channelId, packet.reason, status, JSON.stringify(packet), JSON.stringify(reference), packet.requestedAt, packet.requestedAt)
      return this.get(id)!
    })()
  }

  get(id: string): HandoffCase | undefined {
    const row = this.sql<[string], Row>('SELECT * FROM handoff_requests WHERE id = ?').get(id)
    return row ? toCase(row) : undefined
  }

  /** The conversation's case that still holds it (waiting, with an agent, or taking a message), if any. */
  openFor(channelId: string, conversationId: string): HandoffCase | undefined {
    const placeholders = OPEN_STATUSES.map(() => '?').join(', ')
    const row = this.sql<string[], Row>(
      `SELECT * FROM handoff_requests WHERE channel_id = ? AND conversation_id = ? AND status IN (${placeholders}) ORDER BY created_at DESC LIMIT 1`,
    ).get(channelId, conversationId, ...OPEN_STATUSES)
    return row ? toCase(row) : undefined
  }

  /** Applies an action under the rules; the result says whether anything changed. */
  apply(id: string, action: CaseAction, { leftMessage }: { leftMessage?: string } = {}): TransitionResult & { case?: HandoffCase } {
    return this.db.transaction(() => {
      const current = this.get(id)
      if (!current) return { ok: false as const, reason: 'not-allowed' as const }
      const result = transition({ status: current.status, agentId: current.agentId }, action)
      if (!result.ok || !result.changed) return { ...result, case: current }
      const packet = leftMessage ? { ...current.packet, leftMessage } : current.packet
      this.sql('UPDATE handoff_requests SET status = ?, agent_id = ?, packet = ?, updated_at = ? WHERE id = ?').run(result.state.status, result.state.agentId ?? null, JSON.stringify(packet), new Date().toISOString(), id)
      return { ...result, case: this.get(id) }
    })()
  }

  /** Remembers the agents' channel thread a case was announced in. */
  setAgentsThread(id: string, thread: string): void {
    this.sql('UPDATE handoff_requests SET agents_thread = ? WHERE id = ?').run(thread, id)
  }

  /** The case announced in an agents' channel thread. */
  byAgentsThread(thread: string): HandoffCase | undefined {
    const row = this.sql<[string], Row>('SELECT * FROM handoff_requests WHERE agents_thread = ? ORDER BY created_at DESC LIMIT 1').get(thread)
    return row ? toCase(row) : undefined
  }

  /** Display names of agents who work from Teams (they have no console account). */
  setAgentName(agentId: string, name: string): void {
    this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`agent-name:${agentId}`, name)
  }

  agentName(agentId: string): string | undefined {
    return this.sql<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(`agent-name:${agentId}`)?.value
  }

  /** Cases by status, oldest first: the queue. */
  list(statuses: readonly CaseStatus[]): HandoffCase[] {
    const placeholders = statuses.map(() => '?').join(', ')
    return this.sql<string[], Row>(`SELECT * FROM handoff_requests WHERE status IN (${placeholders}) ORDER BY created_at`)
      .all(...statuses)
      .map(toCase)
  }

  /** Waiting cases, oldest first. */
  waiting(): HandoffCase[] {
    return this.list(['waiting'])
  }
}
