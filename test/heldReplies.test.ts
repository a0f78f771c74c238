import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fakeConnector, type FakeConnector } from './helpers/connector.js'
import { DATABASE_URL, freshNamespace } from './helpers/postgres.js'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'

// Issue 12: on Bot Framework channels (Teams, the Emulator) a turn's replies reach the connector only once the
// turn's writes have committed, in order; a turn that fails and rolls back sends none of them.

const SORRY = "Sorry, something went wrong on my side. Let's start again: tell me what's wrong with your CAC."

/** One engine as the tests see it: how to start the server on it, and SQL run beside it (outside any turn). */
interface Engine {
  name: string
  start(): Promise<Running>
  /** Conversation state rows committed for the conversation, as another connection sees them. */
  committedState(channelId: string, conversationId: string): Promise<number>
  /** Makes the database refuse to store state for conversations whose id starts with `doomed-`. */
  refuseDoomed(): Promise<void>
  close(): Promise<void>
}

function sqliteEngine(): Engine {
  const data = tempDataDir()
  let file: ReturnType<typeof sqliteFile> | undefined
  const db = () => (file ??= sqliteFile(data.dir))
  return {
    name: 'SQLite',
    start: () => startServer(data.dir),
    async committedState(channelId, conversationId) {
      return (db().prepare('SELECT count(*) AS n FROM state WHERE key = ?').get(`${channelId}/conversations/${conversationId}/`) as { n: number }).n
    },
    async refuseDoomed() {
      db().exec(`CREATE TRIGGER refuse_doomed BEFORE INSERT ON state WHEN NEW.key LIKE '%/conversations/doomed-%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
    },
    async close() {
      file?.close()
      data.remove()
    },
  }
}

function postgresEngine(): Engine {
  const data = tempDataDir()
  const namespace = freshNamespace()
  const client = new pg.Client({ connectionString: DATABASE_URL })
  let connected: Promise<unknown> | undefined
  const query = async (sql: string, params: unknown[] = []) => {
    await (connected ??= client.connect())
    return (await client.query(sql, params)).rows
  }
  return {
    name: 'PostgreSQL',
    start: () => startServer(data.dir, { DATABASE_URL, DATABASE_SCHEMA: namespace.schema }),
    async committedState(channelId, conversationId) {
      const [row] = await query(`SELECT count(*)::int AS n FROM ${namespace.schema}.state WHERE key = $1`, [`${channelId}/conversations/${conversationId}/`])
      return row.n
    },
    async refuseDoomed() {
      await query(`CREATE FUNCTION ${namespace.schema}.refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`)
      await query(
        `CREATE TRIGGER refuse_doomed BEFORE INSERT ON ${namespace.schema}.state FOR EACH ROW WHEN (NEW.key LIKE '%/conversations/doomed-%') EXECUTE FUNCTION ${namespace.schema}.refuse_doomed()`,
      )
    },
    async close() {
      if (connected) await client.end()
      await namespace.drop()
      data.remove()
    },
  }
}

describe.each([
  { name: 'SQLite', make: sqliteEngine },
  { name: 'PostgreSQL', make: postgresEngine },
])('replies on Bot Framework channels ($name)', ({ make }) => {
  const engine = make()
  let running: Running
  let connector: FakeConnector
  /** For each post the connector got: its activity, and whether the turn's state was committed when it arrived. */
  const seen: { type: string; text?: string; committed: boolean }[] = []
  beforeAll(async () => {
    running = await engine.start()
    connector = await fakeConnector({
      onReceive: async ({ body }) => {
        const conversationId = String(body.conversation?.id ?? '')
        seen.push({ type: body.type, text: body.text ?? body.summary, committed: (await engine.committedState(body.channelId, conversationId)) > 0 })
      },
    })
  })
  afterAll(async () => {
    await running?.stop()
    connector?.server.close()
    await engine.close()
  })
  afterEach(() => {
    seen.length = 0
    connector.received.length = 0
  })

  let sequence = 0
  const post = (fields: Record<string, unknown>) =>
    fetch(`${running.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message', id: `m${++sequence}`, channelId: 'msteams', serviceUrl: connector.url, from: { id: 'user-1' }, recipient: { id: 'bot' },
        ...fields,
      }),
    })

  it('sends the typing indicator at once, and every reply only after the commit, in the order the turn sent them', async () => {
    const text = 'my cac says 403 forbidden when i open ako'
    // The same message with expectReplies: the replies in the HTTP body are the turn's, in its order.
    const expected = await post({ text, deliveryMode: 'expectReplies', conversation: { id: 'reference', conversationType: 'personal' } }).then((r) => r.json())

    const response = await post({ text, conversation: { id: 'live', conversationType: 'personal' } })

    expect(response.status).toBe(200)
    const sent = (expected.activities as { type: string; text?: string; summary?: string }[]).map((a) => ({ type: a.type, text: a.text ?? a.summary }))
    expect(sent.filter((a) => a.type === 'message').length).toBeGreaterThan(0)
    expect(seen.map(({ type, text }) => ({ type, text }))).toEqual(sent)
    expect(seen[0]).toEqual({ type: 'typing', text: undefined, committed: false }) // the turn is still working
    expect(seen.slice(1).every((s) => s.committed)).toBe(true)
    expect(connector.received.map((r) => r.path).every((p) => p.startsWith('POST /v3/conversations/live/activities'))).toBe(true)
  })

  it('sends nothing of a turn that fails and rolls back, only the apology', async () => {
    await engine.refuseDoomed()

    const response = await post({ channelId: 'emulator', text: 'my cac says 403 forbidden', conversation: { id: 'doomed-1' } })

    expect(response.status).toBe(200)
    expect(seen).toEqual([{ type: 'message', text: SORRY, committed: false }])
    await expect.poll(() => running.logs.lines.some((l) => l.msg === 'turn failed: its replies are not sent' && Number(l.dropped) > 0)).toBe(true)
    expect(await engine.committedState('emulator', 'doomed-1')).toBe(0)
  })
})
