import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_ACCOUNTS, ALICE, signIn } from './helpers/agents.js'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'

// Secrets typed on the website, followed everywhere they could end up (issue 10, point 2).
const data = tempDataDir()
let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { AGENT_ACCOUNTS })
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

async function websiteUser() {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  let watermark = 0
  return {
    conversationId,
    async say(text: string): Promise<string[]> {
      const r = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text }) })
      expect(r.status).toBe(200)
      const body = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers }).then((x) => x.json())
      watermark = Number(body.watermark)
      return (body.activities as { type: string; text?: string; from: { role?: string } }[]).filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text ?? '')
    },
    history: () => fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, { headers }).then((x) => x.text()),
  }
}

/** Everything an agent's live stream sends until `stop`. */
async function liveStream(cookie: string) {
  const controller = new AbortController()
  const response = await fetch(`${running.url}/agent/api/events`, { headers: { cookie }, signal: controller.signal })
  let received = ''
  const reading = (async () => {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) received += decoder.decode(chunk)
    } catch {
      // aborted
    }
  })()
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 200))
      controller.abort()
      await reading
      return received
    },
  }
}

const SECRETS = ['4471', 'Tr0ub4dor&3', '123.45.6789', '５５１９０２', 'hunter22']

describe('secrets typed in every phrasing', () => {
  it('warns, logs the event (not the value), keeps the warning in the transcript, and the value reaches nothing', async () => {
    const alice = await signIn(running.url, ALICE)
    const stream = await liveStream(alice.cookie)
    const user = await websiteUser()

    const first = await user.say('4471 is my pin and the page cannot be displayed')
    await user.say('talk to a person')
    const queue = await alice.call('GET', '/queue')
    const mine = queue.body.cases.find((c: { question: string }) => c.question?.includes('page cannot be displayed'))
    await user.say('password Tr0ub4dor&3')
    await user.say('my ssn is 123.45.6789')
    await user.say('my pin ５５１９０２')
    await alice.call('POST', `/cases/${mine.id}/claim`, {})
    await user.say('I changed it to hunter22')
    const live = await stream.stop()

    expect(first[0]).toMatch(/^That looked like a PIN\. Please never share/)
    const caseView = JSON.stringify((await alice.call('GET', `/cases/${mine.id}`)).body)
    const exported = JSON.stringify((await alice.call('GET', `/conversations/webchat/${user.conversationId}/transcript`)).body)
    const db = sqliteFile(data.dir)
    const stored = JSON.stringify(db.prepare('SELECT * FROM state').all()) + JSON.stringify(db.prepare('SELECT * FROM transcripts').all())
    const everywhere = { logs: running.logs.raw.join('\n'), directLine: await user.history(), caseView, exported, stored, live }
    for (const [where, text] of Object.entries(everywhere)) {
      for (const secret of SECRETS) expect(text, `${secret} in ${where}`).not.toContain(secret)
    }
    expect(exported).toContain('That looked like a PIN')
    expect(exported).toContain('[redacted] is my pin')
    const redactedEvents = running.logs.lines.filter((l) => l.msg === 'secret redacted' && l.conversationId === user.conversationId)
    expect(redactedEvents.map((l) => l.kinds)).toEqual([['pin'], ['password'], ['ssn'], ['pin'], ['password']])
  })

  it('reads a number against the question the bot asked: after "Do you know your current PIN?" four digits are a PIN', async () => {
    const asked = await websiteUser()
    const notAsked = await websiteUser()
    expect((await asked.say('how do i change my pin')).at(-1)).toMatch(/^Do you know your current PIN\?/)
    await notAsked.say('my cac says 403')

    const afterPinQuestion = await asked.say('yes 4471')
    const afterOtherQuestion = await notAsked.say('building 4471, yes')

    expect(afterPinQuestion[0]).toMatch(/^That looked like a PIN/)
    expect(await asked.history()).not.toContain('4471')
    expect(afterOtherQuestion.join(' ')).not.toMatch(/looked like/)
    expect(await notAsked.history()).toContain('building 4471, yes')
  })

  it('reads a number against what an agent asked: after "What is your ticket number?" six digits are not a PIN', async () => {
    const user = await websiteUser()
    await user.say('i need a real person')
    const alice = await signIn(running.url, ALICE)
    const mine = (await alice.call('GET', '/queue')).body.cases.find((c: { question: string }) => c.question === 'i need a real person')
    await alice.call('POST', `/cases/${mine.id}/claim`, {})
    await alice.call('POST', `/cases/${mine.id}/messages`, { text: 'Hello. What is your ticket number?' })

    await user.say('551902')
    await alice.call('POST', `/cases/${mine.id}/messages`, { text: 'Thanks, looking at it now.' })
    await user.say('551902')

    const seen = JSON.stringify((await alice.call('GET', `/cases/${mine.id}`)).body)
    expect(await user.history()).toContain('"text":"551902"') // the answer to the ticket question, as typed
    expect(await user.history()).toContain('"text":"[redacted]"') // the same digits with no question pending
    expect(seen).toContain('551902')
  })
})
