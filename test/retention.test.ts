import { afterAll, describe, expect, it } from 'vitest'
import { scheduleRetention } from '../src/analytics/retention.js'
import { loadConfig } from '../src/core/config.js'
import { createLogger } from '../src/core/logger.js'
import type { ScheduledJobs } from '../src/core/ports.js'
import { openSqliteStores } from '../src/infra/sqlite/index.js'
import { sink } from './helpers/sink.js'
import { sqliteFile, tempDataDir } from './helpers/server.js'

const data = tempDataDir()
afterAll(() => data.remove())

const DAY = 24 * 60 * 60 * 1000
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe('retention', () => {
  it('keeps 90 days unless RETENTION_DAYS says otherwise, and refuses nonsense', () => {
    expect(loadConfig({}).RETENTION_DAYS).toBe(90)
    expect(loadConfig({ RETENTION_DAYS: '30' }).RETENTION_DAYS).toBe(30)
    expect(() => loadConfig({ RETENTION_DAYS: '0' })).toThrow(/RETENTION_DAYS/)
    expect(() => loadConfig({ RETENTION_DAYS: 'forever' })).toThrow(/RETENTION_DAYS/)
  })

  it('deletes transcripts and events older than RETENTION_DAYS on the instance holding the job, and keeps the rest', async () => {
    const logs = sink()
    const logger = createLogger({ level: 'info', destination: logs })
    const stores = openSqliteStores(data.dir, logger)
    const now = Date.now()
    try {
      for (const [conversationId, age] of [['old', 31 * DAY], ['recent', 29 * DAY]] as const) {
        await stores.analytics.append({ at: now - age, channelId: 'webchat', conversationId, kind: 'conversation.started', data: {} })
        await stores.transcripts.log({ channelId: 'webchat', conversationId, at: new Date(now - age).toISOString(), activity: { type: 'message' } })
      }
      const db = sqliteFile(data.dir)
      const left = () => ({
        events: (db.prepare('SELECT conversation_id AS c FROM analytics_events').all() as { c: string }[]).map((r) => r.c),
        transcripts: (db.prepare('SELECT conversation_id AS c FROM transcripts').all() as { c: string }[]).map((r) => r.c),
      })

      // Another instance holds the job: this one deletes nothing.
      const elsewhere: ScheduledJobs = { claim: async () => false }
      const idle = scheduleRetention({ analytics: stores.analytics, suggestions: stores.suggestions, jobs: elsewhere, logger }, 30)
      await new Promise((r) => setTimeout(r, 50))
      idle()
      expect(left()).toEqual({ events: ['old', 'recent'], transcripts: ['old', 'recent'] })

      // A website conversation and its state, last active 31 days ago, beside one active now.
      for (const conversationId of ['dl-old', 'dl-recent']) {
        await stores.activities.createConversation(conversationId, 'user')
        await stores.activities.append(conversationId, [{ type: 'message', text: 'hi' }])
        await stores.state.save(`webchat/conversations/${conversationId}/`, '{}', '*')
      }
      await stores.activities.committed()
      const longAgo = new Date(now - 31 * DAY).toISOString()
      db.prepare("UPDATE dl_conversations SET created_at = ? WHERE id = 'dl-old'").run(longAgo)
      db.prepare("UPDATE dl_activities SET created_at = ? WHERE conversation_id = 'dl-old'").run(longAgo)
      db.prepare("UPDATE state SET updated_at = ? WHERE key LIKE '%dl-old%'").run(longAgo)

      const stop = scheduleRetention(
        { analytics: stores.analytics, suggestions: stores.suggestions, jobs: stores.jobs, logger, activities: stores.activities, state: stores.state },
        30,
      )
      await until(() => left().events.length === 1)
      stop()
      expect(left()).toEqual({ events: ['recent'], transcripts: ['recent'] })
      expect((db.prepare('SELECT id FROM dl_conversations ORDER BY id').all() as { id: string }[]).map((r) => r.id)).toEqual(['dl-recent'])
      expect((db.prepare('SELECT DISTINCT conversation_id AS c FROM dl_activities').all() as { c: string }[]).map((r) => r.c)).toEqual(['dl-recent'])
      expect((db.prepare('SELECT key FROM state').all() as { key: string }[]).map((r) => r.key)).toEqual(['webchat/conversations/dl-recent/'])
      expect(logs.lines).toContainEqual(
        expect.objectContaining({ msg: 'retention: old transcripts and events deleted', events: 1, transcripts: 1, conversations: 1, states: 1, days: 30 }),
      )
      db.close()
    } finally {
      await stores.close()
    }
  })
})
