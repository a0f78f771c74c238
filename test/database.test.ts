import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TestAdapter, TurnContext, type Activity } from 'botbuilder'
import { openDatabase, SqliteConversationState, SqliteStorage, type Db } from '../src/database.js'

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

const row = (key: string) => db.prepare<[string], { doc: string; etag: string }>('SELECT doc, etag FROM state WHERE key = ?').get(key)

describe('SqliteConversationState', () => {
  it('keeps a conversation\'s state from one turn to the next, in the database file', async () => {
    const state = new SqliteConversationState(new SqliteStorage(db))
    const step = state.createProperty<number>('step')
    const first = turn('c1')
    await step.set(first, 2)
    await state.saveChanges(first)

    const reopened = new SqliteConversationState(new SqliteStorage(db))
    expect(await reopened.createProperty<number>('step').get(turn('c1'))).toBe(2)
    expect(await reopened.createProperty<number>('step').get(turn('c2'))).toBeUndefined()
    expect(JSON.parse(row('test/conversations/c1/')!.doc)).toEqual({ step: 2 })
  })

  it('writes only when something changed', async () => {
    const state = new SqliteConversationState(new SqliteStorage(db))
    const step = state.createProperty<number>('step')
    const first = turn('c1')
    await step.set(first, 1)
    await state.saveChanges(first)
    const written = row('test/conversations/c1/')!.etag

    const readOnly = turn('c1')
    expect(await step.get(readOnly)).toBe(1)
    await state.saveChanges(readOnly)
    expect(row('test/conversations/c1/')!.etag).toBe(written)

    const changed = turn('c1')
    await step.set(changed, 2)
    await state.saveChanges(changed)
    expect(row('test/conversations/c1/')!.etag).not.toBe(written)
  })

  it('saves a cleared state, and a forced save writes even an untouched one', async () => {
    const state = new SqliteConversationState(new SqliteStorage(db))
    const first = turn('c1')
    await state.createProperty<number>('step').set(first, 3)
    await state.saveChanges(first)

    const clearing = turn('c1')
    await state.clear(clearing)
    await state.saveChanges(clearing)
    expect(JSON.parse(row('test/conversations/c1/')!.doc)).toEqual({})

    await state.saveChanges(turn('c9'), true)
    expect(row('test/conversations/c9/')?.doc).toBe('{}')
  })

  it('refuses an activity without a conversation instead of writing under a made-up key', async () => {
    const state = new SqliteConversationState(new SqliteStorage(db))
    await expect(state.load(turn('', ''))).rejects.toThrow(/missing activity.channelId/)
    await expect(state.saveChanges(turn(''), true)).rejects.toThrow(/missing activity.conversation.id/)
  })
})

describe('SqliteStorage', () => {
  it('refuses a write with a stale eTag and accepts "*"', async () => {
    const storage = new SqliteStorage(db)
    await storage.write({ k: { n: 1 } })
    const { k } = await storage.read(['k'])
    await storage.write({ k: { ...k, n: 2 } })
    await expect(storage.write({ k: { ...k, n: 3 } })).rejects.toThrow(/eTag conflict/)
    await storage.write({ k: { n: 4, eTag: '*' } })
    expect((await storage.read(['k'])).k).toMatchObject({ n: 4 })
    await storage.delete(['k'])
    expect(await storage.read(['k'])).toEqual({})
  })
})
