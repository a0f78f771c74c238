import { randomBytes } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { Logger } from '../core/logger.js'
import type { ActivityLog, AppendedActivity, EventBus } from '../core/ports.js'
import type { ActivityPublisher } from './adapter.js'

const topicOf = (conversationId: string) => `dl:${conversationId}`
const PAGE = 500

/**
 * One live WebSocket stream. `sent` is the watermark of the last activity sent, and every activity up to it has
 * been sent exactly once: a set from the bus that follows on is sent as it is; anything else (a set published
 * before a gap, by another instance, or lost) is read from the log instead. So a stream never skips or repeats.
 */
class LiveStream {
  private chain: Promise<void> = Promise.resolve()
  unsubscribe: () => Promise<void> = async () => {}
  /** Tells this stream apart from a newer one of the same conversation on another instance. */
  readonly id = randomBytes(9).toString('base64url')

  constructor(
    private readonly conversationId: string,
    readonly socket: WebSocket,
    private sent: number,
    private readonly log: ActivityLog,
    private readonly logger: Logger,
  ) {}

  /**
   * Handles one bus message in order: `<watermarks>\n<payload>`, `t\n<payload>` for a typing indicator, or
   * `c\n<stream id>` when a stream opens (an older one closes). A message without its payload (a bus that could not
   * carry it) is read from the log.
   */
  deliver(message: string): void {
    this.enqueue(async () => {
      const newline = message.indexOf('\n')
      const header = message.slice(0, newline)
      const payload = message.slice(newline + 1)
      if (header === 't') return this.send(payload)
      if (header === 'c') return void (payload !== this.id && this.socket.close(1000, 'collision')) // a newer stream, anywhere
      const marks = header.split(',').map(Number)
      if (marks.at(-1)! <= this.sent) return
      if (payload && marks[0] === this.sent + 1 && marks.every((mark, i) => mark === marks[0]! + i)) {
        this.send(payload)
        this.sent = marks.at(-1)!
        return
      }
      await this.catchUp()
    })
  }

  /** Sends everything in the log after the last watermark sent. */
  catchUp(): Promise<void> {
    return this.enqueue(() => this.readFromLog())
  }

  private async readFromLog(): Promise<void> {
    for (;;) {
      const { activities, watermark } = await this.log.after(this.conversationId, this.sent, PAGE)
      if (activities.length === 0) return
      this.send(JSON.stringify({ activities, watermark: String(watermark) }))
      this.sent = watermark
      if (activities.length < PAGE) return
    }
  }

  private enqueue(work: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain.then(work).catch((err: unknown) => this.logger.warn({ err, conversationId: this.conversationId }, 'stream delivery failed'))
    return this.chain
  }

  private send(text: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(text)
  }
}

/**
 * The live WebSocket streams this instance holds (Direct Line allows one per conversation; a newer one replaces the
 * older). What any instance publishes reaches them through the event bus.
 */
export class StreamHub implements ActivityPublisher {
  private readonly streams = new Map<string, LiveStream>()

  constructor(
    private readonly log: ActivityLog,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  async publish(conversationId: string, activities: readonly AppendedActivity[]): Promise<void> {
    if (activities.length === 0) return
    const last = activities.at(-1)!.watermark
    const payload = `{"activities":[${activities.map((a) => a.json).join(',')}],"watermark":"${last}"}`
    await this.bus.publish(topicOf(conversationId), `${activities.map((a) => a.watermark).join(',')}\n${payload}`)
  }

  async typing(conversationId: string, json: string): Promise<void> {
    await this.bus.publish(topicOf(conversationId), `t\n{"activities":[${json}]}`)
  }

  /** Streams to `socket` what follows `watermark` in the log, then everything published from now on. */
  async attach(conversationId: string, socket: WebSocket, watermark: number): Promise<void> {
    this.streams.get(conversationId)?.socket.close(1000, 'collision')
    const stream = new LiveStream(conversationId, socket, watermark, this.log, this.logger)
    this.streams.set(conversationId, stream)
    socket.on('close', () => {
      if (this.streams.get(conversationId) === stream) this.streams.delete(conversationId)
      void stream.unsubscribe()
    })
    // Subscribed before the log is read: whatever is stored in between arrives one way or the other, and only once.
    stream.unsubscribe = await this.bus.subscribe(topicOf(conversationId), (message) => stream.deliver(message))
    if (socket.readyState !== socket.OPEN) return void stream.unsubscribe()
    await this.bus.publish(topicOf(conversationId), `c\n${stream.id}`) // Direct Line keeps one stream per conversation
    await stream.catchUp()
  }

  get size(): number {
    return this.streams.size
  }

  closeAll(): void {
    for (const stream of this.streams.values()) stream.socket.close(1001, 'server shutting down')
  }
}
