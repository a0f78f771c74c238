import type { Activity } from 'botbuilder'
import type { Db, WriteBatch } from '../database.js'

/** Activities of one conversation just committed, as the JSON texts stored. */
type Committed = (conversationId: string, activities: readonly string[], watermark: number) => void

/**
 * Direct Line conversations and their activities, numbered per conversation: the watermark is that number.
 * Appends join the database's write batch (one transaction per event-loop turn) and only once it has committed
 * are they handed to `onCommitted` (the live streams), so a client never sees an activity the database does not hold.
 */
export class DirectLineStore {
  private pending: { conversationId: string; seq: number; json: string }[] = []
  onCommitted: Committed = () => {}

  private readonly insertConversation
  private readonly selectConversation
  private readonly insertActivity
  private readonly selectAfter
  private readonly lastSeq
  private readonly nextSeq = new Map<string, number>()

  constructor(
    db: Db,
    private readonly batch: WriteBatch,
  ) {
    this.insertConversation = db.prepare<[string, string, string]>(
      'INSERT OR IGNORE INTO dl_conversations (id, user_id, created_at) VALUES (?, ?, ?)',
    )
    this.selectConversation = db.prepare<[string], { id: string; user_id: string }>(
      'SELECT id, user_id FROM dl_conversations WHERE id = ?',
    )
    this.insertActivity = db.prepare<[string, number, string, string]>(
      'INSERT INTO dl_activities (conversation_id, seq, activity, created_at) VALUES (?, ?, ?, ?)',
    )
    this.selectAfter = db.prepare<[string, number, number], { seq: number; activity: string }>(
      'SELECT seq, activity FROM dl_activities WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    )
    this.lastSeq = db.prepare<[string], { seq: number | null }>(
      'SELECT MAX(seq) AS seq FROM dl_activities WHERE conversation_id = ?',
    )
    batch.add({ write: () => this.write() })
  }

  createConversation(id: string, userId: string): void {
    this.insertConversation.run(id, userId, new Date().toISOString())
  }

  conversation(id: string): { id: string; userId: string } | undefined {
    const row = this.selectConversation.get(id)
    return row ? { id: row.id, userId: row.user_id } : undefined
  }

  /** Queues an activity under the conversation's next number (its id suffix); `committed()` says when it is written. */
  append(conversationId: string, activity: Partial<Activity>): { activity: Partial<Activity>; seq: number } {
    const seq = this.next(conversationId)
    const stored = { ...activity, id: `${conversationId}|${String(seq).padStart(7, '0')}` }
    this.pending.push({ conversationId, seq, json: JSON.stringify(stored) })
    void this.batch.schedule().catch(() => {}) // a failed batch is logged by the batch and fails the turn's POST
    return { activity: stored, seq }
  }

  /** Resolves once everything appended so far is in the database (and streamed). */
  committed(): Promise<void> {
    return this.batch.committed()
  }

  /** Inside the batch's transaction: inserts the queued activities; once committed, streams them per conversation. */
  private write(): (() => void) | void {
    const rows = this.pending
    if (rows.length === 0) return
    this.pending = []
    const now = new Date().toISOString()
    for (const row of rows) this.insertActivity.run(row.conversationId, row.seq, row.json, now)
    return () => {
      const byConversation = new Map<string, typeof rows>()
      for (const row of rows) {
        const mine = byConversation.get(row.conversationId)
        if (mine) mine.push(row)
        else byConversation.set(row.conversationId, [row])
      }
      for (const [conversationId, mine] of byConversation) {
        this.onCommitted(conversationId, mine.map((r) => r.json), mine.at(-1)!.seq)
      }
    }
  }

  /** Activities after a watermark, oldest first, and the watermark to resume from. */
  after(conversationId: string, watermark: number, limit = 500): { activities: Partial<Activity>[]; watermark: number } {
    this.batch.flush() // a reader sees everything appended before it asked
    const rows = this.selectAfter.all(conversationId, watermark, limit)
    return {
      activities: rows.map((r) => JSON.parse(r.activity) as Partial<Activity>),
      watermark: rows.at(-1)?.seq ?? Math.max(watermark, 0),
    }
  }

  /** The watermark of the newest activity (0 when there is none). */
  lastWatermark(conversationId: string): number {
    return this.nextSeq.get(conversationId) ?? this.lastSeq.get(conversationId)?.seq ?? 0
  }

  private next(conversationId: string): number {
    const last = this.nextSeq.get(conversationId) ?? this.lastSeq.get(conversationId)?.seq ?? 0
    this.nextSeq.set(conversationId, last + 1)
    return last + 1
  }
}
