import type { HandoffPacket } from '../../core/handoff.js'
import { OPEN_STATUSES, transition, type CaseAction, type CaseStatus, type TransitionResult } from '../../core/handoffCase.js'
import type {
  ActivityJson,
  ActivityLog,
  AgentSessions,
  AppendedActivity,
  CaseDetails,
  CaseEvent,
  CaseQuery,
  ConsoleEventLog,
  ConversationStateStore,
  HandoffCase,
  HandoffCases,
  RecentConversation,
  Settings,
  TranscriptLog,
} from '../../core/ports.js'
import {
  activityId,
  caseSearchWhere,
  ENDED_CASES_BEFORE,
  clientActivityIdOf,
  CONSOLE_EVENTS_KEPT_MS,
  mergeDetails,
  newCaseId,
  searchTextOf,
  stateConflict,
  statusEvent,
  toCase,
  toCaseEvent,
  transitionColumns,
  type CaseEventRow,
  type CaseRow,
} from '../rows.js'
import type { Pg } from './database.js'

/** Conversation state in PostgreSQL: the version check is in the UPDATE's WHERE, so it holds across instances. */
export class PgStateStore implements ConversationStateStore {
  constructor(private readonly db: Pg) {}

  async deleteIdleBefore(before: number): Promise<number> {
    const rows = await this.db.query('DELETE FROM state WHERE updated_at < $1 RETURNING key', [new Date(before)])
    return rows.length
  }

  async load(key: string): Promise<{ json: string; version: number } | undefined> {
    const [row] = await this.db.query<{ doc: string; version: string }>('SELECT doc, version FROM state WHERE key = $1', [key])
    return row ? { json: row.doc, version: Number(row.version) } : undefined
  }

  async save(key: string, json: string, expected: number | '*'): Promise<number> {
    const rows =
      expected === '*'
        ? await this.db.query<{ version: string }>(
            'INSERT INTO state (key, doc, version) VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc, version = state.version + 1, updated_at = now() RETURNING version',
            [key, json],
          )
        : expected === 0
          ? await this.db.query<{ version: string }>('INSERT INTO state (key, doc, version) VALUES ($1, $2, 1) ON CONFLICT (key) DO NOTHING RETURNING version', [key, json])
          : await this.db.query<{ version: string }>(
              'UPDATE state SET doc = $2, version = version + 1, updated_at = now() WHERE key = $1 AND version = $3 RETURNING version',
              [key, json, expected],
            )
    if (rows[0]) return Number(rows[0].version)
    throw stateConflict(key, expected, (await this.load(key))?.version ?? 0)
  }

  async delete(key: string): Promise<void> {
    await this.db.query('DELETE FROM state WHERE key = $1', [key])
  }
}

/** The Direct Line log in PostgreSQL: the conversation row's counter hands out watermarks under its row lock. */
export class PgActivityLog implements ActivityLog {
  constructor(private readonly db: Pg) {}

  async deleteIdleBefore(before: number): Promise<number> {
    // A conversation is idle when neither it nor any of its activities is newer than the limit.
    const idle = 'SELECT c.id FROM dl_conversations c WHERE c.created_at < $1 AND NOT EXISTS (SELECT 1 FROM dl_activities a WHERE a.conversation_id = c.id AND a.created_at >= $1)'
    return this.db.transaction(async () => {
      await this.db.query(`DELETE FROM dl_activities WHERE conversation_id IN (${idle})`, [new Date(before)])
      return (await this.db.query(`DELETE FROM dl_conversations WHERE id IN (${idle}) RETURNING id`, [new Date(before)])).length
    })
  }

