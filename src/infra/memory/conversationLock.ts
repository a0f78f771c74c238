import type { ConversationLock } from '../../core/ports.js'

/** One turn at a time per conversation within this process: turns queue in arrival order. */
export function createMemoryConversationLock(): ConversationLock {
  const queues = new Map<string, Promise<unknown>>()
  return {
    withLock<T>(conversationId: string, turn: () => Promise<T>): Promise<T> {
      const previous = queues.get(conversationId) ?? Promise.resolve()
      const result = previous.then(turn, turn)
      const settled = result.catch(() => undefined)
      queues.set(conversationId, settled)
      void settled.then(() => {
        if (queues.get(conversationId) === settled) queues.delete(conversationId)
      })
      return result
    },
  }
}
