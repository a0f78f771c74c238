import { readdirSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { CATEGORIES, createConversationRunner, loadConversations } from '../../src/tools/conversationRunner.js'

const DIR = 'test/conversations'
const loaded = loadConversations(DIR)
const conversations = loaded.flatMap((l) => (l.conversation ? [l.conversation] : []))
const runner = await createConversationRunner()
afterAll(() => runner.close())

describe('the conversation corpus', () => {
  it('is readable, at least 80 conversations, every category and every procedure', () => {
    expect(loaded.filter((l) => l.error).map((l) => `${l.file}: ${l.error}`)).toEqual([])
    expect(conversations.length).toBeGreaterThanOrEqual(80)
    expect(new Set(conversations.map((c) => c.category))).toEqual(new Set(CATEGORIES))
    const named = new Set(conversations.flatMap((c) => c.turns.map((t) => t.expect?.procedure)))
    const procedures = readdirSync('knowledge/procedures').map((f) => f.replace(/\.json$/, ''))
    expect(procedures.filter((id) => !named.has(id))).toEqual([])
  })
})

describe.each(CATEGORIES)('conversations: %s', (category) => {
  it.each(conversations.filter((c) => c.category === category).map((c) => [c.id, c] as const))('%s', async (_id, conversation) => {
    const result = await runner.run(conversation)

    // The failures name the turn, what was expected and what the bot said.
    expect(result.failures).toEqual([])
  })
})
