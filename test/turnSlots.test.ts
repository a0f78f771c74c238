import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDataDir, type Running } from './helpers/server.js'

// The website channel's bound on turns in flight (DIRECTLINE_TURNS_IN_FLIGHT, DIRECTLINE_TURN_SLOT_MS), on the whole
// server over HTTP, here one turn at a time. A turn is made slow the way a real one can be: another turn of its conversation holds the
// conversation's lock (one turn at a time per conversation), and a turn holds its slot while it waits for that lock.
const SLOT_MS = 1000
const data = tempDataDir()
let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { DIRECTLINE_TURNS_IN_FLIGHT: '1', DIRECTLINE_TURN_SLOT_MS: String(SLOT_MS), DIRECTLINE_GENERATE_LIMIT: '1000' })
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let clientIds = 0

async function openConversation() {
  const generated = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })
  expect(generated.status).toBe(200)
  const { conversationId, token } = (await generated.json()) as { conversationId: string; token: string }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const url = `${running.url}/v3/directline/conversations/${conversationId}/activities`
  /** Posts an activity; resolves with the answer and when it came (performance.now()). */
  const post = async (activity: object) => {
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(activity) })
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { id?: string; error?: { code: string } }, at: performance.now() }
  }
  const say = (text: string, clientActivityID = `slot-client-${++clientIds}`) => post({ type: 'message', text, channelData: { clientActivityID } })
  const read = async () => (await (await fetch(url, { headers })).json()) as { activities: { text?: string; from: { role?: string }; channelData?: { clientActivityID?: string } }[] }
  /** Holds the conversation as a turn of it would, for `ms`. */
  const hold = (ms: number) => running.helpDesk.stores.lock.withLock(conversationId, () => sleep(ms))
  return { say, post, read, hold }
}

describe('turns in flight on the website channel', () => {
  it('runs one turn at a time here, the waiting ones first come first served', async () => {
    const [a, b, c] = [await openConversation(), await openConversation(), await openConversation()]
    const holding = a.hold(400)
    const first = a.say('my cac says 403') // takes the only slot, then waits 400 ms for its conversation
    await sleep(100)
    const second = b.say('my cac says 403') // needs nothing but a slot
    await sleep(100)
    const third = c.say('my cac says 403')
    const [ra, rb, rc] = await Promise.all([first, second, third])
    await holding

    expect([ra.status, rb.status, rc.status]).toEqual([200, 200, 200])
    // Alone, b and c would have answered in milliseconds: they waited for a's slot, then b's, in order of arrival.
    expect(rb.at).toBeGreaterThan(ra.at)
    expect(rc.at).toBeGreaterThan(rb.at)
  }, 20_000)

  it('lets a turn stuck past its slot time give its slot up, and runs a turn that waited that long without one', async () => {
    const [a, b, c] = [await openConversation(), await openConversation(), await openConversation()]
    const slots = () => running.turnSlots!.stats()
    const holdingA = a.hold(6000)
    const holdingB = b.hold(6000)
    const first = a.say('my cac says 403') // takes the slot, then is stuck on its conversation's lock
    await expect.poll(slots).toEqual({ running: 1, waiting: 0 })
    const second = b.say('my cac says 403') // waits; will be stuck too once it runs
    await expect.poll(slots).toEqual({ running: 1, waiting: 1 })
    const sent = performance.now()
    const third = c.say('my cac says 403') // needs nothing but a slot
    await expect.poll(slots).toEqual({ running: 1, waiting: 2 })

    // a has held the slot SLOT_MS: it gives it up, still running, and b (first in line) takes it.
    await expect.poll(slots, { timeout: 3 * SLOT_MS }).toEqual({ running: 1, waiting: 1 })
    // b holds it until it too runs over; c has waited SLOT_MS by then, so it runs without a slot and is answered.
    const rc = await third
    expect(rc.status).toBe(200)
    expect(rc.at - sent).toBeGreaterThan(SLOT_MS - 50)
    expect(slots()).toEqual({ running: 1, waiting: 0 }) // b's slot: c ran outside the count
    expect(running.logs.lines).toContainEqual(expect.objectContaining({ msg: 'website turns waited their slot time for a slot; they ran without one', turns: 1 }))

    await Promise.all([holdingA, holdingB])
    const [ra, rb] = await Promise.all([first, second])
    expect([ra.status, rb.status]).toEqual([200, 200])
    expect(slots()).toEqual({ running: 0, waiting: 0 })
    expect(running.logs.lines).toContainEqual(expect.objectContaining({ msg: 'website turns ran over their slot time; they carried on without their slot', turns: 1 }))
    // Every turn was answered once.
    for (const conversation of [a, b, c]) {
      const { activities } = await conversation.read()
      expect(activities.filter((x) => x.from.role !== 'bot')).toHaveLength(1)
      expect(activities.some((x) => x.from.role === 'bot')).toBe(true)
    }
  }, 30_000)
})
