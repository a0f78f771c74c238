import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_ACCOUNTS, ALICE, CAROL, signIn } from './helpers/agents.js'
import { ageConversations, playScriptedConversations } from './helpers/analytics.js'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'

const run = promisify(execFile)
const data = tempDataDir()
let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { AGENT_ACCOUNTS })
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

/** `npm run report` on the server's SQLite file, as staff would run it. */
async function report(...args: string[]) {
  return run('npx', ['tsx', 'src/tools/report.ts', ...args], { env: { ...process.env, DATA_DIR: data.dir, DATABASE_URL: '' } })
}

describe('analytics: npm run report after scripted conversations', () => {
  it('prints containment, the funnel, recognition and handoff figures of exactly what happened', async () => {
    await playScriptedConversations(running.url)

    const db = sqliteFile(data.dir)
    try {
      const rows = db.prepare('SELECT kind, data FROM analytics_events').all() as { kind: string; data: string }[]
      // No user text in any event: only ids, numbers and labels.
      for (const text of ['cac says', 'passport', 'person', 'chrome']) expect(rows.some((r) => r.data.toLowerCase().includes(text))).toBe(false)
      const wait = JSON.parse(rows.find((r) => r.kind === 'handoff.claimed')!.data).waitSeconds as number
      // One first reply, though Alice wrote twice.
      expect(rows.filter((r) => r.kind === 'handoff.replied')).toHaveLength(1)
      const firstReply = JSON.parse(rows.find((r) => r.kind === 'handoff.replied')!.data).seconds as number

      // Within the hour nobody has abandoned yet: the silent conversation is still going.
      expect((await report('--since', '24h')).stdout).toContain('  abandoned                0 (0.0%)\n')

      // Two hours later (the events and transcripts aged as if so), the silent one is abandoned.
      ageConversations(data.dir, 2 * 60 * 60 * 1000)
      const { stdout } = await report('--since', '24h')
      const { at } = db.prepare('SELECT MIN(at) AS at FROM analytics_events').get() as { at: number }
      const today = new Date(at).toISOString().slice(0, 10)
      const days = stdout.split('\n').filter((line) => /^ {2}\d{4}-\d{2}-\d{2} /.test(line))
      expect(stdout.split('\n').slice(1).join('\n')).toBe(
        [
          'Conversations: 5',
          '',
          'Containment',
          '  solved without a person  1 (20.0%)  confirmed by the user 1, assumed 0',
          '  referred elsewhere       0 (0.0%)',
          '  handed off               1 (20.0%)',
          '  abandoned                1 (20.0%)',
          '  other or still going     2 (40.0%)',
          '',
          'Procedures (steps: reached / fixed there / gave up there)',
          '  access-forbidden-403: started 3',
          '    step 1 (registered): 3 / 0 / 1',
          '    step 2 (ssl-state): 1 / 1 / 0',
          '',
          'Recognition (problems stated)',
          '  understood 3 (60.0%), clarified 1 (20.0%), out of scope 1 (20.0%)',
          '',
          'Handoff',
          '  rate 20.0% (1 queued), claimed 1, closed 1',
          `  wait for an agent: median ${wait} s, p90 ${wait} s`,
          `  first agent reply after the case opened: median ${firstReply} s, p90 ${firstReply} s (1 replied)`,
          '  closing reasons: resolved by the agent 1',
          '',
          'Ratings',
          '  after the bot   1 rating, mean score 5.0',
          '  after an agent  1 rating, mean score 4.0',
          '',
          'Containment per day (UTC): conversations / solved confirmed / assumed / referred / handed off / abandoned / other',
          // 24 hours span two calendar days: the one with the conversations, and the one before or after it.
          ...days.map((line) => (line.startsWith(`  ${today} `) ? `  ${today}  5 / 1 / 0 / 0 / 1 / 1 / 2` : `${line.slice(0, 12)}  0 / 0 / 0 / 0 / 0 / 0 / 0`)),
          '',
        ].join('\n'),
      )
      expect(days).toHaveLength(2)
      expect(days.filter((line) => line.startsWith(`  ${today} `))).toHaveLength(1)
      // A period before any of it: nothing.
      expect((await report('--from', '2020-01-01', '--to', '2020-01-08')).stdout).toContain('Conversations: 0\n')
    } finally {
      db.close()
    }
  }, 120_000)

  it('refuses a period it cannot read, with the usage', async () => {
    for (const args of [['--since', '7x'], ['--from', '2026-13-01'], ['--since', '7d', '--from', '2026-11-01'], ['--bogus']]) {
      const failed = await report(...args).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      )
      expect(failed?.code).toBe(2)
      expect(failed?.stderr).toContain('usage: npm run report -- --since 7d')
    }
  }, 120_000)

  // After the first test: its five conversations, aged two hours, are the last 24 hours' figures.
  it('serves the same figures to the console: JSON for the Analytics view and CSV per table, for leads only', async () => {
    const get = (path: string, cookie?: string) =>
      fetch(`${running.url}/agent/api${path}`, { headers: cookie ? { cookie } : {} }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), text: await r.text() }))
    // No session: nothing, not even which tables exist.
    for (const path of ['/analytics?period=7d', '/analytics/csv/containment?period=7d', '/analytics/csv/nonsense']) {
      const r = await get(path)
      expect(r.status).toBe(401)
      expect(JSON.parse(r.text).error).toMatch(/not signed in/)
    }
    // An agent without the lead role is told why and how.
    const alice = await signIn(running.url, ALICE)
    const refused = await get('/analytics?period=7d', alice.cookie)
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.text).error).toMatch(/for help-desk leads.*"role": "lead" in AGENT_ACCOUNTS/)

    const carol = await signIn(running.url, CAROL)
    expect((await carol.call('GET', '/me')).body).toMatchObject({ username: 'carol', name: 'Carol Diaz', role: 'lead' })
    // Bad input: 400 with the reason.
    for (const query of ['', '?period=', '?period=7x', '?period=365d', '?period=24h&period=7d&x=1', '?since=7d']) {
      const r = await get(`/analytics${query}`, carol.cookie)
      expect(r.status, query).toBe(400)
      expect(JSON.parse(r.text).error, query).toMatch(/^(period must be one of 24h, 7d, 30d|unknown parameter)/)
    }
    const unknownTable = await get('/analytics/csv/passwords?period=7d', carol.cookie)
    expect(unknownTable.status).toBe(404)
    expect(JSON.parse(unknownTable.text).error).toBe('There is no such table: the tables are containment, trend, procedures, recognition, handoff, closing, ratings.')

    const { body } = await carol.call('GET', '/analytics?period=24h')
    expect(body.period).toBe('24h')
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3600 * 1000)
    expect(body.report.conversations).toBe(5)
    expect(body.report.containment).toEqual({ resolved: 1, confirmed: 1, assumed: 0, referred: 0, handedOff: 1, abandoned: 1, other: 2 })
    expect(body.report.recognition).toEqual({ understood: 3, clarified: 1, outOfScope: 1 })
    const wait = body.report.handoff.waitMedianSeconds as number
    const reply = body.report.handoff.firstReplyMedianSeconds as number
    expect(body.report.handoff).toEqual({
      queued: 1,
      claimed: 1,
      closed: 1,
      waitMedianSeconds: wait,
      waitP90Seconds: wait,
      replied: 1,
      firstReplyMedianSeconds: reply,
      firstReplyP90Seconds: reply,
      closedReasons: [{ reason: 'resolved', cases: 1 }],
    })
    expect(body.report.ratings).toEqual([
      { after: 'bot', count: 1, meanScore: 5 },
      { after: 'agent', count: 1, meanScore: 4 },
    ])
    const rows = Object.fromEntries((body.tables as { id: string; rows: unknown[][] }[]).map((t) => [t.id, t.rows]))
    expect(rows.containment).toEqual([
      ['Solved, confirmed by the user', 1, '20.0%'],
      ['Solved, assumed', 0, '0.0%'],
      ['Referred elsewhere', 0, '0.0%'],
      ['Handed off', 1, '20.0%'],
      ['Abandoned', 1, '20.0%'],
      ['Other or still going', 2, '40.0%'],
      ['All conversations', 5, '100.0%'],
    ])
    // The day with the conversations, and the other day the 24 hours touch, empty.
    const day = body.report.trend.find((t: { conversations: number }) => t.conversations > 0).day as string
    expect(rows.trend).toHaveLength(2)
    expect(rows.trend).toContainEqual([day, 5, 1, 0, 0, 1, 1, 2, '20.0%'])
    expect(rows.trend!.filter((r) => r[0] !== day)).toEqual([[expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 0, 0, 0, 0, 0, 0, 0, '-']])
    expect(rows.closing).toEqual([['resolved by the agent', 1, '100.0%']])
    expect(rows.ratings).toEqual([
      ['The bot', 1, '5.0'],
      ['An agent', 1, '4.0'],
    ])
    expect(rows.procedures).toEqual([
      ['access-forbidden-403', 3, 1, 'registered', 3, 0, 1],
      ['access-forbidden-403', 3, 2, 'ssl-state', 1, 1, 0],
    ])
    // A week holds the same four conversations.
    expect((await carol.call('GET', '/analytics?period=7d')).body.report.containment).toEqual(body.report.containment)

    const csv = await get('/analytics/csv/procedures?period=24h', carol.cookie)
    expect(csv.status).toBe(200)
    expect(csv.type).toBe('text/csv; charset=utf-8; header=present')
    expect(csv.text).toBe(
      'Procedure,Started,Step,Step id,Reached,Fixed there,Gave up there\r\n' +
        'access-forbidden-403,3,1,registered,3,0,1\r\n' +
        'access-forbidden-403,3,2,ssl-state,1,1,0\r\n',
    )
    const handoffCsv = await fetch(`${running.url}/agent/api/analytics/csv/handoff?period=30d`, { headers: { cookie: carol.cookie } })
    expect(handoffCsv.headers.get('content-disposition')).toMatch(/^attachment; filename="helpdesk-handoff-30d-\d{4}-\d{2}-\d{2}\.csv"$/)
    expect(await handoffCsv.text()).toBe(
      `Measure,Value\r\nHandoff rate,20.0%\r\nQueued,1\r\nClaimed by an agent,1\r\nClosed,1\r\nMedian wait for an agent (s),${Math.round(wait)}\r\np90 wait for an agent (s),${Math.round(wait)}\r\n` +
        `Cases with an agent reply,1\r\nMedian time to first agent reply (s),${Math.round(reply)}\r\np90 time to first agent reply (s),${Math.round(reply)}\r\n`,
    )
  }, 60_000)
})

