import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spikesAt, watchOutages } from '../src/analytics/outage.js'
import { createLogger } from '../src/core/logger.js'
import { DEFAULT_SPIKE_RULE, findSpikes, poissonUpperTail } from '../src/core/spikes.js'
import { AGENT_ACCOUNTS, ALICE, signIn } from './helpers/agents.js'
import { websiteUser } from './helpers/analytics.js'
import { sink } from './helpers/sink.js'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'

const HOUR = 60 * 60 * 1000

describe('the outage-spike rule', () => {
  it.each([
    { k: 0, mean: 2, p: 1 },
    { k: 1, mean: 2, p: 1 - Math.exp(-2) },
    { k: 6, mean: 2, p: 0.016563608 },
    { k: 10, mean: 2, p: 4.6498075e-5 },
    { k: 12, mean: 4, p: 9.1522915e-4 },
    { k: 40, mean: 20, p: 5.3202025e-5 },
    { k: 40, mean: 30, p: 0.046253038 },
    { k: 8, mean: 0.05, p: 9.2670799e-16 }, // where 1 minus the lower terms would round to nothing
  ])('gives P(X >= $k) for a Poisson mean of $mean (checked with mpmath at 30 digits)', ({ k, mean, p }) => {
    expect(poissonUpperTail(k, mean) / p).toBeCloseTo(1, 6)
  })

  it.each([
    { lastHour: 8, week: 0, spike: true, why: 'eight conversations about a problem nobody reported all week' },
    { lastHour: 7, week: 0, spike: false, why: 'fewer than the minimum count, however quiet it was' },
    { lastHour: 10, week: 2 * 168, spike: true, why: 'ten where two an hour are usual (chance 5 in 100,000)' },
    { lastHour: 6, week: 2 * 168, spike: false, why: 'six where two an hour are usual (chance 1.7 in 100)' },
    { lastHour: 12, week: 4 * 168, spike: false, why: 'twelve where four an hour are usual (chance 9 in 10,000)' },
    { lastHour: 40, week: 20 * 168, spike: true, why: 'forty where twenty an hour are usual (chance 5 in 100,000)' },
  ])('$why: spike $spike', ({ lastHour, week, spike }) => {
    const spikes = findSpikes(new Map([['access-forbidden-403', lastHour]]), new Map([['access-forbidden-403', week]]))

    expect(spikes.length > 0).toBe(spike)
    if (spike) expect(spikes[0]).toMatchObject({ intentId: 'access-forbidden-403', lastHour, usualPerHour: week / DEFAULT_SPIKE_RULE.baselineHours })
  })
})

