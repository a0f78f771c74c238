import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { botSays, launchChromium, SCREENSHOTS, seriousViolations, type, signInToConsole } from '../helpers/browser.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'
import { AGENT_ACCOUNTS, ALICE } from '../helpers/agents.js'

const TITLE = 'Agent console – CAC Help Desk'
const ZONE = 'Pacific/Honolulu' // UTC-10 all year: a local time here never reads as the UTC one

let browser: Browser
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
})

/** Counts permission requests and notifications shown, around the real Notification API. */
const NOTIFICATION_SPY = () => {
  const w = window as unknown as { __asks: number; __notes: string[]; Notification: typeof Notification }
  w.__asks = 0
  w.__notes = []
  const Real = window.Notification
  class Spy extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options)
      w.__notes.push(title)
    }
    static override get permission() {
      return Real.permission
    }
    static override requestPermission(...args: Parameters<typeof Notification.requestPermission>) {
      w.__asks++
      return Real.requestPermission(...args)
    }
  }
  w.Notification = Spy
}

describe('the agent console as an inbox, in Chromium: a user on the website and an agent', () => {
  const data = tempDataDir()
  let running: Running
  beforeAll(async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })
  })
  afterAll(async () => {
    await running?.stop()
    data.remove()
  })

  it('alerts on a new case, shows local times, sends on Enter, and shows typing both ways', { timeout: 120_000 }, async () => {
    const agentContext = await browser.newContext({ timezoneId: ZONE, locale: 'en-US', viewport: { width: 1280, height: 900 } })
    await agentContext.addInitScript(NOTIFICATION_SPY)
    const agent = await agentContext.newPage()
    const user = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    const pageErrors: string[] = []
    for (const page of [user, agent]) page.on('pageerror', (err) => pageErrors.push(err.message))

    // Signed in with an empty queue: no counter, and no permission asked on load.
    await signInToConsole(agent, running.url, ALICE)
    await agent.locator('#queue-empty').waitFor()
    expect(await agent.title()).toBe(TITLE)
    expect(await agent.evaluate(() => (window as unknown as { __asks: number }).__asks)).toBe(0)
    expect(await agent.evaluate(() => Notification.permission)).toBe('default')

    // The agent turns on the sound (it plays once, to check) and desktop notifications (asked on this click).
    await agent.getByLabel('Sound for new cases').check()
    await expect.poll(() => agent.evaluate(() => document.body.dataset.chimed)).toBe('1')
    await agentContext.grantPermissions(['notifications'], { origin: running.url })
    await agent.getByRole('button', { name: 'Turn on desktop notifications' }).click()
    await agent.getByText('Desktop notifications are on for new cases.').waitFor()
    expect(await agent.evaluate(() => (window as unknown as { __asks: number }).__asks)).toBe(1)

    // A user asks for a person: the title counts the waiting case, the chime plays, a notification shows.
    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    await type(user, 'I want to talk to a person')
    await botSays(user, 'Your request number is').waitFor()
    await expect.poll(() => agent.title()).toBe(`(1) ${TITLE}`)
    await expect.poll(() => agent.evaluate(() => document.body.dataset.chimed)).toBe('2')
    expect(await agent.evaluate(() => (window as unknown as { __notes: string[] }).__notes)).toEqual(['New case: The user asked for a person'])

    // The queue and the case in the agent's own time zone, and titles, not ids.
    const entry = agent.locator('#queue button').filter({ hasText: 'The user asked for a person' }).first()
    await expect.poll(() => entry.textContent()).toMatch(/Waiting · waiting less than a minute · HD-[0-9A-F]{8}/)
    await entry.click()
    await agent.locator('#packet dd').filter({ hasText: /^The user asked for a person$/ }).waitFor()
    const stamps = await agent.locator('#transcript time').evaluateAll((nodes) => nodes.map((n) => ({ iso: n.getAttribute('datetime')!, shown: n.textContent! })))
    expect(stamps.length).toBeGreaterThan(1)
    for (const { iso, shown } of stamps) {
      expect(shown).toBe(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' }).format(new Date(iso)))
      expect(shown).not.toBe(new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', minute: '2-digit' }).format(new Date(iso)))
    }
    expect(await agent.locator('#transcript').textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/) // no raw ISO times

    await agent.getByRole('button', { name: 'Claim' }).click()
    await botSays(user, 'Alice Smith from the help desk has joined the chat.').waitFor()
    await expect.poll(() => agent.title()).toBe(TITLE) // nobody waits any more

    // Agent typing → Web Chat's typing indicator for the user.
    await agent.locator('#reply-text').click()
    await agent.keyboard.type('Hello, I am Alice.')
    await user.locator('.webchat__typing-indicator').waitFor({ timeout: 10_000 })

    // Shift+Enter breaks the line; Enter sends.
    await agent.keyboard.press('Shift+Enter')
    await agent.keyboard.type('Which site are you opening?')
    expect(await agent.locator('#reply-text').inputValue()).toBe('Hello, I am Alice.\nWhich site are you opening?')
    await agent.keyboard.press('Enter')
    await botSays(user, 'Which site are you opening?').waitFor()
    await expect.poll(() => agent.locator('#reply-text').inputValue()).toBe('')
    expect(await botSays(user, 'Which site are you opening?').textContent()).toContain('Alice Smith (help desk): Hello, I am Alice.')

    // User typing → "The user is typing…" in the console; it goes when their message arrives.
    await user.locator('[data-id="webchat-sendbox-input"]').click()
    await user.keyboard.type('the AKO login page', { delay: 40 })
    await agent.getByText('The user is typing…').waitFor({ timeout: 10_000 })
    await user.keyboard.press('Enter')
    await agent.locator('#transcript li.user').filter({ hasText: 'User: the AKO login page' }).waitFor()
    await expect.poll(() => agent.locator('#typing').textContent()).toBe('')

    expect(await seriousViolations(agent)).toEqual([])
    await agent.screenshot({ path: `${SCREENSHOTS}/agent-inbox-typing.png` })
    expect(pageErrors).toEqual([])
    await agentContext.close()
    await user.close()
  })

  it('tells an agent in a sentence why an ended case cannot be claimed', { timeout: 60_000 }, async () => {
    const agent = await browser.newPage()
    await user0(running.url)
    await signInToConsole(agent, running.url, ALICE)
    const queued = (await running.helpDesk.handoffQueue.list(['waiting'])).at(-1)!
    await agent.locator(`#queue button[data-case-id="${queued.id}"]`).click()
    await agent.locator('#case-heading').filter({ hasText: 'The user asked for a person' }).waitFor()
    await running.helpDesk.handoffQueue.close(queued.id, 'bob') // closed meanwhile, e.g. by another agent

    await agent.getByRole('button', { name: 'Claim' }).click()

    await agent.locator('#case-error').filter({ hasText: 'This case is closed. There is no live chat to join' }).waitFor()
    expect(await agent.locator('#case-error').textContent()).not.toMatch(/case-ended|HTTP|\d{3}/)
    await agent.close()
  })
})

