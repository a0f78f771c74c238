import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { botSays, button, launchChromium, SCREENSHOTS, seriousViolations, settledOn, type } from '../helpers/browser.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'
import { AGENT_ACCOUNTS, ALICE } from '../helpers/agents.js'

const data = tempDataDir()
const env = { AGENT_ACCOUNTS }
let running: Running
let browser: Browser

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  running = await startServer(data.dir, env)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await running?.stop()
  data.remove()
})

describe('handoff in Chromium: a user on the website and an agent in the console', () => {
  it('hands a failed procedure to an agent, relays both ways, survives a restart, and returns the user to the bot', { timeout: 120_000 }, async () => {
    const user = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const agent = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const pageErrors: string[] = []
    for (const page of [user, agent]) page.on('pageerror', (err) => pageErrors.push(err.message))

    // The user walks a procedure that fails: the steps are used up, so the case opens at once.
    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    await type(user, 'I get "Page Cannot be Displayed" <img src=x onerror="window.pwned=1">')
    await button(user, 'No').click()
    await botSays(user, 'confirm SSL 2.0 is disabled').waitFor()
    await button(user, 'No').click()
    await botSays(user, 'Your request number is').waitFor()

    // The agent signs in and sees the queue entry with the packet.
    await agent.goto(`${running.url}/agent`)
    await agent.getByLabel('Username').fill(ALICE.username)
    await agent.getByLabel('Password').fill(ALICE.password)
    await agent.getByRole('button', { name: 'Sign in' }).click()
    await agent.locator('#login').waitFor({ state: 'hidden' }) // the form goes once signed in
    const entry = agent.locator('#queue button').filter({ hasText: '"Page Cannot be Displayed"' }).first()
    await entry.waitFor()
    await entry.click()
    await agent.locator('#packet dd').filter({ hasText: /^The bot's steps did not fix it$/ }).waitFor()
    expect(await agent.locator('#trail li').allTextContents()).toEqual([
      expect.stringMatching(/^Clear your browser's cache \(temporary internet files and cookies\): Which browser are you using\? → Chrome \(from the page, unconfirmed\)/),
      expect.stringMatching(/^Clear your browser's cache \(temporary internet files and cookies\): Try again now\. Does it work\? → No/),
      expect.stringMatching(/^"Page Cannot be Displayed": Does the page open now\? → No/),
    ])
    // The help page's own browser apart from what the user named (they named none here).
    expect(await agent.locator('#packet').innerText()).toMatch(/Browser \/ OS the user named\s+not said\s+Help page opened in\s+Chrome on Linux \(the device showing the chat/)
    await agent.getByRole('button', { name: 'Claim' }).click()
    await botSays(user, 'Alice Smith from the help desk has joined the chat.').waitFor()

    // Both ways, live: no reloads.
    await agent.locator('#reply-text').fill('Hello, I can see you tried clearing the cache. Which site are you opening?')
    await agent.getByRole('button', { name: 'Send', exact: true }).click()
    await botSays(user, 'Alice Smith (help desk): Hello, I can see you tried clearing the cache.').waitFor()
    await type(user, 'the AKO login page')
    await agent.locator('#transcript li').filter({ hasText: 'User: the AKO login page' }).waitFor()
    await agent.screenshot({ path: `${SCREENSHOTS}/agent-console.png`, fullPage: true })
    expect(await seriousViolations(agent)).toEqual([]) // agents may use screen readers too

    // Everything the user typed is text: the <img> they typed is not an element, and its script never ran.
    expect(await agent.locator('#transcript img, #queue img, #packet img').count()).toBe(0)
    expect(await agent.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
    await expect.poll(() => agent.locator('#transcript').textContent()).toContain('<img src=x onerror="window.pwned=1">')

    // A restart in the middle: the queue, the ownership and the transcript survive.
    const port = Number(new URL(running.url).port)
    await running.stop()
    running = await startServer(data.dir, env, port)
    await agent.reload()
    await agent.locator('#queue button').filter({ hasText: 'With you' }).first().click()
    await agent.locator('#transcript li').filter({ hasText: 'User: the AKO login page' }).waitFor()
    // The agent's own earlier message shows as theirs after the reload, not as the bot's.
    expect(await agent.locator('#transcript li.agent').first().textContent()).toMatch(/^Alice Smith: Hello, I can see you tried clearing the cache\./)
    await user.reload()
    await botSays(user, 'Which site are you opening?').waitFor({ timeout: 15_000 })
    await type(user, 'still the login page after the restart')
    await agent.locator('#transcript li').filter({ hasText: 'still the login page after the restart' }).waitFor({ timeout: 15_000 })

    // Back to the bot, which greets the user and answers again.
    await agent.getByRole('button', { name: 'Send back to the bot' }).click()
    await botSays(user, 'back with the help-desk bot').waitFor() // Web Chat curls the apostrophe
    await type(user, 'thanks')
    await botSays(user, 'If anything else goes wrong with your CAC').waitFor()
    await settledOn(user, botSays(user, 'If anything else goes wrong with your CAC'))
    await user.screenshot({ path: `${SCREENSHOTS}/user-after-handoff.png` })
    expect(pageErrors).toEqual([])
  })
})