  async createConversation(id: string, userId: string): Promise<void> {
    await this.db.query('INSERT INTO dl_conversations (id, user_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, userId])
  }

  async conversation(id: string): Promise<{ id: string; userId: string; createdAt?: string } | undefined> {
    const [row] = await this.db.query<{ id: string; user_id: string; created_at: Date }>('SELECT id, user_id, created_at FROM dl_conversations WHERE id = $1', [id])
    return row ? { id: row.id, userId: row.user_id, createdAt: row.created_at.toISOString() } : undefined
  }

  async append(conversationId: string, activities: readonly object[]): Promise<AppendedActivity[]> {
    if (activities.length === 0) return []
    // Numbers and rows in one transaction: a reader never sees number n+1 before n is there.
    return this.db.transaction(async () => {
      const [counter] = await this.db.query<{ last_seq: string }>(
        "INSERT INTO dl_conversations (id, user_id, last_seq) VALUES ($1, '', $2) " +
          'ON CONFLICT (id) DO UPDATE SET last_seq = dl_conversations.last_seq + $2 RETURNING last_seq',
        [conversationId, activities.length],
      )
      const first = Number(counter!.last_seq) - activities.length + 1
      const appended = activities.map((activity, i) => {
        const id = activityId(conversationId, first + i)
        return { id, watermark: first + i, json: JSON.stringify({ ...activity, id }), clientId: clientActivityIdOf(activity) ?? null }
      })
      await this.db.query(
        'INSERT INTO dl_activities (conversation_id, seq, activity, client_activity_id) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[])',
        [conversationId, appended.map((a) => a.watermark), appended.map((a) => a.json), appended.map((a) => a.clientId)],
      )
      return appended.map(({ id, watermark, json }) => ({ id, watermark, json }))
    })
  }

  async findByClientId(conversationId: string, clientActivityId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ seq: string }>(
      'SELECT seq FROM dl_activities WHERE conversation_id = $1 AND client_activity_id = $2 ORDER BY seq LIMIT 1',
      [conversationId, clientActivityId],
    )
    return row ? activityId(conversationId, Number(row.seq)) : undefined
  }

  async after(conversationId: string, watermark: number, limit = 500): Promise<{ activities: ActivityJson[]; watermark: number }> {
    const rows = await this.db.query<{ seq: string; activity: string }>(
      'SELECT seq, activity FROM dl_activities WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [conversationId, watermark, limit],
    )
    return {
      activities: rows.map((r) => JSON.parse(r.activity) as ActivityJson),
      watermark: rows.length > 0 ? Number(rows.at(-1)!.seq) : Math.max(watermark, 0),
    }
  }

  async lastWatermark(conversationId: string): Promise<number> {
    const [row] = await this.db.query<{ last_seq: string }>('SELECT last_seq FROM dl_conversations WHERE id = $1', [conversationId])
    return Number(row?.last_seq ?? 0)
  }

  /** Every append is committed by the time it resolves (or with its turn's transaction). */
  async committed(): Promise<void> {}
}

export class PgTranscriptLog implements TranscriptLog {
  constructor(private readonly db: Pg) {}

  async log({ channelId, conversationId, at, activity }: { channelId: string; conversationId: string; at: string; activity: object }): Promise<void> {
    await this.db.query('INSERT INTO transcripts (channel_id, conversation_id, activity, at) VALUES ($1, $2, $3, $4)', [
      channelId,
      conversationId,
      JSON.stringify(activity),
      at,
    ])
  }

  async page(channelId: string, conversationId: string, cursor: number, limit: number): Promise<{ activities: ActivityJson[]; cursor: number }> {
    const rows = await this.db.query<{ id: string; activity: string }>(
      'SELECT id, activity FROM transcripts WHERE channel_id = $1 AND conversation_id = $2 AND id > $3 ORDER BY id LIMIT $4',
      [channelId, conversationId, cursor, limit],
    )
    return { activities: rows.map((r) => JSON.parse(r.activity) as ActivityJson), cursor: rows.length > 0 ? Number(rows.at(-1)!.id) : cursor }
  }

  async conversations(channelId: string): Promise<{ conversationId: string; created: string }[]> {
    const rows = await this.db.query<{ conversation_id: string; created: string }>(
      'SELECT conversation_id, MIN(at) AS created FROM transcripts WHERE channel_id = $1 GROUP BY conversation_id',
      [channelId],
    )
    return rows.map((r) => ({ conversationId: r.conversation_id, created: r.created }))
  }

  async recent(limit: number): Promise<RecentConversation[]> {
    const rows = await this.db.query<{ channel_id: string; conversation_id: string; started: string; last: string; n: string }>(
      'SELECT channel_id, conversation_id, MIN(at) AS started, MAX(at) AS last, COUNT(*) AS n FROM transcripts ' +
        'GROUP BY channel_id, conversation_id ORDER BY MAX(id) DESC LIMIT $1',
      [limit],
    )
    return rows.map((r) => ({ channelId: r.channel_id, conversationId: r.conversation_id, started: r.started, last: r.last, activities: Number(r.n) }))
  }

  async delete(channelId: string, conversationId: string): Promise<void> {
    await this.db.query('DELETE FROM transcripts WHERE channel_id = $1 AND conversation_id = $2', [channelId, conversationId])
  }
}

/** Handoff cases in PostgreSQL: a change locks its row (two agents claiming one case: the second sees it taken). */
export class PgHandoffCases implements HandoffCases {
  constructor(private readonly db: Pg) {}

