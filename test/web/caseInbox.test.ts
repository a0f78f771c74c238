import { copyFileSync, mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { botMessages, botSays, button, launchChromium, SCREENSHOTS, seriousViolations, type, signInToConsole } from '../helpers/browser.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'
import { AGENT_ACCOUNTS, ALICE, BOB } from '../helpers/agents.js'

// The agent console as a help-desk inbox (issue 13), in Chromium: a user on the help page and agents in the console.

const data = tempDataDir()
let running: Running
let browser: Browser
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  running = await startServer(data.dir, { AGENT_ACCOUNTS, HANDOFF_WAIT_SECONDS: '60' })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await running?.stop()
  data.remove()
})

/** A user on the website over Direct Line (no browser needed for this one): says each message in turn. */
async function directLineUser(...texts: string[]): Promise<string> {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  for (const text of texts) {
    await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text }),
    })
  }
  return conversationId
}

describe('left messages, in Chromium', () => {
  it('a message left when nobody was free is answered by an agent, and the user sees the answer on coming back to the help page', { timeout: 120_000 }, async () => {
    const userContext = await browser.newContext({ viewport: { width: 1000, height: 900 } }) // one browser: its local storage keeps the chat
    const user = await userContext.newPage()
    const agent = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    const pageErrors: string[] = []
    for (const page of [user, agent]) page.on('pageerror', (err) => pageErrors.push(err.message))

    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    await type(user, 'can I talk to a person')
    await botSays(user, 'Your request number is').waitFor()
    await running.helpDesk.handoffQueue.expireOverdue(Date.now() + 61_000) // nobody claimed it in time
    await botSays(user, 'How can the help desk reach you?').waitFor()
    await type(user, '1234') // a PIN-shaped answer: refused, with the warning
    await botSays(user, 'be used to reach you, and nobody at the help desk will ever ask for it').waitFor() // Web Chat curls apostrophes
    expect(await botMessages(user).allTextContents()).toContainEqual(expect.stringMatching(/^That looked like a PIN\. Please never share your PIN/))
    await button(user, "I'll check back here").click()
    await botSays(user, 'What would you like to tell them?').waitFor()
    await type(user, 'My new CAC does not show any certificates when I log in')
    await botSays(user, 'your message is with the help desk').waitFor()
    expect(await botSays(user, 'your message is with the help desk').textContent()).toMatch(/answer will appear in this chat: keep this page open, or come back to it in this browser\.\s*$/)
    await user.close() // the user leaves the page

    await signInToConsole(agent, running.url, ALICE)
    await agent.getByRole('link', { name: 'Messages' }).click()
    const entry = agent.locator('#messages button').filter({ hasText: 'Message left: My new CAC does not show any certificates' })
    await entry.click()
    await agent.locator('#packet dd').filter({ hasText: 'Will check back in the chat' }).waitFor()
    expect(await agent.getByRole('button', { name: 'Claim' }).isHidden()).toBe(true) // answered, not joined
    expect(await agent.locator('#history').textContent()).toContain('The user left a message.')
    expect(await agent.locator('#transcript').textContent()).not.toContain('1234')
    expect(await seriousViolations(agent)).toEqual([])
    await agent.getByLabel("Answer the user's message").fill('Register your certificates with the CAC registration page again, then sign in.')
    await agent.getByRole('button', { name: 'Send answer' }).click()
    await agent.locator('#answer-result').filter({ hasText: "Delivered to the user's chat on the help page: they see it when they come back to the page." }).waitFor()
    await agent.locator('#history li').filter({ hasText: 'Alice Smith answered: "Register your certificates' }).waitFor()
    await agent.locator('#case-status').filter({ hasText: 'Message answered' }).waitFor()
    expect(await seriousViolations(agent)).toEqual([])
    await agent.screenshot({ path: `${SCREENSHOTS}/messages.png`, fullPage: true })

    const back = await userContext.newPage() // the user comes back to the help page
    await back.goto(`${running.url}/`)
    await botSays(back, 'About your message').waitFor({ timeout: 15_000 })
    expect(await botSays(back, 'About your message').textContent()).toMatch(
      /^Alice Smith \(help desk\): About your message \(request HD-[0-9A-F]{8}\): Register your certificates with the CAC registration page again, then sign in\./,
    )
    await type(back, 'thanks, that worked')
    await expect.poll(async () => (await botMessages(back).allTextContents()).at(-1)).not.toMatch(/About your message/) // the bot answers again

    expect(pageErrors).toEqual([])
    await agent.close()
    await userContext.close()
  })
})

