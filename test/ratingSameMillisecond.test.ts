import { afterAll, afterEach, expect, it, vi } from 'vitest'
import { createConversationRunner, loadConversations } from '../src/tools/conversationRunner.js'

// A rating request asked in the same millisecond as the next message was read (a fast machine, a fast typist) once
// matched a later "5" as its rating after all. With the clock frozen, every turn happens in one millisecond.
const runner = await createConversationRunner()
afterAll(() => runner.close())
afterEach(() => vi.useRealTimers())

it('does not take a later "5" as the rating of a question passed over, even within one millisecond', async () => {
  const loaded = loadConversations('test/conversations').find((l) => l.conversation?.id === 'rating-ignored-new-problem')
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-02T04:00:00.000Z'))
  const result = await runner.run(loaded!.conversation!)
  expect(result.failures).toEqual([])
})
