import { Redis } from 'ioredis'
import type { Logger } from '../../core/logger.js'
import type { EventBus } from '../../core/ports.js'

/** Two connections to Redis: one publishes and answers the health check, one is in subscriber mode. */
export interface RedisBus extends EventBus {
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * The event bus of several instances on Redis pub/sub, one Redis channel per topic under `prefix`. Pub/sub does not
 * keep messages: a subscriber that misses one (Redis restarting) recovers from the database, as the streams do.
 */
export function createRedisEventBus(url: string, prefix: string, logger: Logger): RedisBus {
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }
  const publisher = new Redis(url, options)
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null })
  let warned = false
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (err: Error) => {
      if (!warned) logger.warn({ err }, 'redis unavailable')
      warned = true
    })
    connection.on('ready', () => (warned = false))
  }
  const handlers = new Map<string, Set<(message: string) => void>>()
  subscriber.on('message', (channel: string, message: string) => {
    for (const handler of handlers.get(channel.slice(prefix.length)) ?? []) handler(message)
  })
  const connecting = Promise.all([publisher.connect(), subscriber.connect()]).catch((err: unknown) => logger.warn({ err }, 'redis unavailable at start'))

  return {
    async publish(topic, message) {
      await connecting
      await publisher.publish(prefix + topic, message)
    },
    async subscribe(topic, handler) {
      await connecting
      let mine = handlers.get(topic)
      if (!mine) {
        handlers.set(topic, (mine = new Set()))
        await subscriber.subscribe(prefix + topic)
      }
      mine.add(handler)
      return async () => {
        mine.delete(handler)
        if (mine.size === 0 && handlers.get(topic) === mine) {
          handlers.delete(topic)
          await subscriber.unsubscribe(prefix + topic).catch(() => {})
        }
      }
    },
    async ping() {
      await connecting
      await publisher.ping()
    },
    async close() {
      publisher.disconnect()
      subscriber.disconnect()
    },
  }
}