describe('outage alerts and the service notice, through the real server', () => {
  const data = tempDataDir()
  let running: Running
  beforeAll(async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })
  })
  afterAll(async () => {
    await running?.stop()
    data.remove()
  })

  it('alerts agents when many "403" conversations come in one hour, and not when that many are usual', async () => {
    const alice = await signIn(running.url, ALICE)
    const problem = (id: string) => id === 'access-forbidden-403' || id === 'page-cannot-be-displayed'
    const { analytics } = running.helpDesk.stores

    for (let i = 0; i < 8; i++) await (await websiteUser(running.url)).say(i % 2 ? 'ako gives me 403 forbidden' : 'my cac says 403')
    const other = await websiteUser(running.url)
    await other.say('page cannot be displayed')

    const { body } = await alice.call('GET', '/outage')
    expect(body).toEqual({
      spikes: [{ intentId: 'access-forbidden-403', problem: expect.stringMatching(/403/), lastHour: 8, usualPerHour: 0, probability: expect.any(Number) }],
      notice: null,
    })
    expect((await fetch(`${running.url}/agent/api/outage`)).status).toBe(401)

    // The logs say it once, from the instance holding the job.
    const logs = sink()
    const watch = watchOutages({ events: analytics, jobs: running.helpDesk.stores.jobs, logger: createLogger({ level: 'info', destination: logs }), isProblem: problem, intervalMs: 20 })
    await expect.poll(() => logs.lines.filter((l) => l.msg === 'outage spike')).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 100))
    watch.stop()
    expect(logs.lines.filter((l) => l.msg === 'outage spike')).toEqual([expect.objectContaining({ level: 40, intentId: 'access-forbidden-403', lastHour: 8, usualPerHour: 0 })])

    // A week in which 4 conversations an hour were usual: 8 in the last hour is not an outage.
    const now = Date.now()
    for (let i = 0; i < 4 * 168; i++) {
      void analytics.append({
        at: now - HOUR - (i + 0.5) * (HOUR / 4),
        channelId: 'webchat',
        conversationId: `history-${i}`,
        kind: 'intent.recognised',
        data: { intentId: 'access-forbidden-403', score: 0.9, clarified: false, outOfScope: false },
      })
    }
    expect(await spikesAt(analytics, problem, Date.now())).toEqual([])
  }, 120_000)

  it('lets an agent set a notice that the help page shows and the bot says first on every channel, until it expires or is cleared', async () => {
    const alice = await signIn(running.url, ALICE)
    const notice = async () => (await fetch(`${running.url}/api/notice`)).json()
    const welcomeOn = async (channel: 'website' | 'emulator') => {
      if (channel === 'emulator') {
        const conversation = { id: `emulator-${Math.random()}` }
        const r = await fetch(`${running.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'message', id: 'm1', channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies', conversation, from: { id: 'u' }, recipient: { id: 'bot' }, text: 'hi' }),
        })
        return ((await r.json()) as { activities: { type: string; text?: string; textFormat?: string }[] }).activities.filter((a) => a.type === 'message')
      }
      const user = await websiteUser(running.url)
      await user.say('hi')
      const log = await running.helpDesk.stores.activities.after(user.conversationId, 0)
      return (log.activities as { type: string; text?: string; textFormat?: string; from: { role?: string; id: string } }[]).filter((a) => a.type === 'message' && a.from.role !== 'user')
    }
    expect(await notice()).toEqual({ notice: null })

    // Bad input: 400 with the reason, and nothing set. Not signed in: 401; not JSON: 415.
    const refused = [
      [{ text: 'Outage', minutes: 60 }, 'Write the notice (at least 10 characters).'],
      [{ text: 'x'.repeat(281), minutes: 60 }, 'A notice is at most 280 characters: people read it on a phone.'],
      [{ text: 'Many users report 403 errors.', minutes: 5 }, 'A notice lasts at least 15 minutes.'],
      [{ text: 'Many users report 403 errors.', minutes: 1441 }, 'A notice lasts at most 24 hours (1440 minutes); set it again if the outage goes on.'],
      [{ text: 'Many users report 403 errors.', minutes: 60.5 }, 'minutes is a whole number'],
      [{ text: 'Many users report \u202e403 errors.', minutes: 60 }, 'The notice holds invisible or control characters: type it again as plain text.'],
      [{ text: 'Many users report 403 errors.' }, 'minutes is required'],
    ] as const
    for (const [input, reason] of refused) {
      const r = await alice.call('POST', '/notice', input)
      expect(r.status, reason).toBe(400)
      expect(r.body.error).toBe(reason)
    }
    expect((await alice.call('POST', '/notice', { text: 'Many users report 403 errors.', minutes: 60, html: true })).status).toBe(400)
    expect((await fetch(`${running.url}/agent/api/notice`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401)
    const form = await fetch(`${running.url}/agent/api/notice`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=x&minutes=60' })
    expect(form.status).toBe(415)
    expect(await notice()).toEqual({ notice: null })

    const text = 'Many users are reporting "403 – Access Forbidden" <b>right now</b>;\n  we are working on it.'
    const set = await alice.call('POST', '/notice', { text, minutes: 15 })
    expect(set.status).toBe(200)
    const shown = 'Many users are reporting "403 – Access Forbidden" <b>right now</b>; we are working on it.'
    expect(set.body.notice).toMatchObject({ text: shown, setBy: 'alice', setByName: 'Alice Smith' })
    expect(set.body.notice.expiresAt - set.body.notice.setAt).toBe(15 * 60_000)
    const onPage = await notice()
    expect(onPage.notice.text).toBe(shown)
    expect(onPage.notice.expiresInSeconds).toBeGreaterThan(14 * 60)
    expect(onPage.notice.expiresInSeconds).toBeLessThanOrEqual(15 * 60)
    expect((await alice.call('GET', '/outage')).body.notice).toMatchObject({ text: shown, setByName: 'Alice Smith' })

    // The bot says it first, as plain text, then welcomes: on the website and on any Bot Framework channel.
    for (const channel of ['website', 'emulator'] as const) {
      const replies = await welcomeOn(channel)
      expect(replies[0], channel).toMatchObject({ text: shown, textFormat: 'plain' })
      expect(replies[1]!.text, channel).toMatch(/I'm the CAC help-desk bot/)
    }

    // Expired (the row aged as if 15 minutes had passed): gone from the page and the bot, without anyone clearing it.
    const db = sqliteFile(data.dir)
    db.prepare('UPDATE service_notice SET expires_at = ?').run(Date.now() - 1)
    db.close()
    expect(await notice()).toEqual({ notice: null })
    expect((await welcomeOn('website'))[0]!.text).toMatch(/I'm the CAC help-desk bot/)

    // Cleared early by an agent.
    expect((await alice.call('POST', '/notice', { text: 'Page Cannot be Displayed for many users right now.', minutes: 1440 })).status).toBe(200)
    expect((await notice()).notice.text).toBe('Page Cannot be Displayed for many users right now.')
    expect((await alice.call('POST', '/notice/clear', {})).status).toBe(200)
    expect(await notice()).toEqual({ notice: null })
    expect((await welcomeOn('emulator'))[0]!.text).toMatch(/I'm the CAC help-desk bot/)
  }, 120_000)
})
