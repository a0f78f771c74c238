import { describe, expect, it } from 'vitest'
import { ConversationState, MemoryStorage, TestAdapter, TurnContext, type Activity } from 'botbuilder'
import { createAdapter } from '../src/adapter.js'
import { loadConfig } from '../src/core/config.js'
import { createLogger } from '../src/core/logger.js'
import { sink } from './helpers/sink.js'

describe('createAdapter', () => {
  it('on an unhandled error: logs it, apologises in one sentence, and clears the conversation state', async () => {
    const logs = sink()
    const conversationState = new ConversationState(new MemoryStorage())
    const adapter = createAdapter(loadConfig({}), createLogger({ destination: logs }), { middlewares: [], conversationState })
    const testAdapter = new TestAdapter(async () => {})
    const activity = TurnContext.applyConversationReference({ type: 'message', text: 'hi' }, testAdapter.conversation, true)
    const context = new TurnContext(testAdapter, activity as Activity)
    const step = conversationState.createProperty<number>('step')
    await step.set(context, 3)
    await conversationState.saveChanges(context)

    await adapter.onTurnError(context, new Error('boom'))

    expect(testAdapter.activeQueue.map((a) => a.text)).toEqual([
      "Sorry, something went wrong on my side. Let's start again: tell me what's wrong with your CAC.",
    ])
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'unhandled turn error', err: expect.objectContaining({ message: 'boom' }) }))
    await conversationState.load(context, true)
    expect(await step.get(context)).toBeUndefined()
  })
})
