import type { HandoffPacket } from '../../core/handoff.js'
import { OPEN_STATUSES, transition, type CaseAction, type CaseStatus, type TransitionResult } from '../../core/handoffCase.js'
import type { CaseDetails, CaseEvent, CaseQuery, HandoffCase, HandoffCases } from '../../core/ports.js'
import { caseSearchWhere, ENDED_CASES_BEFORE, mergeDetails, newCaseId, searchTextOf, statusEvent, toCase, transitionColumns, toCaseEvent, type CaseEventRow, type CaseRow } from '../rows.js'
import { statementCache, type Db } from './database.js'

/** Handoff cases in the SQLite file; every change is one transaction through core/handoffCase's rules. */
export class SqliteHandoffCases implements HandoffCases {
  private readonly sql: ReturnType<typeof statementCache>
  /**
   * Conversations known to have no open case: every user message asks (is the bot or an agent to answer?), and
   * almost always there is none. Exact because every write to cases goes through this class (this process is the
   * file's only writer): each write forgets them all. Bounded.
   */
  private readonly noneOpen = new Set<string>()

  constructor(private readonly db: Db) {
    this.sql = statementCache(db)
  }

  async deleteEndedBefore(before: number): Promise<number> {
    this.noneOpen.clear()
    const limit = new Date(before).toISOString()
    return this.db.transaction(() => {
      this.sql(`DELETE FROM case_events WHERE case_id IN (${ENDED_CASES_BEFORE('?')})`).run(limit)
      return this.sql(`DELETE FROM handoff_requests WHERE id IN (${ENDED_CASES_BEFORE('?')})`).run(limit).changes
    })()
  }

