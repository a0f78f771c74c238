import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const SCREENSHOTS = 'test-results/screenshots'

/** Debian's headless Chromium (never a downloaded browser), with the flags this closed network needs. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: npm test installs Debian's chromium package (src/tools/testSetup.sh)`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/** The bot's messages in Web Chat's transcript (Web Chat repeats text for screen readers elsewhere). */
export const botMessages = (page: Page) => page.locator('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content')
/** A bot message containing `text`. */
export const botSays = (page: Page, text: string) => botMessages(page).filter({ hasText: text }).first()
/** A suggested-action button by its exact label. */
export const button = (page: Page, label: string) =>
  page.locator('button.webchat__suggested-actions__button').filter({ hasText: new RegExp(`^${label}$`) }).first()

/**
 * Waits until the page shows what a person would look at: Web Chat connected (its "Connecting…" gone) and `message`
 * scrolled fully into the transcript. Before a screenshot: Web Chat scrolls and settles its status a moment after
 * a reply arrives, and a fast bot replies sooner than that.
 */
export async function settledOn(page: Page, message: Locator): Promise<void> {
  await page.locator('.webchat__connectivityStatus').filter({ hasText: /Connecting/ }).waitFor({ state: 'detached', timeout: 10_000 })
  const handle = await message.elementHandle()
  await page.waitForFunction(
    (el) => {
      const box = el!.closest('.webchat__basic-transcript__scrollable')!.getBoundingClientRect()
      const shown = el!.getBoundingClientRect()
      return shown.top >= box.top - 1 && shown.bottom <= box.bottom + 1
    },
    handle,
    { timeout: 10_000 },
  )
}

/** Types into Web Chat's send box and sends. */
export async function type(page: Page, text: string): Promise<void> {
  await page.locator('[data-id="webchat-sendbox-input"]').fill(text)
  await page.locator('[data-id="webchat-sendbox-input"]').press('Enter')
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: number }[]> {
  await page.evaluate(AXE) // evaluated by the test harness: our CSP rightly blocks injected script tags
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}


/** Signs `agent` in to the agent console at `url` and waits for the sign-in form to go. */
export async function signInToConsole(page: Page, url: string, agent: { username: string; password: string }): Promise<void> {
  await page.goto(`${url}/agent`)
  await page.getByLabel('Username').fill(agent.username)
  await page.getByLabel('Password').fill(agent.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('#login').waitFor({ state: 'hidden' })
}
