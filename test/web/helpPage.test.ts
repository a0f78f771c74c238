import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { botMessages, botSays, button, launchChromium, SCREENSHOTS, seriousViolations, settledOn, type } from '../helpers/browser.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'

const data = tempDataDir()
let running: Running
let browser: Browser

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  running = await startServer(data.dir)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await running?.stop()
  data.remove()
})

describe('the help page in Chromium', () => {
  it('welcomes once, walks a complaint with the buttons, and survives a reload and a server restart', { timeout: 90_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))

    await page.goto(`${running.url}/`)
    await expect.poll(() => botMessages(page).first().textContent(), { timeout: 15_000 }).toMatch(/CAC help-desk bot/)

    await type(page, 'my new cac doesnt work on ako')
    await botSays(page, 'Step 1 of 3').waitFor()
    await button(page, 'Yes').click()
    await botSays(page, 'Are you Army, another branch').waitFor()
    await settledOn(page, botSays(page, 'Are you Army, another branch'))
    await page.screenshot({ path: `${SCREENSHOTS}/1-procedure.png` })

    await page.reload()
    await botSays(page, 'Are you Army, another branch').waitFor({ timeout: 15_000 })
    await button(page, 'Army').waitFor()
    expect(await botMessages(page).filter({ hasText: 'Step 1 of 3' }).count()).toBe(1)
    await settledOn(page, botSays(page, 'Are you Army, another branch'))
    await page.screenshot({ path: `${SCREENSHOTS}/2-after-reload.png` })

    const port = new URL(running.url).port
    await running.stop()
    running = await startServer(data.dir, {}, Number(port))
    await page.reload()
    await button(page, 'Army').click({ timeout: 15_000 })
    await botSays(page, 'Step 3 of 3').waitFor()
    await botSays(page, 'CAC Resource Center').waitFor()
    await settledOn(page, botMessages(page).last())
    await page.screenshot({ path: `${SCREENSHOTS}/3-after-restart.png` })

    const texts = await botMessages(page).allTextContents()
    expect(texts.filter((t) => t.includes("I'm the CAC help-desk bot") || t.includes('I’m the CAC help-desk bot'))).toHaveLength(1)
    expect(errors).toEqual([])
    await page.close()
  })

  it('renders step instructions as a numbered list', async () => {
    const page = await browser.newPage()
    await page.goto(`${running.url}/`)
    await botMessages(page).first().waitFor({ timeout: 15_000 })

    await type(page, 'how do i change my pin')
    await button(page, 'Yes').click()

    const list = page.locator('.webchat__bubble__content ol').last()
    await list.waitFor()
    expect(await list.locator('li').allTextContents()).toEqual([
      'All Programs',
      'ActivIdentity',
      'ActivClient',
      'User Console',
      'Under the ‘Tools’ menu, click ‘Change PIN’ and follow the prompts', // Web Chat's markdown curls quotes
    ])
    await page.close()
  })

  it('has no serious or critical accessibility violations (axe-core), on a desktop and on a phone', { timeout: 90_000 }, async () => {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const page = await browser.newPage({ viewport })
      await page.goto(`${running.url}/`)
      await botMessages(page).first().waitFor({ timeout: 15_000 })
      await type(page, 'page cannot be displayed')
      // The page told the bot it is Chrome, so the bot skips "Which browser?" and shows numbered Chrome steps.
      await botSays(page, 'so here are the Chrome steps').waitFor()
      await button(page, 'No').waitFor()

      expect(await seriousViolations(page)).toEqual([])
      await page.screenshot({ path: `${SCREENSHOTS}/a11y-${viewport.width}.png`, fullPage: true })
      await page.close()
    }
  })

  it('serves everything from its own origin: no request leaves it', async () => {
    const page = await browser.newPage()
    const foreign: string[] = []
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (!['http:', 'ws:'].includes(url.protocol) || url.host !== new URL(running.url).host) foreign.push(request.url())
    })

    await page.goto(`${running.url}/`)
    await botMessages(page).first().waitFor({ timeout: 15_000 })

    expect(foreign.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([])
    await page.close()
  })
})