/** A conversation that asks for a person, over Direct Line (no browser needed for this user). */
async function user0(url: string): Promise<void> {
  const { conversationId, token } = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  await fetch(`${url}/v3/directline/conversations/${conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'talk to a person' }),
  })
}

describe('with no agent accounts (a plain npm start), in Chromium', () => {
  const data = tempDataDir()
  let running: Running
  beforeAll(async () => {
    running = await startServer(data.dir)
  })
  afterAll(async () => {
    await running?.stop()
    data.remove()
  })

  it('tells the user no agent is available here, and the console says how to add accounts', { timeout: 60_000 }, async () => {
    const user = await browser.newPage()
    const agent = await browser.newPage()

    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    await type(user, 'can I talk to a real person')
    await botSays(user, 'No help-desk agent is available through this chat').waitFor()
    expect(await user.locator('.webchat__bubble').allTextContents()).not.toContainEqual(expect.stringMatching(/connecting you/))

    await agent.goto(`${running.url}/agent`)
    const setup = agent.locator('#login-setup')
    await setup.waitFor()
    expect(await setup.textContent()).toMatch(/^No agent accounts are configured on this server, so nobody can sign in\. .*npm run agent:hash.*AGENT_ACCOUNTS/)
    expect(await seriousViolations(agent)).toEqual([])
    await agent.screenshot({ path: `${SCREENSHOTS}/agent-sign-in-no-accounts.png` })
    await user.close()
    await agent.close()
  })
})
