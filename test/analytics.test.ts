import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_ACCOUNTS, ALICE, signIn } from './helpers/agents.js'
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

/** A website user typing into the help page (Direct Line over HTTP). */
async function websiteUser() {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  return {
    conversationId,
    async say(text: string): Promise<void> {
      const r = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'message', from: { id: 'user' }, text }),
      })
      expect(r.status).toBe(200)
    },
  }
}

/** `npm run report` on the server's SQLite file, as staff would run it. */
async function report(...args: string[]) {
  return run('npx', ['tsx', 'src/tools/report.ts', ...args], { env: { ...process.env, DATA_DIR: data.dir, DATABASE_URL: '' } })
}

describe('analytics: npm run report after scripted conversations', () => {
  it('prints containment, the funnel, recognition and handoff figures of exactly what happened', async () => {
    // Resolved at step 2: clearing the SSL state (a sub-procedure of step 2) fixed it, and the user says so.
    const resolved = await websiteUser()
    for (const text of ['my cac says 403', 'yes', 'chrome', 'it works now']) await resolved.say(text)
    // Handed off from step 1, claimed by an agent, closed.
    const handedOff = await websiteUser()
    for (const text of ['my cac says 403', 'talk to a person']) await handedOff.say(text)
    const alice = await signIn(running.url, ALICE)
    const { cases } = (await alice.call('GET', '/queue')).body as { cases: { id: string; conversationId?: string }[] }
    expect(cases).toHaveLength(1)
    expect((await alice.call('POST', `/cases/${cases[0]!.id}/claim`, {})).status).toBe(200)
    expect((await alice.call('POST', `/cases/${cases[0]!.id}/close`, {})).status).toBe(200)
    // Abandoned at step 1: the question is never answered.
    const abandoned = await websiteUser()
    await abandoned.say('my cac says 403')
    // Out of scope, and nothing more.
    const outOfScope = await websiteUser()
    await outOfScope.say('can you help me renew my passport')

    const db = sqliteFile(data.dir)
    try {
      const rows = db.prepare('SELECT kind, data FROM analytics_events').all() as { kind: string; data: string }[]
      // No user text in any event: only ids, numbers and labels.
      for (const text of ['cac says', 'passport', 'person', 'chrome']) expect(rows.some((r) => r.data.toLowerCase().includes(text))).toBe(false)
      const wait = JSON.parse(rows.find((r) => r.kind === 'handoff.claimed')!.data).waitSeconds as number

      // Within the hour nobody has abandoned yet: the silent conversation is still going.
      expect((await report('--since', '24h')).stdout).toContain('  abandoned                0 (0.0%)\n')

      // Two hours later (the events aged as if so), the silent one is abandoned.
      db.prepare('UPDATE analytics_events SET at = at - 7200000').run()
      const { stdout } = await report('--since', '24h')
      expect(stdout.split('\n').slice(1).join('\n')).toBe(
        [
          'Conversations: 4',
          '',
          'Containment',
          '  solved without a person  1 (25.0%)  confirmed by the user 1, assumed 0',
          '  referred elsewhere       0 (0.0%)',
          '  handed off               1 (25.0%)',
          '  abandoned                1 (25.0%)',
          '  other or still going     1 (25.0%)',
          '',
          'Procedures (steps: reached / fixed there / gave up there)',
          '  access-forbidden-403: started 3',
          '    step 1 (registered): 3 / 0 / 1',
          '    step 2 (ssl-state): 1 / 1 / 0',
          '',
          'Recognition (problems stated)',
          '  understood 3 (75.0%), clarified 0 (0.0%), out of scope 1 (25.0%)',
          '',
          'Handoff',
          '  rate 25.0% (1 queued), claimed 1, closed 1',
          `  wait for an agent: median ${wait} s, p90 ${wait} s`,
          '',
        ].join('\n'),
      )
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
})
