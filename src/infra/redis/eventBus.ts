import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { Redis } from 'ioredis'
import type { Logger } from '../../core/logger.js'
import type { EventBus } from '../../core/ports.js'

/** Two connections to Redis: one publishes and answers the health check, one is in subscriber mode. */
export interface RedisBus extends EventBus {
  /** The publishing connection (fails fast while Redis is down), for other quick commands such as rate limits. */
  client: Redis
  /** Resolves once the first connection attempt is over (connected or not: the bus never waits on Redis). */
  ready(): Promise<void>
  ping(): Promise<void>
  close(): Promise<void>
}

/**
 * The event bus of several instances on Redis pub/sub, one Redis channel per topic under `prefix`. This instance's
 * own subscribers hear its messages in-process, so with Redis down each instance still serves the streams it
 * holds (a warning is logged); pub/sub keeps nothing, and the streams recover what they missed from the database.
 */
export function createRedisEventBus(url: string, prefix: string, logger: Logger): RedisBus {
  const me = randomBytes(6).toString('base64url') // so our own messages, heard back from Redis, are not handled twice
  const local = new EventEmitter().setMaxListeners(0)
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }
  const publisher = new Redis(url, options)
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true, maxRetriesPerRequest: null })
  let warned = false
  const warn = (err: unknown, msg: string) => {
    if (!warned) logger.warn({ err }, msg)
    warned = true
  }
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (err: Error) => warn(err, 'redis unavailable: live events reach this instance only'))
    connection.on('ready', () => (warned = false))
  }
  subscriber.on('message', (channel: string, raw: string) => {
    const newline = raw.indexOf('\n')
    if (raw.slice(0, newline) !== me) local.emit(channel.slice(prefix.length), raw.slice(newline + 1))
  })
  const connecting = Promise.all([publisher.connect(), subscriber.connect()]).catch((err: unknown) => warn(err, 'redis unavailable at start'))
  const counts = new Map<string, number>()

  return {
    client: publisher,
    ready: async () => void (await connecting),
    async publish(topic, message) {
      local.emit(topic, message)
      await connecting
      await publisher.publish(prefix + topic, `${me}\n${message}`).catch((err: unknown) => warn(err, 'redis unavailable: live events reach this instance only'))
    },
    async subscribe(topic, handler) {
      local.on(topic, handler)
      const count = (counts.get(topic) ?? 0) + 1
      counts.set(topic, count)
      await connecting
      if (count === 1) {
        // Queued while Redis is away (ioredis subscribes again by itself after a reconnect): never wait for it then.
        const subscribing = subscriber.subscribe(prefix + topic).catch((err: unknown) => warn(err, 'redis subscribe failed'))
        if (subscriber.status === 'ready') await subscribing
      }
      return async () => {
        local.off(topic, handler)
        const left = (counts.get(topic) ?? 1) - 1
        if (left > 0) return void counts.set(topic, left)
        counts.delete(topic)
        const unsubscribing = subscriber.unsubscribe(prefix + topic).catch(() => {})
        if (subscriber.status === 'ready') await unsubscribing
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
