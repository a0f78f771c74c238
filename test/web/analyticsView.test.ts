import { copyFileSync, mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, SCREENSHOTS, seriousViolations, signInToConsole } from '../helpers/browser.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'
import { AGENT_ACCOUNTS, ALICE, CAROL } from '../helpers/agents.js'
import { ageConversations, playScriptedConversations } from '../helpers/analytics.js'
import { reportFor, reportTables } from '../../src/analytics/tables.js'

const data = tempDataDir()
let running: Running
let browser: Browser

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  running = await startServer(data.dir, { AGENT_ACCOUNTS })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await running?.stop()
  data.remove()
})

/** Each table of the view as its cells' text, by table id. */
const tablesOf = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLTableElement>('#analytics-panels table')].map((t) => [
        t.id.replace(/^table-/, ''),
        [...t.tBodies[0]!.rows].map((r) => [...r.cells].map((c) => c.textContent)),
      ]),
    ),
  )

describe('the Analytics view in Chromium', () => {
  it('shows a lead the report figures as charts, tables and CSV; agents do not see it', { timeout: 120_000 }, async () => {
    await playScriptedConversations(running.url)
    // Two hours later (the events aged as if so): the silent conversation is abandoned.
    ageConversations(data.dir, 2 * 60 * 60 * 1000)

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const problems: string[] = []
    page.on('pageerror', (err) => problems.push(err.message))
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text())
    })
    const elsewhere: string[] = []
    page.on('request', (request) => {
      if (!request.url().startsWith(running.url)) elsewhere.push(request.url())
    })
    await signInToConsole(page, running.url, CAROL)
    await page.getByRole('link', { name: 'Analytics' }).click()
    await page.locator('#analytics[data-period="7d"]').waitFor()

    // The figures in the tables are the report's: the same computation, and what the scripted conversations made.
    const expected = (period: '24h' | '7d') =>
      reportFor(running.helpDesk.stores.analytics, period).then((r) => Object.fromEntries(reportTables(r).map((t) => [t.id, t.rows.map((row) => row.map(String))])))
    const shown = await tablesOf(page)
    expect(shown).toEqual(await expected('7d'))
    expect(shown.containment).toEqual([
      ['Solved, confirmed by the user', '1', '20.0%'],
      ['Solved, assumed', '0', '0.0%'],
      ['Referred elsewhere', '0', '0.0%'],
      ['Handed off', '1', '20.0%'],
      ['Abandoned', '1', '20.0%'],
      ['Other or still going', '2', '40.0%'],
      ['All conversations', '5', '100.0%'],
    ])
    expect(shown.procedures).toEqual([
      ['access-forbidden-403', '3', '1', 'registered', '3', '0', '1'],
      ['access-forbidden-403', '3', '2', 'ssl-state', '1', '1', '0'],
    ])
    expect(shown.recognition).toEqual([
      ['Understood', '3', '60.0%'],
      ['Clarified', '1', '20.0%'],
      ['Out of scope', '1', '20.0%'],
    ])
    expect(shown.handoff!.slice(0, 4)).toEqual([['Handoff rate', '20.0%'], ['Queued', '1'], ['Claimed by an agent', '1'], ['Closed', '1']])
    expect(shown.handoff![6]).toEqual(['Cases with an agent reply', '1'])
    expect(shown.closing).toEqual([['resolved by the agent', '1', '100.0%']])
    expect(shown.ratings).toEqual([
      ['The bot', '1', '5.0'],
      ['An agent', '1', '4.0'],
    ])
    // Seven days: eight calendar days touched, one of them with all five conversations.
    expect(shown.trend).toHaveLength(8)
    expect(shown.trend!.filter((row) => row[1] !== '0').map((row) => row.slice(1))).toEqual([['5', '1', '0', '0', '1', '1', '2', '20.0%']])

    // Every chart drawn by Chart.js: one per table, one per procedure, and the waits; bars are coloured pixels (the
    // agent claimed at once, so the waits are 0 s: that chart has its axes only).
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLCanvasElement>('#analytics-panels canvas')].map((canvas) => {
        const { width, height } = canvas
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, width, height).data
        let coloured = 0
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3]! > 0 && !(pixels[i] === pixels[i + 1] && pixels[i + 1] === pixels[i + 2])) coloured++
        const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(canvas)
        return { table: canvas.dataset.table, label: canvas.getAttribute('aria-label'), chart: chart !== undefined, width, coloured }
      }),
    )
    expect(charts.map((c) => c.table)).toEqual(['containment', 'trend', 'procedures', 'recognition', 'handoff', 'handoff', 'closing', 'ratings'])
    for (const c of charts) {
      expect(c.chart, c.label!).toBe(true)
      expect(c.width, c.label!).toBeGreaterThan(200)
      if (!c.label!.includes('wait')) expect(c.coloured, c.label!).toBeGreaterThan(300) // the bars, not just grey axes
    }

    // A CSV link per table, answering with the same figures.
    const links = await page.locator('#analytics-panels a.csv').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))
    expect(links.map((href) => new URL(href).pathname)).toEqual(
      ['containment', 'trend', 'procedures', 'recognition', 'handoff', 'closing', 'ratings'].map((t) => `/agent/api/analytics/csv/${t}`),
    )
    const csv = await page.evaluate((href) => fetch(href).then(async (r) => ({ type: r.headers.get('content-type'), text: await r.text() })), links[0]!)
    expect(csv.type).toMatch(/^text\/csv/)
    expect(csv.text).toContain('"Solved, confirmed by the user",1,20.0%\r\n')

    // The review list: the out-of-scope and the clarified message, read from their redacted transcripts.
    await page.locator('#review[data-period="7d"]').waitFor()
    const review = () =>
      page.evaluate(() => [...document.querySelectorAll<HTMLTableRowElement>('#table-review tbody tr')].map((r) => [...r.cells].slice(0, 3).map((c) => c.textContent)))
    expect(await review()).toEqual([
      ['Out of scope', 'can you help me renew my passport', '1'],
      ['Clarified (asked which)', 'EDIPI mismatch when logging in with CAC', '1'],
    ])
    // Nothing is proposed without an intent chosen; with one, it is filed for the content owner.
    await page.getByRole('button', { name: 'Propose “can you help me renew my passport” as a training utterance' }).click()
    expect(await page.locator('#review-error').textContent()).toBe('Choose the intent this message should teach first.')
    await page.getByLabel('Intent to teach with “EDIPI mismatch when logging in with CAC”').selectOption('edipi-mismatch')
    await page.getByRole('button', { name: 'Propose “EDIPI mismatch when logging in with CAC” as a training utterance' }).click()
    await expect
      .poll(() => page.locator('#suggestions li').allTextContents())
      .toEqual([expect.stringMatching(/^“EDIPI mismatch when logging in with CAC” → .+ \(edipi-mismatch\), proposed by carolDelete$/)])
    const jsonl = await page.evaluate(() => fetch('/agent/api/analytics/suggestions.jsonl').then((r) => r.text()))
    expect(jsonl.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { text: 'EDIPI mismatch when logging in with CAC', intent: 'edipi-mismatch', source: 'clarified', suggestedBy: 'carol', at: expect.any(String) },
    ])

    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: `${SCREENSHOTS}/analytics.png`, fullPage: true })
    // The README's copy: refreshed on demand, so a test run does not rewrite a committed file.
    if (process.env.UPDATE_DOCS_SCREENSHOTS) copyFileSync(`${SCREENSHOTS}/analytics.png`, 'docs/screenshots/analytics.png')

    // Another period: fetched and drawn again (the events are two hours old, so the last 24 hours hold them all).
    await page.getByLabel('Period').selectOption('24h')
    await page.locator('#analytics[data-period="24h"]').waitFor()
    expect(await tablesOf(page)).toEqual(await expected('24h'))
    expect(await page.locator('#analytics-panels canvas').count()).toBe(8)

    // A reload stays on the view; nothing came from anywhere but this server, and the CSP refused nothing.
    await page.reload()
    await page.locator('#analytics[data-period="7d"]').waitFor()
    expect(elsewhere).toEqual([])
    expect(problems).toEqual([])

    // An agent without the lead role has no Analytics link, and the address alone shows the queue.
    const agent = await browser.newPage()
    await signInToConsole(agent, running.url, ALICE)
    expect(await agent.getByRole('link', { name: 'Analytics' }).count()).toBe(0)
    await agent.goto(`${running.url}/agent#analytics`)
    await agent.locator('#desk').waitFor()
    expect(await agent.locator('#analytics').isHidden()).toBe(true)
  })
})
