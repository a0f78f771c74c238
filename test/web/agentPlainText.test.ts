import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { AGENT_ACCOUNTS, ALICE, signIn } from '../helpers/agents.js'
import { botMessages, botSays, launchChromium, type } from '../helpers/browser.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'

const data = tempDataDir()
let running: Running
let browser: Browser
beforeAll(async () => {
  running = await startServer(data.dir, { AGENT_ACCOUNTS })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await running?.stop()
  data.remove()
})

describe('an agent\'s message in Web Chat', () => {
  it('is shown as plain text: no markdown, no HTML, no links', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`${running.url}/`)
    await expect.poll(() => botMessages(page).first().textContent(), { timeout: 15_000 }).toMatch(/CAC help-desk bot/)
    await type(page, 'talk to a person please')
    await botSays(page, 'connecting you with a help-desk agent').waitFor()
    const alice = await signIn(running.url, ALICE)
    const queued = (await alice.call('GET', '/queue')).body.cases[0]
    await alice.call('POST', `/cases/${queued.id}/claim`, {})

    await alice.call('POST', `/cases/${queued.id}/messages`, { text: '**urgent** <b>bold</b> [click here](http://attacker.example/)' })
    const bubble = botSays(page, 'Alice Smith (help desk):')
    await bubble.waitFor()

    expect(await bubble.textContent()).toContain('**urgent** <b>bold</b> [click here](http://attacker.example/)')
    expect(await bubble.locator('strong, b, a, em').count()).toBe(0)
    await page.close()
  })
})
