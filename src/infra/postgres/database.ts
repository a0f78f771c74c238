import { AsyncLocalStorage } from 'node:async_hooks'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runner } from 'node-pg-migrate'
import pg from 'pg'
import type { Logger } from '../../core/logger.js'
import type { ConversationLock, ScheduledJobs } from '../../core/ports.js'

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations')
/** The first key of our advisory locks (the second is the conversation's hash), apart from node-pg-migrate's. */
const TURN_LOCK_SPACE = 0x4844 // "HD"
const JOB_LOCK_SPACE = 0x484a // "HJ"

/** A turn's transaction: its connection, the queries queued on it, and what to do once it has committed. */
interface Turn {
  client: pg.PoolClient
  queue: Promise<unknown>
  afterCommit: (() => void)[]
  /** The first query that failed: the transaction is aborted and must not be reported as committed. */
  failed?: unknown
}

/**
 * Runs SQL on the turn's transaction when there is one (inside `ConversationLock.withLock`), else on the pool.
 * So a turn's state, activities, transcripts and case changes commit together, or not at all.
 */
export class Pg {
  private readonly turn = new AsyncLocalStorage<Turn>()

  constructor(readonly pool: pg.Pool) {}

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const turn = this.turn.getStore()
    if (!turn) return (await this.pool.query<R>(sql, params)).rows
    // One connection, one query at a time, in the order asked (a turn also logs its transcript without waiting).
    const result = turn.queue.then(() => turn.client.query<R>(sql, params))
    turn.queue = result.catch((err: unknown) => void (turn.failed ??= err))
    return (await result).rows
  }

  /** Runs `work` in a transaction of its own, or in the turn's when there is one (then the turn commits it). */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.turn.getStore()) return work()
    return this.inTransaction(work)
  }

  /**
   * One turn at a time per conversation across every instance: a transaction-scoped advisory lock on the
   * conversation, held by the turn's own transaction, so it is let go when the turn commits, fails, or its
   * instance dies (the connection drops).
   */
  readonly lock: ConversationLock = {
    withLock: (conversationId, turn) =>
      this.turn.getStore()
        ? turn() // already inside a turn (e.g. a proactive message from another conversation's turn)
        : this.inTransaction(async () => {
            await this.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TURN_LOCK_SPACE, conversationId])
            return turn()
          }),
  }

  /** Runs `then` once the current transaction has committed (at once outside one); never if it rolls back. */
  afterCommit(then: () => void): void {
    const turn = this.turn.getStore()
    if (turn) turn.afterCommit.push(then)
    else then()
  }

  private async inTransaction<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const turn: Turn = { client, queue: Promise.resolve(), afterCommit: [] }
      const result = await this.turn.run(turn, work)
      await turn.queue // what the turn asked without waiting is part of it too
      if (turn.failed) throw turn.failed // PostgreSQL would answer COMMIT with a silent rollback
      await client.query('COMMIT')
      for (const then of turn.afterCommit) then()
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }
}

/** A pool on `url` whose connections work in `schema` (created by the migrations). */
export function createPool(url: string, schema: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 20, options: `-c search_path=${quoteIdentifier(schema)}` })
  pool.on('error', () => {}) // an idle connection that drops is replaced on the next query; queries report their own errors
  return pool
}

/**
 * Brings `schema` up to date with node-pg-migrate. Its advisory lock, in wait mode, makes instances that boot
 * together apply each migration once: the others wait, then find nothing to do.
 */
export async function migrate(url: string, schema: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      schema,
      createSchema: true,
      advisoryLockMode: 'wait',
      singleTransaction: true,
      logger: {
        debug: () => {},
        info: () => {},
        warn: (msg) => logger.warn({ msg: msg.slice(0, 200) }, 'migration warning'),
        error: (msg) => logger.error({ msg: msg.slice(0, 200) }, 'migration error'),
      },
    })
    if (applied.length > 0) logger.info({ schema, migrations: applied.map((m) => m.name) }, 'database migrated')
  } finally {
    await client.end()
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * Jobs for one instance at a time: a session advisory lock per job, held on a connection of its own. If the holder
 * dies its connection drops, the lock with it, and the next instance to ask takes the job over.
 */
export function createJobs(url: string, logger: Logger): ScheduledJobs & { close(): Promise<void> } {
  let client: Promise<pg.Client> | undefined
  const held = new Set<string>()
  const connect = () => {
    const fresh = new pg.Client({ connectionString: url })
    fresh.on('error', (err) => {
      logger.warn({ err }, 'job lock connection lost')
      held.clear()
      client = undefined
    })
    return fresh.connect().then(() => fresh)
  }
  return {
    async claim(name) {
      if (held.has(name)) return true
      const connection = await (client ??= connect().catch((err: unknown) => ((client = undefined), Promise.reject(err))))
      const [row] = (await connection.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [JOB_LOCK_SPACE, name])).rows
      if (row?.got) {
        held.add(name)
        logger.info({ job: name }, 'job taken by this instance')
      }
      return Boolean(row?.got)
    },
    async close() {
      held.clear()
      const connection = await client?.catch(() => undefined)
      client = undefined
      await connection?.end().catch(() => {})
    },
  }
}
