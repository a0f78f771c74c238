import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'
import { AGENT_ACCOUNTS } from './helpers/agents.js'

const data = tempDataDir()
const dataDir = data.dir
afterAll(() => data.remove())
const start = (env: Record<string, string> = {}) => startServer(dataDir, env)

let running: Running | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

let sequence = 0
/** Posts one user message the way a channel does, asking for the replies in the response body. */
async function send(url: string, conversationId: string, text: string) {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `m${++sequence}`,
      channelId: 'test',
      serviceUrl: 'http://127.0.0.1:9', // never called: replies come back in the body
      deliveryMode: 'expectReplies',
      conversation: { id: conversationId },
      from: { id: 'user-1' },
      recipient: { id: 'bot' },
      text,
    }),
  })
  expect(response.status).toBe(200)
  const body = (await response.json()) as { activities: { type: string; text?: string }[] }
  return body.activities.filter((a) => a.type === 'message').map((a) => a.text ?? '')
}

describe('server', () => {
  it('answers the health check', async () => {
    running = await start()

    const response = await fetch(`${running.url}/healthz`)

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', database: { ok: true } })
    const ready = await fetch(`${running.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ready: true })
  })

  it('walks a typed complaint to the right procedure over /api/messages', async () => {
    running = await start()

    const first = await send(running.url, 'conv-http', 'my new cac doesnt work on ako')
    const second = await send(running.url, 'conv-http', 'no, something else')

    expect(first[0]).toMatch(/^Hi, I'm the CAC help-desk bot/)
    expect(first[1]).toMatch(/^Step 1 of 3: Look on the back of your CAC/)
    expect(second[0]).toMatch(/^Last step: Then the ActivClient update is not what your card needs/) // the shorter branch ends here: no "Step 2 of 2" after "of 3"
  })

  it('welcomes once per conversation: on the join, not again on the first message', async () => {
    running = await start()
    const join = await fetch(`${running.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'conversationUpdate', channelId: 'test', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
        conversation: { id: 'conv-welcome' }, from: { id: 'user-1' }, recipient: { id: 'bot' },
        membersAdded: [{ id: 'user-1' }, { id: 'bot' }],
      }),
    })
    const joined = (await join.json()) as { activities: { text?: string }[] }

    expect(joined.activities.map((a) => a.text)).toEqual([expect.stringMatching(/^Hi, I'm the CAC help-desk bot/)])
    expect(await send(running.url, 'conv-welcome', 'thanks')).toEqual(["You're welcome. If anything else goes wrong with your CAC, just tell me."])
  })

  it('continues at the same step after a restart', async () => {
    running = await start({ AGENT_ACCOUNTS })
    await send(running.url, 'conv-restart', 'a cacreg box wants my username and password')
    const beforeRestart = await send(running.url, 'conv-restart', 'edge')
    expect(beforeRestart.at(-1)).toBe('Try again now. Does it work?')
    await running.stop()

    running = await start({ AGENT_ACCOUNTS })
    const afterRestart = await send(running.url, 'conv-restart', 'no')

    expect(afterRestart).toEqual([
      "Clearing the cache didn't fix it. A help-desk agent can take it from here and will see what we tried.",
      expect.stringMatching(/^I'm connecting you with a help-desk agent/), // the steps are used up: the case opens at once
    ])
    expect(await (await fetch(`${running.url}/`)).text()).toMatch(/can pass you to a help-desk agent/) // staffed: the page says so
    const afterYes = await send(running.url, 'conv-restart', 'yes')
    expect(afterYes[0]).toMatch(/^You're in the queue for a help-desk agent/)
    const waiting = (await running.helpDesk.handoffQueue.list(['waiting'])).filter((r) => r.packet.conversationId === 'conv-restart')
    expect(waiting[0]?.packet.trail.map((t) => `${t.stepId}=${t.answer}`)).toEqual(['which-browser=Edge', 'cache-edge=No'])
  })

  it('with no agent accounts, says honestly that no agent is available here, queues nothing, and warns at start-up', async () => {
    running = await start() // a plain npm start: AGENT_ACCOUNTS=[]

    const asked = await send(running.url, 'conv-no-agents', 'i want to talk to a person')
    await send(running.url, 'conv-no-agents', 'a cacreg box wants my username and password')
    await send(running.url, 'conv-no-agents', 'edge')
    const failed = await send(running.url, 'conv-no-agents', 'no')

    for (const replies of [asked, failed]) {
      expect(replies.at(-1)).toMatch(/^No help-desk agent is available through this chat, sorry\. .*contact the AKO Help Desk\. .*contact your local ID Card office/)
      expect(replies.join(' ')).not.toMatch(/connecting you|Would you like me to connect you|Your request number/)
    }
    expect(failed.join(' ')).not.toMatch(/agent can/) // no agent promised just before saying there is none
    expect(failed[0]).toBe("Clearing the cache didn't fix it, and the help page's steps are used up.")
    const page = await (await fetch(`${running.url}/`)).text()
    expect(page).not.toMatch(/pass you to a help-desk agent/)
    expect(page).toMatch(/tells you where to turn/)
    expect(asked.join(' ')).not.toMatch(/\d{3}[-. ]\d{4}|@|https?:/) // nothing invented: no phone number, e-mail or address
    expect((await running.helpDesk.handoffQueue.list(['waiting', 'expired'])).filter((c) => c.conversationId === 'conv-no-agents')).toEqual([])
    expect(running.logs.lines).toContainEqual(expect.objectContaining({ level: 40, setting: 'AGENT_ACCOUNTS', msg: expect.stringMatching(/^no agent accounts configured/) }))
    expect(await send(running.url, 'conv-no-agents', 'thanks')).toEqual(["You're welcome. If anything else goes wrong with your CAC, just tell me."])
    // The console's sign-in page says why nobody can sign in, and how to add an account.
    const signIn = await fetch(`${running.url}/agent/api/sign-in`).then((r) => r.json())
    expect(signIn).toEqual({ accountsConfigured: false, help: expect.stringMatching(/^No agent accounts are configured.*npm run agent:hash.*AGENT_ACCOUNTS/) })
    const login = await fetch(`${running.url}/agent/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'x' }) })
    expect(login.status).toBe(401)
    expect(await login.json()).toEqual({ error: signIn.help })

    // The page's route is the answer when nobody is here: "can you clear it?" gets it again, not the clear-cache steps.
    await send(running.url, 'conv-no-agents-edipi', 'EDIPI does not match when i register')
    for (const pushBack of ['can you clear it', 'why cant you fix it']) {
      const replies = await send(running.url, 'conv-no-agents-edipi', pushBack)
      expect(replies.join(' ')).toMatch(/Contact the help desk: they can clear the EDIPI from your account\./)
      expect(replies.join(' ')).not.toMatch(/Which browser|cache|didn.t (quite )?(catch|get) that|not something I can help with/)
    }
  })

  it('never logs or stores what the user typed', async () => {
    running = await start()

    await send(running.url, 'conv-logs', 'my password is Zebra-Kite-42 and the page cannot be displayed')

    const logText = running.logs.raw.join('\n')
    expect(logText).not.toContain('Zebra-Kite-42')
    expect(logText).not.toContain('and the page cannot be displayed')
    expect(running.logs.lines.some((l) => l.msg === 'recognized' && l.conversationId === 'conv-logs')).toBe(true)
    const stored = sqliteFile(dataDir).prepare("SELECT doc FROM state WHERE key LIKE '%conv-logs%'").all()
    expect(JSON.stringify(stored)).not.toContain('Zebra-Kite-42')
    expect(JSON.stringify(stored)).toContain('[redacted]')
  })

  it.each([
    { name: 'malformed JSON', body: '{"type": "message", ', status: 400 },
    { name: 'JSON that is not an activity', body: '[1, 2, 3]', status: 400 },
    { name: 'an activity without a type', body: '{"text": "hi"}', status: 400 },
    { name: 'an activity without a channel or conversation', body: '{"type": "message", "text": "hi"}', status: 400 },
    {
      name: 'a text that is not a string',
      body: JSON.stringify({ type: 'message', text: 123, channelId: 'test', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'c' }, from: { id: 'u' } }),
      status: 400,
    },
  ])('rejects $name with a 4xx and a reason', async ({ body, status }) => {
    running = await start()

    const response = await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

    expect(response.status).toBe(status)
    expect(await response.text()).not.toBe('')
  })

  it.each([
    { name: 'a form instead of JSON', type: 'application/x-www-form-urlencoded', body: 'type=message&text=hi', status: 415, code: 'UnsupportedMediaType' },
    { name: 'a body without a content type', type: undefined, body: '{"type":"message"}', status: 415, code: 'UnsupportedMediaType' },
    { name: 'a body over 256 KiB', type: 'application/json', body: JSON.stringify({ type: 'message', text: 'x'.repeat(300_000) }), status: 413, code: 'PayloadTooLarge' },
    { name: 'malformed JSON', type: 'application/json; charset=utf-8', body: '{"type": ', status: 400, code: 'BadArgument' },
  ])('refuses $name before any route sees it', async ({ type, body, status, code }) => {
    running = await start()

    const blob = new Blob([body]) // a Blob body carries no content type of its own
    const response = await fetch(`${running.url}/api/messages`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body: blob })

    expect(response.status).toBe(status)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code)
    expect(running.logs.lines).toContainEqual(expect.objectContaining({ msg: 'request rejected', status, code, url: '/api/messages' }))
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200) // and the server carries on
  })

  it('answers an unknown route with 404', async () => {
    running = await start()

    expect((await fetch(`${running.url}/nowhere`)).status).toBe(404)
  })

  it('requires a Bot Framework token once an app id is set', async () => {
    running = await start({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' })

    const response = await fetch(`${running.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'hi', channelId: 'test', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'x' }, from: { id: 'u' }, recipient: { id: 'b' } }),
    })

    expect(response.status).toBe(401)
  })
})