  async deleteEndedBefore(before: number): Promise<number> {
    const limit = new Date(before).toISOString()
    return this.db.transaction(async () => {
      await this.db.query(`DELETE FROM case_events WHERE case_id IN (${ENDED_CASES_BEFORE('$1')})`, [limit])
      return (await this.db.query(`DELETE FROM handoff_requests WHERE id IN (${ENDED_CASES_BEFORE('$1')}) RETURNING id`, [limit])).length
    })
  }

  async create(packet: HandoffPacket, reference: object, status: 'waiting' | 'expired' = 'waiting'): Promise<HandoffCase> {
    // The partial unique index keeps one open case per conversation, whichever instance asks first.
    const id = newCaseId()
    const inserted = await this.db.transaction(async () => {
      const rows = await this.db.query<{ id: string }>(
        'INSERT INTO handoff_requests (id, conversation_id, channel_id, reason, status, packet, reference, created_at, updated_at, details, search_text) ' +
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, '{}', $9) ON CONFLICT DO NOTHING RETURNING id",
        [id, packet.conversationId, packet.channelId, packet.reason, status, JSON.stringify(packet), JSON.stringify(reference), packet.requestedAt, searchTextOf({ id, packet, details: {} })],
      )
      if (rows.length > 0) await this.insertEvent(id, { kind: 'opened', data: { status, reason: packet.reason } }, packet.requestedAt)
      return rows.length > 0
    })
    const open = await (inserted ? this.get(id) : this.openFor(packet.channelId, packet.conversationId))
    if (open) return open
    // An expired case is open too, so only a lost race on the id itself gets here: try once more with a new id.
    return this.create(packet, reference, status)
  }

  async get(id: string): Promise<HandoffCase | undefined> {
    const [row] = await this.db.query<CaseRow>('SELECT * FROM handoff_requests WHERE id = $1', [id])
    return row ? toCase(row) : undefined
  }

  async openFor(channelId: string, conversationId: string): Promise<HandoffCase | undefined> {
    const [row] = await this.db.query<CaseRow>(
      'SELECT * FROM handoff_requests WHERE channel_id = $1 AND conversation_id = $2 AND status = ANY($3) ORDER BY created_at DESC LIMIT 1',
      [channelId, conversationId, OPEN_STATUSES],
    )
    return row ? toCase(row) : undefined
  }

  async apply(id: string, action: CaseAction, { leftMessage }: { leftMessage?: string } = {}): Promise<TransitionResult & { case?: HandoffCase; previous?: CaseStatus }> {
    return this.db.transaction(async () => {
      const [row] = await this.db.query<CaseRow>('SELECT * FROM handoff_requests WHERE id = $1 FOR UPDATE', [id])
      if (!row) return { ok: false as const, reason: 'not-allowed' as const }
      const current = toCase(row)
      const result = transition({ status: current.status, agentId: current.agentId }, action)
      if (!result.ok || !result.changed) return { ...result, case: current, previous: current.status }
      const at = new Date().toISOString()
      const [updated] = await this.db.query<CaseRow>(
        'UPDATE handoff_requests SET status = $2, agent_id = $3, packet = $4, updated_at = $5, search_text = $6, closing_reason = COALESCE($7, closing_reason) WHERE id = $1 RETURNING *',
        [id, ...transitionColumns(current, result.state, at, leftMessage)],
      )
      await this.insertEvent(id, statusEvent(current.status, result.state.status, action), at)
      return { ...result, case: toCase(updated!), previous: current.status }
    })
  }

  async setDetails(id: string, patch: Partial<CaseDetails>): Promise<HandoffCase | undefined> {
    return this.db.transaction(async () => {
      const [row] = await this.db.query<CaseRow>('SELECT * FROM handoff_requests WHERE id = $1 FOR UPDATE', [id])
      if (!row) return undefined
      const current = toCase(row)
      const details = mergeDetails(current.details, patch)
      const [updated] = await this.db.query<CaseRow>('UPDATE handoff_requests SET details = $2, search_text = $3 WHERE id = $1 RETURNING *', [
        id,
        JSON.stringify(details),
        searchTextOf({ ...current, details }),
      ])
      return toCase(updated!)
    })
  }

  async addEvent(caseId: string, event: Omit<CaseEvent, 'id' | 'caseId' | 'at'>): Promise<CaseEvent> {
    return this.insertEvent(caseId, event, new Date().toISOString())
  }

  async events(caseId: string, limit = 1000): Promise<CaseEvent[]> {
    const rows = await this.db.query<CaseEventRow>('SELECT * FROM case_events WHERE case_id = $1 ORDER BY id LIMIT $2', [caseId, limit])
    return rows.map(toCaseEvent)
  }

  async search(query: CaseQuery): Promise<HandoffCase[]> {
    const { where, params } = caseSearchWhere(query, (n) => `$${n}`)
    const rows = await this.db.query<CaseRow>(`SELECT * FROM handoff_requests ${where} ORDER BY created_at DESC LIMIT $${params.length + 1}`, [...params, query.limit])
    return rows.map(toCase)
  }

  private async insertEvent(caseId: string, { kind, agentId, data }: Omit<CaseEvent, 'id' | 'caseId' | 'at'>, at: string): Promise<CaseEvent> {
    const [row] = await this.db.query<CaseEventRow>('INSERT INTO case_events (case_id, at, kind, agent_id, data) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
      caseId,
      at,
      kind,
      agentId ?? null,
      JSON.stringify(data),
    ])
    return toCaseEvent(row!)
  }

  async setAgentsThread(id: string, thread: string): Promise<void> {
    await this.db.query('UPDATE handoff_requests SET agents_thread = $2 WHERE id = $1', [id, thread])
  }

  async byAgentsThread(thread: string): Promise<HandoffCase | undefined> {
    const [row] = await this.db.query<CaseRow>('SELECT * FROM handoff_requests WHERE agents_thread = $1 ORDER BY created_at DESC LIMIT 1', [thread])
    return row ? toCase(row) : undefined
  }

  async setAgentName(agentId: string, name: string): Promise<void> {
    await this.db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [`agent-name:${agentId}`, name])
  }

  async agentName(agentId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [`agent-name:${agentId}`])
    return row?.value
  }

  async list(statuses: readonly CaseStatus[]): Promise<HandoffCase[]> {
    const rows = await this.db.query<CaseRow>('SELECT * FROM handoff_requests WHERE status = ANY($1) ORDER BY created_at', [statuses])
    return rows.map(toCase)
  }
}