describe('the Cases view and private notes, in Chromium', () => {
  it('finds an ended case by its id and by its error text, shows its whole history, and keeps notes from the user', { timeout: 120_000 }, async () => {
    const user = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    const alice = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const bob = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const pageErrors: string[] = []
    for (const page of [user, alice, bob]) page.on('pageerror', (err) => pageErrors.push(err.message))
    // Other cases around it, so the search has something to leave out.
    await directLineUser('I need to talk to a person')
    await directLineUser('my cac says edipi does not match', 'talk to a person')

    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    await type(user, 'I get 403 Access Forbidden when I log in to AKO')
    await botSays(user, 'Step 1').waitFor()
    await type(user, 'talk to a person')
    await botSays(user, 'Your request number is').waitFor()
    const caseId = /request number is (HD-[0-9A-F]{8})/.exec((await botSays(user, 'Your request number is').textContent())!)![1]!

    // Alice takes it, writes a private note, sends the user back to the bot, then closes the case: no error on the way.
    await signInToConsole(alice, running.url, ALICE)
    await alice.locator(`#queue button[data-case-id="${caseId}"]`).click()
    await alice.getByRole('button', { name: 'Claim' }).click()
    await botSays(user, 'Alice Smith from the help desk has joined the chat.').waitFor()
    await alice.getByLabel('Private note (agents only: never shown to the user)').fill('Checked DEERS: the new card is not linked yet.')
    await alice.getByRole('button', { name: 'Add note' }).click()
    await alice.locator('#history li.note').filter({ hasText: 'Private note by Alice Smith: Checked DEERS: the new card is not linked yet.' }).waitFor()
    await alice.getByRole('button', { name: 'Send back to the bot' }).click()
    await botSays(user, 'back with the help-desk bot').waitFor()
    await alice.locator('#case-status').filter({ hasText: 'Back with the bot' }).waitFor()
    await alice.getByRole('button', { name: 'Close…' }).click()
    await alice.getByRole('button', { name: 'Close the case' }).click()
    await alice.locator('#case-status').filter({ hasText: 'Closed' }).waitFor()
    expect(await alice.locator('#case-error').textContent()).toBe('')

    // Bob, another agent, sees the note; the user never does.
    await signInToConsole(bob, running.url, BOB)
    await bob.getByRole('link', { name: 'Cases' }).click()
    await bob.getByLabel('Case id, problem, error or message words').fill(caseId)
    await bob.getByRole('button', { name: 'Search' }).click()
    await bob.locator('#search-summary').filter({ hasText: /^1 case\.$/ }).waitFor()
    await bob.locator('#results-body button', { hasText: caseId }).click()
    await bob.locator('#history li.note').filter({ hasText: 'Checked DEERS' }).waitFor()
    expect(await bob.locator('#history li').allTextContents()).toEqual([
      expect.stringMatching(/^Opened: waiting for an agent\./),
      expect.stringMatching(/^Claimed by Alice Smith\./),
      expect.stringMatching(/^Private note by Alice Smith: Checked DEERS: the new card is not linked yet\./),
      expect.stringMatching(/^Sent back to the bot by Alice Smith\./),
      expect.stringMatching(/^Closed by Alice Smith: resolved by the agent\./),
    ])
    expect(await user.locator('.webchat__basic-transcript').textContent()).not.toContain('DEERS')
    const exported = await bob.evaluate((id) => fetch(`/agent/api/cases/${id}/transcript`).then((r) => r.text()), caseId)
    expect(exported).not.toContain('DEERS')

    // By its error text, among other cases, with filters.
    await alice.getByRole('link', { name: 'Cases' }).click()
    await alice.getByLabel('Case id, problem, error or message words').fill('access forbidden')
    await alice.getByLabel('Status').selectOption('closed')
    await alice.getByRole('button', { name: 'Search' }).click()
    await alice.locator('#search-summary').filter({ hasText: /^1 case\.$/ }).waitFor()
    const row = alice.locator('#results-body tr')
    expect(await row.locator('td').allTextContents()).toEqual([caseId, expect.any(String), 'Closed', expect.stringMatching(/Access Forbidden/), 'Alice Smith'])
    await alice.locator('#results-body button', { hasText: caseId }).click()
    await alice.locator('#case-heading').filter({ hasText: 'Access Forbidden' }).waitFor()
    await alice.getByLabel('Status').selectOption('')
    await alice.getByLabel('Case id, problem, error or message words').fill('')
    await alice.getByRole('button', { name: 'Search' }).click()
    await alice.locator('#search-summary').filter({ hasText: /^\d+ cases\.$/ }).waitFor()
    expect(await alice.locator('#results-body tr').count()).toBeGreaterThanOrEqual(3)
    expect(await seriousViolations(alice)).toEqual([])
    await alice.screenshot({ path: `${SCREENSHOTS}/cases.png`, fullPage: true })
    if (process.env.UPDATE_DOCS_SCREENSHOTS) copyFileSync(`${SCREENSHOTS}/cases.png`, 'docs/screenshots/cases.png')

    await bob.getByLabel('Case id, problem, error or message words').fill('%')
    await bob.getByRole('button', { name: 'Search' }).click()
    await bob.locator('#search-summary').filter({ hasText: 'No case matches.' }).waitFor() // % is a character, not a wildcard
    await bob.getByRole('link', { name: 'Messages' }).click()
    await bob.locator('#messages-view').waitFor()
    expect(await seriousViolations(bob)).toEqual([])
    expect(pageErrors).toEqual([])
    for (const page of [user, alice, bob]) await page.close()
  })
})
