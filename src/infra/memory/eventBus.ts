import { EventEmitter } from 'node:events'
import type { EventBus } from '../../core/ports.js'

/** The event bus of a single instance: an EventEmitter (REDIS_URL empty). */
export function createMemoryEventBus(): EventBus {
  const emitter = new EventEmitter().setMaxListeners(0)
  return {
    async publish(topic, message) {
      emitter.emit(topic, message)
    },
    async subscribe(topic, handler) {
      emitter.on(topic, handler)
      return async () => void emitter.off(topic, handler)
    },
  }
}