describe('analytics: the review list and proposed training utterances', () => {
  // After the first describe: its conversations, aged two hours, are in the last 24 hours.
  it('lists the out-of-scope and clarified messages from the redacted transcripts, and files a lead’s proposal for the content owner', async () => {
    const alice = await signIn(running.url, ALICE)
    const carol = await signIn(running.url, CAROL)
    expect((await alice.call('GET', '/analytics/review?period=24h')).status).toBe(403)
    expect((await carol.call('GET', '/analytics/review?period=1y')).status).toBe(400)

    const { status, body } = await carol.call('GET', '/analytics/review?period=24h')

    expect(status).toBe(200)
    expect(body.items.map(({ lastAt: _lastAt, ...item }: { lastAt: number }) => item)).toEqual([
      { source: 'out-of-scope', text: 'can you help me renew my passport', conversations: 1, intentId: 'none', problem: 'Not matched to a problem the bot knows' },
      { source: 'clarified', text: 'EDIPI mismatch when logging in with CAC', conversations: 1, intentId: expect.any(String), problem: expect.any(String) },
    ])
    expect(body.intents).toContainEqual({ id: 'edipi-mismatch', title: expect.any(String) })
    expect(body.suggestions).toEqual([])

    // Bad proposals: 400 with the reason; nothing stored.
    const refused = [
      [{ text: 'EDIPI mismatch when logging in with CAC', intentId: 'no-such-intent', source: 'clarified' }, 'Choose one of the bot’s intents.'],
      [{ text: ' ', intentId: 'edipi-mismatch', source: 'clarified' }, 'The utterance is empty.'],
      [{ text: 'x'.repeat(301), intentId: 'edipi-mismatch', source: 'clarified' }, 'An utterance is at most 300 characters.'],
      [{ text: 'edipi mismatch', intentId: 'edipi-mismatch', source: 'automatic' }, 'source is out-of-scope or clarified'],
    ] as const
    for (const [proposal, reason] of refused) {
      const r = await carol.call('POST', '/analytics/suggestions', proposal)
      expect(r.status, reason).toBe(400)
      expect(r.body.error).toBe(reason)
    }
    expect((await alice.call('POST', '/analytics/suggestions', { text: 'edipi mismatch', intentId: 'edipi-mismatch', source: 'clarified' })).status).toBe(403)

    const added = await carol.call('POST', '/analytics/suggestions', { text: 'EDIPI mismatch when logging in with CAC', intentId: 'edipi-mismatch', source: 'clarified' })
    expect(added.status).toBe(201)
    // A secret typed into a proposal is removed like everywhere else.
    const pin = await carol.call('POST', '/analytics/suggestions', { text: 'my pin is 4471 and ako says 403', intentId: 'access-forbidden-403', source: 'out-of-scope' })
    expect(pin.body.suggestion.text).not.toContain('4471')

    const file = await fetch(`${running.url}/agent/api/analytics/suggestions.jsonl`, { headers: { cookie: carol.cookie } })
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="suggested-utterances-\d{4}-\d{2}-\d{2}\.jsonl"$/)
    const lines = (await file.text()).trim().split('\n').map((line) => JSON.parse(line))
    expect(lines.map(({ text, intent, source, suggestedBy }) => ({ text, intent, source, suggestedBy }))).toEqual([
      { text: 'EDIPI mismatch when logging in with CAC', intent: 'edipi-mismatch', source: 'clarified', suggestedBy: 'carol' },
      { text: pin.body.suggestion.text, intent: 'access-forbidden-403', source: 'out-of-scope', suggestedBy: 'carol' },
    ])

    expect((await carol.call('POST', `/analytics/suggestions/${pin.body.suggestion.id}/delete`, {})).status).toBe(200)
    expect((await carol.call('POST', `/analytics/suggestions/${pin.body.suggestion.id}/delete`, {})).status).toBe(404)
    expect((await carol.call('GET', '/analytics/review?period=24h')).body.suggestions.map((s: { text: string }) => s.text)).toEqual(['EDIPI mismatch when logging in with CAC'])
  }, 60_000)
})
