import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { botSays, button, launchChromium, SCREENSHOTS, seriousViolations, type, signInToConsole } from '../helpers/browser.js'
import { sqliteFile, startServer, tempDataDir, type Running } from '../helpers/server.js'
import { AGENT_ACCOUNTS, ALICE, BOB } from '../helpers/agents.js'

let browser: Browser
const data = tempDataDir()
let running: Running
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  browser = await launchChromium()
  running = await startServer(data.dir, { AGENT_ACCOUNTS })
})
afterAll(async () => {
  await browser?.close()
  await running?.stop()
  data.remove()
})

/** The ratings stored on disk, as a lead would find them. */
function storedRatings(): { after: string; score: number | null; comment: string | null; case_id: string | null; procedure_id: string | null }[] {
  const db = sqliteFile(data.dir)
  try {
    return db.prepare('SELECT after, score, comment, case_id, procedure_id FROM ratings ORDER BY asked_at').all() as ReturnType<typeof storedRatings>
  } finally {
    db.close()
  }
}

describe('desk tools in Chromium: a user on the help page and two agents', () => {
  it('a canned reply edited and sent, a transfer from Alice to Bob, a close with its reason, and the rating stored with the case', { timeout: 180_000 }, async () => {
    const aliceContext = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    const bobContext = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
    const alice = await aliceContext.newPage()
    const bob = await bobContext.newPage()
    const user = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    const pageErrors: string[] = []
    for (const page of [user, alice, bob]) page.on('pageerror', (err) => pageErrors.push(err.message))
    await signInToConsole(alice, running.url, ALICE)
    await signInToConsole(bob, running.url, BOB)

    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    await type(user, 'I want to talk to a person')
    await botSays(user, 'Your request number is').waitFor()
    const caseId = (await running.helpDesk.handoffQueue.list(['waiting'])).at(-1)!.id

    // Alice claims, picks a canned reply with the keyboard, edits it and sends it.
    await alice.locator(`#queue button[data-case-id="${caseId}"]`).click()
    await alice.getByRole('button', { name: 'Claim' }).click()
    await botSays(user, 'Alice Smith from the help desk has joined the chat.').waitFor()
    const canned = alice.getByLabel('Canned reply')
    await canned.waitFor()
    await canned.focus()
    await alice.keyboard.press('ArrowDown') // the first reply: the locked PIN and the ID card office
    expect(await canned.inputValue()).toBe('pin-locked-id-card-office')
    await alice.keyboard.press('Tab')
    await expect.poll(() => alice.evaluate(() => document.activeElement?.id)).toBe('insert-canned')
    await alice.keyboard.press('Enter')
    await expect.poll(() => alice.evaluate(() => document.activeElement?.id)).toBe('reply-text') // ready to edit
    expect(await alice.locator('#reply-text').inputValue()).toMatch(/^If you do not know your current PIN .* AKO\/DKO does not have the ability to reset your PIN\.$/)
    await alice.keyboard.type(' I can stay with you while you find their hours.')
    expect(await seriousViolations(alice)).toEqual([]) // the canned-reply picker, with a reply in the box
    await alice.keyboard.press('Enter')
    await botSays(user, 'I can stay with you while you find their hours.').waitFor()
    expect(await botSays(user, 'I can stay with you').textContent()).toContain('Alice Smith (help desk): If you do not know your current PIN')

    // Alice passes the case to Bob: the transfer form, then Bob's console says it arrived.
    await alice.getByRole('button', { name: 'Transfer…' }).click()
    const to = alice.getByLabel('Pass this case to')
    await expect.poll(() => alice.evaluate(() => document.activeElement?.id)).toBe('transfer-to')
    expect(await to.locator('option').allTextContents()).toEqual(['Bob Jones', 'The queue (the next free agent)'])
    expect(await seriousViolations(alice)).toEqual([]) // with the transfer form open
    await alice.getByRole('button', { name: 'Transfer', exact: true }).click()
    await botSays(user, 'Alice Smith has passed your chat to Bob Jones from the help desk').waitFor()
    const notice = bob.locator('#desk-notice')
    await notice.filter({ hasText: `Alice Smith passed case ${caseId} to you.` }).waitFor()
    expect(await seriousViolations(bob)).toEqual([]) // the arrival notice
    await bob.screenshot({ path: `${SCREENSHOTS}/agent-transfer-arrived.png` })
    await notice.getByRole('button', { name: 'Open it' }).click()
    await expect.poll(() => bob.evaluate(() => document.activeElement?.id)).toBe('reply-text')
    await expect.poll(() => alice.locator('#reply').isHidden()).toBe(true) // no longer Alice's to write in
    await bob.keyboard.type('Hi, Bob here. Did the ID card office sort your PIN?')
    await bob.keyboard.press('Enter')
    await botSays(user, 'Bob Jones (help desk): Hi, Bob here.').waitFor()
    await type(user, 'yes they unlocked it, thank you')
    await bob.locator('#transcript li.user').filter({ hasText: 'yes they unlocked it' }).waitFor()

    // Bob closes with a reason picked with the keyboard.
    await bob.getByRole('button', { name: 'Close…' }).click()
    await expect.poll(() => bob.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('resolved')
    await bob.keyboard.press('ArrowDown') // the next reason: the ID card office
    expect(await bob.getByLabel('Referred to the ID card office').isChecked()).toBe(true)
    expect(await seriousViolations(bob)).toEqual([]) // the closing-reason form
    await bob.screenshot({ path: `${SCREENSHOTS}/agent-close-reason.png` })
    await bob.getByRole('button', { name: 'Close the case' }).click()
    await bob.locator('#packet dd').filter({ hasText: /^Referred to the ID card office$/ }).waitFor()

    // The user is told, asked to rate with one tap, and adds a comment.
    await botSays(user, 'The help desk has closed this chat.').waitFor()
    await botSays(user, 'how helpful was this chat').waitFor()
    expect(await seriousViolations(user)).toEqual([]) // the rating buttons
    await user.screenshot({ path: `${SCREENSHOTS}/rating-after-agent.png` })
    await button(user, '4').click()
    await botSays(user, 'Thank you for rating this chat 4 out of 5.').waitFor()
    await type(user, 'Bob was quick but the transfer confused me a bit')
    await botSays(user, 'passed your comment on').waitFor()

    expect(storedRatings().filter((r) => r.case_id === caseId)).toEqual([
      { after: 'agent', score: 4, comment: 'Bob was quick but the transfer confused me a bit', case_id: caseId, procedure_id: null },
    ])
    const closed = await running.helpDesk.handoffQueue.get(caseId)
    expect(closed).toMatchObject({ status: 'closed', agentId: 'bob', closingReason: 'referred-id-card-office' })
    // Bob's console, still on the case, shows why it was closed and the rating as it came in.
    await bob.locator('#packet dd').filter({ hasText: /^Referred to the ID card office$/ }).waitFor()
    await bob.locator('#packet dd').filter({ hasText: '4 of 5: “Bob was quick but the transfer confused me a bit”' }).waitFor()
    expect(await seriousViolations(bob)).toEqual([])
    expect(pageErrors).toEqual([])
    await aliceContext.close()
    await bobContext.close()
    await user.close()
  })

  it('asks the rating after the bot solved it and stores the tapped score; a user who ignores it gets help', { timeout: 90_000 }, async () => {
    const user = await browser.newPage({ viewport: { width: 400, height: 800 }, isMobile: true })
    await user.goto(`${running.url}/`)
    await botSays(user, 'CAC help-desk bot').waitFor({ timeout: 15_000 })
    for (const [text, reply] of [
      ['my cac says 403', 'registered'],
      ['yes', 'browser'],
      ['chrome', 'work now'],
    ] as const) {
      await type(user, text)
      await botSays(user, reply).waitFor()
    }
    await type(user, 'yes it works now')
    await botSays(user, 'how helpful was this chat').waitFor()
    expect(await seriousViolations(user)).toEqual([])
    await button(user, '5').click()
    await botSays(user, 'Thank you for rating this chat 5 out of 5.').waitFor()
    // Skips the comment with a new problem: it gets help.
    await type(user, 'my certificates have been revoked')
    await botSays(user, 'ID card office').waitFor()

    expect(storedRatings().filter((r) => r.after === 'bot')).toEqual([{ after: 'bot', score: 5, comment: null, case_id: null, procedure_id: 'access-forbidden-403' }])
    await user.close()
  })
})
