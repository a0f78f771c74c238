import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TestAdapter, TurnContext, type Activity } from 'botbuilder'
import { PortStorage, StoredConversationState } from '../../src/conversationState.js'
import { openDatabase, WriteBatch, type Db } from '../../src/infra/sqlite/database.js'
import { SqliteStateStore } from '../../src/infra/sqlite/stateStore.js'
import { SqliteTranscriptLog } from '../../src/infra/sqlite/transcriptLog.js'
import { PortTranscriptStore } from '../../src/handoff/transcripts.js'

let dataDir: string
let db: Db
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-db-'))
  db = openDatabase(dataDir)
})
afterEach(() => {
  db.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const turn = (conversationId: string, channelId = 'test') =>
  new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId,
    conversation: { id: conversationId },
    from: { id: 'user' },
    recipient: { id: 'bot' },
    text: 'hi',
  } as Activity)

/** Conversation state on the test database, writing through a batch of its own as the application does. */
const conversationState = () => new StoredConversationState(new SqliteStateStore(db, new WriteBatch(db)))
/** One turn in conversation `c1` that sets `step` and saves. */
async function saveStep(state: StoredConversationState, step: number): Promise<void> {
  const context = turn('c1')
  await state.createProperty<number>('step').set(context, step)
  await state.saveChanges(context)
}

const row = (key: string) => db.prepare<[string], { doc: string; version: number }>('SELECT doc, version FROM state WHERE key = ?').get(key)

describe('StoredConversationState on SQLite', () => {
  it('keeps a conversation\'s state from one turn to the next, in the database file', async () => {
    await saveStep(conversationState(), 2)

    const reopened = conversationState()
    expect(await reopened.createProperty<number>('step').get(turn('c1'))).toBe(2)
    expect(await reopened.createProperty<number>('step').get(turn('c2'))).toBeUndefined()
    expect(JSON.parse(row('test/conversations/c1/')!.doc)).toEqual({ step: 2 })
  })

  it('writes only when something changed', async () => {
    const state = conversationState()
    await saveStep(state, 1)
    const written = row('test/conversations/c1/')!.version

    const readOnly = turn('c1')
    expect(await state.createProperty<number>('step').get(readOnly)).toBe(1)
    await state.saveChanges(readOnly)
    expect(row('test/conversations/c1/')!.version).toBe(written)

    await saveStep(state, 2)
    expect(row('test/conversations/c1/')!.version).toBe(written + 1)
  })

  it('saves a cleared state, and a forced save writes even an untouched one', async () => {
    const state = conversationState()
    await saveStep(state, 3)

    const clearing = turn('c1')
    await state.clear(clearing)
    await state.saveChanges(clearing)
    expect(JSON.parse(row('test/conversations/c1/')!.doc)).toEqual({})

    await state.saveChanges(turn('c9'), true)
    expect(row('test/conversations/c9/')?.doc).toBe('{}')
  })

  it('refuses an activity without a conversation instead of writing under a made-up key', async () => {
    const state = conversationState()
    await expect(state.load(turn('', ''))).rejects.toThrow(/missing activity.channelId/)
    await expect(state.saveChanges(turn(''), true)).rejects.toThrow(/missing activity.conversation.id/)
  })
})

describe('PortStorage on SQLite', () => {
  it('refuses a write with a stale eTag and accepts "*"', async () => {
    const storage = new PortStorage(new SqliteStateStore(db, new WriteBatch(db)))
    await storage.write({ k: { n: 1 } })
    const { k } = await storage.read(['k'])
    await storage.write({ k: { ...k, n: 2 } })
    await expect(storage.write({ k: { ...k, n: 3 } })).rejects.toMatchObject({ code: 'HD_STATE_CONFLICT' })
    await storage.write({ k: { n: 4, eTag: '*' } })
    expect((await storage.read(['k'])).k).toMatchObject({ n: 4 })
    await storage.delete(['k'])
    expect(await storage.read(['k'])).toEqual({})
  })
})

describe('WriteBatch', () => {
  const count = () => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM settings').get()!.n

  it('writes what several turns queued in one transaction, and tells them once it is on disk', async () => {
    const batch = new WriteBatch(db)
    const queued: string[] = []
    const streamed: string[][] = []
    batch.add({
      write: () => {
        const rows = queued.splice(0)
        for (const key of rows) db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, 'v')
        return () => streamed.push(rows)
      },
    })
    const before = count()
    queued.push('a')
    const first = batch.schedule()
    queued.push('b')
    const second = batch.schedule()
    expect(count()).toBe(before) // nothing written yet: the batch waits for the end of the event-loop turn

    await Promise.all([first, second])
    expect(count()).toBe(before + 2)
    expect(streamed).toEqual([['a', 'b']]) // one commit, then the follow-up, once
    await batch.committed() // nothing queued: resolves at once
  })

  it('rolls a failed batch back, reports it, and takes the next one', async () => {
    const errors: unknown[] = []
    const batch = new WriteBatch(db, (err) => errors.push(err))
    let fail = true
    batch.add({ write: () => void db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('x', 'v') })
    batch.add({
      write: () => {
        if (fail) throw new Error('disk full')
      },
    })
    const before = count()

    await expect(batch.schedule()).rejects.toThrow('disk full')
    expect(errors).toHaveLength(1)
    expect(count()).toBe(before) // the first part's row went with the rollback

    fail = false
    await batch.schedule()
    expect(count()).toBe(before + 1)
  })

  it('drops a row the database refuses with its batch, so the batches after it still commit', async () => {
    const errors: unknown[] = []
    const batch = new WriteBatch(db, (err) => errors.push(err))
    const transcripts = new PortTranscriptStore(new SqliteTranscriptLog(db, batch))
    const activity = (text: string, channelId?: string) =>
      ({ type: 'message', text, channelId, conversation: { id: 'c1' }, from: { id: 'u' }, timestamp: new Date() }) as unknown as Activity

    await transcripts.logActivity(activity('refused: no channel')) // NOT NULL channel_id
    await expect(batch.committed()).rejects.toThrow(/NOT NULL/)
    expect(errors).toHaveLength(1)

    await transcripts.logActivity(activity('kept', 'webchat'))
    await batch.committed()
    expect((await transcripts.all('webchat', 'c1')).map((a) => a.text)).toEqual(['kept'])
  })

  it('lets state read its own queued write, and a delete cancels it', async () => {
    const batch = new WriteBatch(db)
    const store = new SqliteStateStore(db, batch)
    const saved = store.save('k', '{"n":1}', 0)
    expect(await store.load('k')).toEqual({ json: '{"n":1}', version: 1 })
    expect(row('k')).toBeUndefined()
    expect(await saved).toBe(1)
    expect(row('k')?.doc).toBe('{"n":1}')

    const again = store.save('k', '{"n":2}', 1)
    await store.delete('k')
    await again
    expect(row('k')).toBeUndefined()
    expect(await store.load('k')).toBeUndefined()
  })
})
