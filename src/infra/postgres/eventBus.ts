import { createHash } from 'node:crypto'
import pg from 'pg'
import type { Logger } from '../../core/logger.js'
import type { EventBus } from '../../core/ports.js'

/** NOTIFY's payload limit is 8000 bytes; a longer message is cut after its first line (its subscribers re-read). */
const MAX_PAYLOAD = 7900

/**
 * The event bus of several instances without Redis: PostgreSQL LISTEN/NOTIFY on one channel per schema, with the
 * topic in the payload. One connection listens; it reconnects (and listens again) if it drops.
 */
export function createPgEventBus(url: string, schema: string, pool: pg.Pool, logger: Logger): EventBus & { close(): Promise<void> } {
  const channel = `hd_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`
  const handlers = new Map<string, Set<(message: string) => void>>()
  let closed = false
  let listener: Promise<pg.Client> | undefined

  const listen = (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url })
    client.on('notification', ({ payload = '' }) => {
      const tab = payload.indexOf('\t')
      for (const handler of handlers.get(payload.slice(0, tab)) ?? []) handler(payload.slice(tab + 1))
    })
    client.on('error', (err) => {
      logger.warn({ err }, 'event listener connection lost')
      listener = undefined
      if (!closed) setTimeout(() => void ensure().catch(() => {}), 1000).unref()
    })
    return client.connect().then(async () => {
      await client.query(`LISTEN ${channel}`)
      return client
    })
  }
  const ensure = () => (listener ??= listen().catch((err: unknown) => ((listener = undefined), Promise.reject(err))))

  return {
    async publish(topic, message) {
      let payload = `${topic}\t${message}`
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) payload = `${topic}\t${message.slice(0, message.indexOf('\n') + 1)}`
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload])
    },
    async subscribe(topic, handler) {
      await ensure()
      let mine = handlers.get(topic)
      if (!mine) handlers.set(topic, (mine = new Set()))
      mine.add(handler)
      return async () => {
        mine.delete(handler)
        if (mine.size === 0 && handlers.get(topic) === mine) handlers.delete(topic)
      }
    },
    async close() {
      closed = true
      const client = await listener?.catch(() => undefined)
      await client?.end().catch(() => {})
    },
  }
}
