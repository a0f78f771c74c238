import type { Activity } from 'botbuilder'
import type { Db } from '../database.js'

/** Direct Line conversations and their activities, numbered per conversation: the watermark is that number. */
export class DirectLineStore {
  private readonly insertConversation
  private readonly selectConversation
  private readonly insertActivity
  private readonly selectAfter
  private readonly lastSeq
  private readonly nextSeq = new Map<string, number>()

  constructor(db: Db) {
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
  }

  createConversation(id: string, userId: string): void {
    this.insertConversation.run(id, userId, new Date().toISOString())
  }

  conversation(id: string): { id: string; userId: string } | undefined {
    const row = this.selectConversation.get(id)
    return row ? { id: row.id, userId: row.user_id } : undefined
  }

  /** Stores an activity, giving it the conversation's next number as id suffix; returns it as stored. */
  append(conversationId: string, activity: Partial<Activity>): { activity: Partial<Activity>; seq: number } {
    const seq = this.next(conversationId)
    const stored = { ...activity, id: `${conversationId}|${String(seq).padStart(7, '0')}` }
    this.insertActivity.run(conversationId, seq, JSON.stringify(stored), new Date().toISOString())
    return { activity: stored, seq }
  }

  /** Activities after a watermark, oldest first, and the watermark to resume from. */
  after(conversationId: string, watermark: number, limit = 500): { activities: Partial<Activity>[]; watermark: number } {
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
