import type { ConversationStateStore } from '../../core/ports.js'
import { stateConflict } from '../rows.js'
import type { Db, WriteBatch } from './database.js'

/**
 * Conversation state in the SQLite file. Saves join the write batch (one transaction per event-loop turn); the
 * version is checked when the save is queued, which is exact because this process is the file's only writer.
 */
export class SqliteStateStore implements ConversationStateStore {
  private readonly select
  private readonly selectVersion
  private readonly upsert
  private readonly remove
  private readonly removeIdle
  /** Documents saved this event-loop turn and not yet written (key → JSON and version). */
  private readonly pending = new Map<string, { json: string; version: number }>()
  /**
   * The committed version of documents this process has read or written, so a save need not read it back (two
   * queries a turn); exact because this process is the file's only writer. Set only once a write has committed.
   * Bounded.
   */
  private readonly versions = new Map<string, number>()

  constructor(
    db: Db,
    private readonly batch: WriteBatch,
  ) {
    this.select = db.prepare<[string], { doc: string; version: number }>('SELECT doc, version FROM state WHERE key = ?')
    this.selectVersion = db.prepare<[string], { version: number }>('SELECT version FROM state WHERE key = ?') // a save needs no document
    this.upsert = db.prepare<[string, string, string, number, string]>(
      'INSERT INTO state (key, doc, etag, version, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET doc = excluded.doc, etag = excluded.etag, version = excluded.version, updated_at = excluded.updated_at',
    )
    this.remove = db.prepare<[string]>('DELETE FROM state WHERE key = ?')
    this.removeIdle = db.prepare<[string]>('DELETE FROM state WHERE updated_at < ?')
    batch.add({
      write: () => {
        const rows = [...this.pending]
        this.pending.clear() // taken out first: a batch that fails must not fail every batch after it
        const now = new Date().toISOString()
        for (const [key, { json, version }] of rows) this.upsert.run(key, json, String(version), version, now)
        return () => {
          for (const [key, { version }] of rows) this.knowVersion(key, version)
        }
      },
    })
  }

  async load(key: string): Promise<{ json: string; version: number } | undefined> {
    const pending = this.pending.get(key)
    if (pending) return pending
    const row = this.select.get(key)
    if (row) this.knowVersion(key, row.version)
    return row ? { json: row.doc, version: row.version } : undefined
  }

  async save(key: string, json: string, expected: number | '*'): Promise<number> {
    const current = this.pending.get(key)?.version ?? this.versions.get(key) ?? this.selectVersion.get(key)?.version ?? 0
    if (expected !== '*' && expected !== current) throw stateConflict(key, expected, current)
    const version = current + 1
    this.pending.set(key, { json, version })
    await this.batch.schedule()
    return version
  }

  async deleteIdleBefore(before: number): Promise<number> {
    this.batch.flush()
    this.versions.clear()
    return this.removeIdle.run(new Date(before).toISOString()).changes
  }

  async delete(key: string): Promise<void> {
    this.pending.delete(key)
    this.versions.delete(key)
    this.remove.run(key)
  }

  private knowVersion(key: string, version: number): void {
    if (this.versions.size >= 100_000 && !this.versions.has(key)) this.versions.clear()
    this.versions.set(key, version)
  }
}