export class PgAgentSessions implements AgentSessions {
  constructor(private readonly db: Pg) {}

  async create(id: string, username: string, expiresAt: number): Promise<void> {
    await this.db.query('INSERT INTO agent_sessions (id, username, expires_at) VALUES ($1, $2, $3)', [id, username, expiresAt])
    await this.db.query('DELETE FROM agent_sessions WHERE expires_at < $1', [Date.now()])
  }

  async find(id: string, now = Date.now()): Promise<{ username: string; expiresAt: number } | undefined> {
    const [row] = await this.db.query<{ username: string; expires_at: string }>('SELECT username, expires_at FROM agent_sessions WHERE id = $1', [id])
    return row && Number(row.expires_at) >= now ? { username: row.username, expiresAt: Number(row.expires_at) } : undefined
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM agent_sessions WHERE id = $1', [id])
  }

  async signedIn(now = Date.now()): Promise<string[]> {
    const rows = await this.db.query<{ username: string }>('SELECT DISTINCT username FROM agent_sessions WHERE expires_at >= $1 ORDER BY username', [now])
    return rows.map((r) => r.username)
  }
}

export class PgSettings implements Settings {
  constructor(private readonly db: Pg) {}

  async getOrCreate(key: string, create: () => string): Promise<string> {
    await this.db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()])
    const [row] = await this.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])
    return row!.value
  }
}

/** The agent console's events in PostgreSQL. */
export class PgConsoleEvents implements ConsoleEventLog {
  private appended = 0

  constructor(private readonly db: Pg) {}

  async append(event: string, data: string): Promise<number> {
    if (++this.appended % 100 === 0) await this.db.query('DELETE FROM console_events WHERE at < $1', [Date.now() - CONSOLE_EVENTS_KEPT_MS])
    const [row] = await this.db.query<{ id: string }>('INSERT INTO console_events (event, data, at) VALUES ($1, $2, $3) RETURNING id', [event, data, Date.now()])
    return Number(row!.id)
  }

  async after(id: number, limit = 500): Promise<{ id: number; event: string; data: string }[]> {
    const rows = await this.db.query<{ id: string; event: string; data: string }>('SELECT id, event, data FROM console_events WHERE id > $1 ORDER BY id LIMIT $2', [id, limit])
    return rows.map((r) => ({ id: Number(r.id), event: r.event, data: r.data }))
  }
}