  async create(packet: HandoffPacket, reference: object, status: 'waiting' | 'expired' = 'waiting'): Promise<HandoffCase> {
    this.noneOpen.clear()
    return this.db.transaction(() => {
      const open = this.openNow(packet.channelId, packet.conversationId)
      if (open) return open
      const id = newCaseId()
      this.sql(
        'INSERT INTO handoff_requests (id, conversation_id, channel_id, reason, status, packet, reference, created_at, updated_at, details, search_text) ' +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)",
      ).run(
        id,
        packet.conversationId,
        packet.channelId,
        packet.reason,
        status,
        JSON.stringify(packet),
        JSON.stringify(reference),
        packet.requestedAt,
        packet.requestedAt,
        searchTextOf({ id, packet, details: {} }),
      )
      this.addEventNow(id, { kind: 'opened', data: { status, reason: packet.reason } }, packet.requestedAt)
      return this.getNow(id)!
    })()
  }

  async get(id: string): Promise<HandoffCase | undefined> {
    return this.getNow(id)
  }

  async openFor(channelId: string, conversationId: string): Promise<HandoffCase | undefined> {
    const key = `${channelId}\n${conversationId}`
    if (this.noneOpen.has(key)) return undefined
    const open = this.openNow(channelId, conversationId)
    if (!open) {
      if (this.noneOpen.size >= 100_000) this.noneOpen.clear()
      this.noneOpen.add(key)
    }
    return open
  }

  async apply(id: string, action: CaseAction, { leftMessage }: { leftMessage?: string } = {}): Promise<TransitionResult & { case?: HandoffCase; previous?: CaseStatus }> {
    this.noneOpen.clear()
    return this.db.transaction(() => {
      const current = this.getNow(id)
      if (!current) return { ok: false as const, reason: 'not-allowed' as const }
      const result = transition({ status: current.status, agentId: current.agentId }, action)
      if (!result.ok || !result.changed) return { ...result, case: current, previous: current.status }
      const at = new Date().toISOString()
      this.sql(
        'UPDATE handoff_requests SET status = ?, agent_id = ?, packet = ?, updated_at = ?, search_text = ?, closing_reason = COALESCE(?, closing_reason) WHERE id = ?',
      ).run(...transitionColumns(current, result.state, at, leftMessage), id)
      this.addEventNow(id, statusEvent(current.status, result.state.status, action), at)
      return { ...result, case: this.getNow(id), previous: current.status }
    })()
  }

  async setDetails(id: string, patch: Partial<CaseDetails>): Promise<HandoffCase | undefined> {
    this.noneOpen.clear()
    return this.db.transaction(() => {
      const current = this.getNow(id)
      if (!current) return undefined
      const details = mergeDetails(current.details, patch)
      this.sql('UPDATE handoff_requests SET details = ?, search_text = ? WHERE id = ?').run(JSON.stringify(details), searchTextOf({ ...current, details }), id)
      return this.getNow(id)
    })()
  }

  async addEvent(caseId: string, event: Omit<CaseEvent, 'id' | 'caseId' | 'at'>): Promise<CaseEvent> {
    this.noneOpen.clear()
    return this.addEventNow(caseId, event, new Date().toISOString())
  }

  async events(caseId: string, limit = 1000): Promise<CaseEvent[]> {
    return this.sql<[string, number], CaseEventRow>('SELECT * FROM case_events WHERE case_id = ? ORDER BY id LIMIT ?').all(caseId, limit).map(toCaseEvent)
  }

  async search(query: CaseQuery): Promise<HandoffCase[]> {
    const { where, params } = caseSearchWhere(query, () => '?')
    return this.sql<unknown[], CaseRow>(`SELECT * FROM handoff_requests ${where} ORDER BY created_at DESC LIMIT ?`)
      .all(...params, query.limit)
      .map(toCase)
  }

  private addEventNow(caseId: string, { kind, agentId, data }: Omit<CaseEvent, 'id' | 'caseId' | 'at'>, at: string): CaseEvent {
    const { lastInsertRowid } = this.sql('INSERT INTO case_events (case_id, at, kind, agent_id, data) VALUES (?, ?, ?, ?, ?)').run(
      caseId,
      at,
      kind,
      agentId ?? null,
      JSON.stringify(data),
    )
    return { id: Number(lastInsertRowid), caseId, at, kind, ...(agentId && { agentId }), data }
  }

  async setAgentsThread(id: string, thread: string): Promise<void> {
    this.noneOpen.clear()
    this.sql('UPDATE handoff_requests SET agents_thread = ? WHERE id = ?').run(thread, id)
  }

  async byAgentsThread(thread: string): Promise<HandoffCase | undefined> {
    const row = this.sql<[string], CaseRow>('SELECT * FROM handoff_requests WHERE agents_thread = ? ORDER BY created_at DESC LIMIT 1').get(thread)
    return row ? toCase(row) : undefined
  }

  async setAgentName(agentId: string, name: string): Promise<void> {
    this.noneOpen.clear()
    this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(`agent-name:${agentId}`, name)
  }

  async agentName(agentId: string): Promise<string | undefined> {
    return this.sql<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(`agent-name:${agentId}`)?.value
  }

  async list(statuses: readonly CaseStatus[]): Promise<HandoffCase[]> {
    const placeholders = statuses.map(() => '?').join(', ')
    return this.sql<string[], CaseRow>(`SELECT * FROM handoff_requests WHERE status IN (${placeholders}) ORDER BY created_at`)
      .all(...statuses)
      .map(toCase)
  }

  private getNow(id: string): HandoffCase | undefined {
    const row = this.sql<[string], CaseRow>('SELECT * FROM handoff_requests WHERE id = ?').get(id)
    return row ? toCase(row) : undefined
  }

  private openNow(channelId: string, conversationId: string): HandoffCase | undefined {
    const placeholders = OPEN_STATUSES.map(() => '?').join(', ')
    const row = this.sql<string[], CaseRow>(
      `SELECT * FROM handoff_requests WHERE channel_id = ? AND conversation_id = ? AND status IN (${placeholders}) ORDER BY created_at DESC LIMIT 1`,
    ).get(channelId, conversationId, ...OPEN_STATUSES)
    return row ? toCase(row) : undefined
  }
}
