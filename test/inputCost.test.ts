import type { TurnContext } from 'botbuilder'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { boundRecognizer } from '../src/core/boundedRecognizer.js'
import { clean, MAX_UNDERSTOOD_CHARS, signalsOf } from '../src/core/understanding.js'
import { captureConsole, createLogger } from '../src/core/logger.js'
import type { Recognizer } from '../src/core/recognizer.js'
import { jsonDepth } from '../src/server.js'
import { mainClient, recordingQueue, say } from './helpers/conversation.js'
import { startServer, tempDataDir, type Running } from './helpers/server.js'
import { sink } from './helpers/sink.js'

// Input that costs too much within the limits (issue 10, point 3).
const data = tempDataDir()
let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { DIRECTLINE_RATE_LIMIT: '10000', MAX_VALUE_BYTES: '1024' })
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

async function website() {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const base = `${running.url}/v3/directline/conversations/${conversationId}/activities`
  return {
    post: (body: string) => fetch(base, { method: 'POST', headers, body }),
    read: (watermark: number) => fetch(`${base}?watermark=${watermark}`, { headers }),
  }
}

describe('what one message may cost', () => {
  it('the recognizer reads at most RECOGNIZER_MAX_CHARS characters, each word at most 40', () => {
    const seen: string[] = []
    const inner: Recognizer = { recognize: (text) => (seen.push(text), { text, intents: {}, entities: {}, topIntent: 'none' }) }

    const result = boundRecognizer(inner, 500).recognize(`${'7'.repeat(4000)} my cac says 403`)
    boundRecognizer(inner, 500).recognize('word '.repeat(800))

    expect(seen[0]).toBe(`${'7'.repeat(40)} my cac says 403`)
    expect(seen[1]!.length).toBe(500)
    expect(result.text).toBe(`${'7'.repeat(4000)} my cac says 403`) // the turn still sees what was typed
  })

  it('the understanding reads at most MAX_UNDERSTOOD_CHARS characters of a message, whatever its length', () => {
    const story = 'my cac says 403 access forbidden and the page cannot be displayed '.repeat(60) // ~4,000 characters

    const said = clean(story)

    expect(said.length).toBeLessThanOrEqual(MAX_UNDERSTOOD_CHARS)
    expect(said.startsWith('my cac says 403 access forbidden')).toBe(true)
    // What lies past the bound is never read (so never paid for): a request for a person there is not seen. The cost
    // itself is measured by `npm run bench` (the worst allowed message), not by a timed test on a shared machine.
    expect(signalsOf(`${story} talk to a person`)).toEqual(signalsOf(story))
    expect(signalsOf('talk to a person').has('person')).toBe(true)
  })

  it.each([
    { name: '/api/messages', path: '/api/messages' },
    { name: 'the website channel', path: 'directline' },
  ])('refuses JSON nested 5,000 levels deep on $name with 400 and a reason, and carries on', async ({ path }) => {
    const deep = `{"type":"event","name":"webchat/join","channelId":"emulator","serviceUrl":"http://127.0.0.1:9","conversation":{"id":"deep"},"from":{"id":"u"},"value":${'['.repeat(5000)}${']'.repeat(5000)}}`

    const response =
      path === 'directline' ? await (await website()).post(deep) : await fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep })

    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/nested deeper than 32 levels/)
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200)
    expect(jsonDepth('{"a":"[[[[[[","b":[[1]]}')).toBe(3) // brackets inside strings do not count
  })

  it('refuses a website event whose value is over MAX_VALUE_BYTES with 413', async () => {
    const user = await website()

    const response = await user.post(JSON.stringify({ type: 'event', name: 'webchat/join', value: { browser: 'x'.repeat(2000) } }))

    expect(response.status).toBe(413)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ValueTooBig')
  })

  it('reads a long conversation back in pieces of at most 100 activities and 256 KiB', async () => {
    const user = await website()
    for (let i = 0; i < 120; i++) expect((await user.post(JSON.stringify({ type: 'message', text: `${i} `.padEnd(4000, 'x') }))).status).toBe(200)

    const sizes: number[] = []
    let watermark = 0
    let total = 0
    for (let page = 0; page < 20; page++) {
      const body = await (await user.read(watermark)).text()
      const { activities, watermark: next } = JSON.parse(body) as { activities: unknown[]; watermark: string }
      if (activities.length === 0) break
      sizes.push(body.length)
      total += activities.length
      expect(activities.length).toBeLessThanOrEqual(100)
      watermark = Number(next)
    }

    expect(Math.max(...sizes)).toBeLessThan(270 * 1024)
    expect(total).toBeGreaterThanOrEqual(240) // every message and every reply, over several reads
  }, 60_000)
})

describe('conversation state', () => {
  it('keeps at most 50 steps tried however often the user goes round with no agent to take it', async () => {
    let trailLength = 0
    let state: ReturnType<typeof mainClient>['state'] | undefined
    const measure = { onTurn: async (context: TurnContext, next: () => Promise<void>) => {
      await next()
      trailLength = (await state!.helpDeskCase.get(context, { errorMessages: [], trail: [] })).trail.length
    } }
    // No agent here: the case is never handed over (which would start a fresh one), so the trail only grows.
    const made = mainClient({ middlewares: [measure], queue: recordingQueue({ staffed: false }) })
    state = made.state
    const lengths: number[] = []

    for (let round = 0; round < 30; round++) {
      for (const text of ['the page cannot be displayed', 'edge', 'no', 'no', 'no']) await say(made.client, text)
      lengths.push(trailLength)
    }

    expect(Math.max(...lengths)).toBe(50)
    expect(lengths.at(-1)).toBe(50)
  }, 60_000)
})

describe('captureConsole', () => {
  it('turns a library\'s console.error into one JSON event with the error', () => {
    const logs = sink()
    const target = { error: () => {}, warn: () => {}, log: () => {}, info: () => {} } as unknown as Console
    captureConsole(createLogger({ destination: logs }), target)

    target.error(new Error('Unauthorized Access. Request is not authorized'))

    expect(logs.lines).toEqual([expect.objectContaining({ level: 50, source: 'console', err: expect.objectContaining({ message: 'Unauthorized Access. Request is not authorized' }) })])
  })
})
