import type { ActivityJson, ActivityLog, AppendedActivity } from '../../core/ports.js'
import { activityId, clientActivityIdOf } from '../rows.js'
import type { Db, WriteBatch } from './database.js'

/**
 * Direct Line conversations and their activities in the SQLite file, numbered per conversation in memory (this
 * process is the file's only writer). Appends join the write batch; `committed()` says when they are on disk.
 */
export class SqliteActivityLog implements ActivityLog {
  private pending: { conversationId: string; seq: number; json: string; clientId: string | undefined }[] = []
  private readonly nextSeq = new Map<string, number>()

  private readonly insertConversation
  private readonly selectConversation
  private readonly insertActivity
  private readonly selectAfter
  private readonly lastSeq
  private readonly selectByClientId
  private readonly removeIdle

  constructor(
    db: Db,
    private readonly batch: WriteBatch,
  ) {
    this.insertConversation = db.prepare<[string, string, string]>(
      'INSERT OR IGNORE INTO dl_conversations (id, user_id, created_at) VALUES (?, ?, ?)',
    )
    this.selectConversation = db.prepare<[string], { id: string; user_id: string; created_at: string }>('SELECT id, user_id, created_at FROM dl_conversations WHERE id = ?')
    this.insertActivity = db.prepare<[string, number, string, string, string | null]>(
      'INSERT INTO dl_activities (conversation_id, seq, activity, created_at, client_activity_id) VALUES (?, ?, ?, ?, ?)',
    )
    this.selectAfter = db.prepare<[string, number, number], { seq: number; activity: string }>(
      'SELECT seq, activity FROM dl_activities WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    )
    this.lastSeq = db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM dl_activities WHERE conversation_id = ?')
    this.selectByClientId = db.prepare<[string, string], { seq: number }>(
      'SELECT seq FROM dl_activities WHERE conversation_id = ? AND client_activity_id = ? ORDER BY seq LIMIT 1',
    )
    // A conversation is idle when neither it nor any of its activities is newer than the limit.
    const idle = 'SELECT c.id FROM dl_conversations c WHERE c.created_at < ? AND NOT EXISTS (SELECT 1 FROM dl_activities a WHERE a.conversation_id = c.id AND a.created_at >= ?)'
    const activities = db.prepare<[string, string]>(`DELETE FROM dl_activities WHERE conversation_id IN (${idle})`)
    const conversations = db.prepare<[string, string]>(`DELETE FROM dl_conversations WHERE id IN (${idle})`)
    this.removeIdle = db.transaction((limit: string) => {
      activities.run(limit, limit)
      return conversations.run(limit, limit).changes
    })
    batch.add({ write: () => this.write() })
  }

  async createConversation(id: string, userId: string): Promise<void> {
    this.insertConversation.run(id, userId, new Date().toISOString())
  }

  async conversation(id: string): Promise<{ id: string; userId: string; createdAt?: string } | undefined> {
    const row = this.selectConversation.get(id)
    return row ? { id: row.id, userId: row.user_id, createdAt: row.created_at } : undefined
  }

  async append(conversationId: string, activities: readonly object[]): Promise<AppendedActivity[]> {
    const appended = activities.map((activity) => {
      const seq = this.next(conversationId)
      const id = activityId(conversationId, seq)
      const json = JSON.stringify({ ...activity, id })
      this.pending.push({ conversationId, seq, json, clientId: clientActivityIdOf(activity) })
      return { id, watermark: seq, json }
    })
    void this.batch.schedule().catch(() => {}) // a failed batch is logged by the batch and fails the turn
    return appended
  }

  async findByClientId(conversationId: string, clientActivityId: string): Promise<string | undefined> {
    const queued = this.pending.find((row) => row.conversationId === conversationId && row.clientId === clientActivityId)
    const seq = queued?.seq ?? this.selectByClientId.get(conversationId, clientActivityId)?.seq
    return seq === undefined ? undefined : activityId(conversationId, seq)
  }

  async after(conversationId: string, watermark: number, limit = 500): Promise<{ activities: ActivityJson[]; watermark: number }> {
    this.batch.flush() // a reader sees everything appended before it asked
    const rows = this.selectAfter.all(conversationId, watermark, limit)
    return {
      activities: rows.map((r) => JSON.parse(r.activity) as ActivityJson),
      watermark: rows.at(-1)?.seq ?? Math.max(watermark, 0),
    }
  }

  async lastWatermark(conversationId: string): Promise<number> {
    return this.nextSeq.get(conversationId) ?? this.lastSeq.get(conversationId)?.seq ?? 0
  }

  async deleteIdleBefore(before: number): Promise<number> {
    this.batch.flush()
    return this.removeIdle(new Date(before).toISOString())
  }

  committed(): Promise<void> {
    return this.batch.committed()
  }

  /** Inside the batch's transaction: inserts the queued activities. */
  private write(): void {
    const rows = this.pending
    if (rows.length === 0) return
    this.pending = [] // taken out first, as the batch asks
    const now = new Date().toISOString()
    for (const row of rows) this.insertActivity.run(row.conversationId, row.seq, row.json, now, row.clientId ?? null)
  }

  private next(conversationId: string): number {
    const last = this.nextSeq.get(conversationId) ?? this.lastSeq.get(conversationId)?.seq ?? 0
    this.nextSeq.set(conversationId, last + 1)
    return last + 1
  }
}
