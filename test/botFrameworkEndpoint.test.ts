import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { AGENT_ACCOUNTS, ALICE, signIn } from './helpers/agents.js'
import { channelAuthority, type ChannelAuthority } from './helpers/channelAuthority.js'
import { startServer, tempDataDir, type Running } from './helpers/server.js'

// The attacks of issue 10, point 1, on /api/messages without MicrosoftAppId (the closed-network website set-up).
const data = tempDataDir()
afterAll(() => data.remove())
let running: Running | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

let sequence = 0
const activity = (fields: Record<string, unknown> = {}) => ({
  type: 'message', id: `a${++sequence}`, channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
  conversation: { id: `conv-${sequence}` }, from: { id: 'user-1' }, recipient: { id: 'bot' }, text: 'hi', ...fields,
})
async function post(url: string, body: object) {
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined }
}

const outsideAddress = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address

describe('/api/messages without an app id', () => {
  it.skipIf(!outsideAddress)('refuses callers that are not loopback, unless BOT_ALLOWED_ADDRESSES names them', async () => {
    running = await startServer(data.dir, {}, 0, '0.0.0.0')
    const port = new URL(running.url).port

    const refused = await post(`http://${outsideAddress}:${port}`, activity())
    await running.stop()
    running = await startServer(data.dir, { BOT_ALLOWED_ADDRESSES: `10.1.2.3, ${outsideAddress}` }, 0, '0.0.0.0')
    const allowed = await post(`http://${outsideAddress}:${new URL(running.url).port}`, activity())

    expect(refused.status).toBe(403)
    expect(refused.body.error.message).toMatch(/accepts only loopback and BOT_ALLOWED_ADDRESSES/)
    expect(allowed.status).toBe(200)
    expect((await post(running.url, activity())).status).toBe(200) // loopback, always
  })

  it.each([
    { name: 'cloud metadata', serviceUrl: 'http://169.254.169.254/latest/' },
    { name: 'an outside host', serviceUrl: 'https://attacker.example.com/' },
    { name: 'a Bot Framework host (no app id: no channel calls)', serviceUrl: 'https://smba.trafficmanager.net/amer/' },
    { name: 'a private address', serviceUrl: 'http://10.0.0.5:8080/' },
    { name: 'credentials in the URL', serviceUrl: 'http://user:pw@127.0.0.1:9/' },
    { name: 'a file URL', serviceUrl: 'file:///etc/passwd' },
  ])('refuses a serviceUrl it may not call: $name', async ({ serviceUrl }) => {
    running = await startServer(data.dir)

    const response = await post(running.url, activity({ serviceUrl, deliveryMode: undefined }))

    expect(response.status).toBe(403)
    expect(response.body.error.code).toBe('ServiceUrlNotAllowed')
    expect(running.logs.lines).toContainEqual(expect.objectContaining({ msg: 'request rejected', code: 'ServiceUrlNotAllowed' }))
  })

  it('calls a serviceUrl from BOT_ALLOWED_SERVICE_URLS', async () => {
    running = await startServer(data.dir, { BOT_ALLOWED_SERVICE_URLS: 'https://connector.example.mil/bot/' })

    expect((await post(running.url, activity({ serviceUrl: 'https://connector.example.mil/bot/v3' }))).status).toBe(200)
    expect((await post(running.url, activity({ serviceUrl: 'https://connector.example.mil/other/' }))).status).toBe(403)
  })

  it('never acts on a website conversation, whatever channel the activity claims', async () => {
    running = await startServer(data.dir)
    const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
    const history = () =>
      fetch(`${running!.url}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())
    const before = await history()

    const asWebchat = await post(running.url, activity({ channelId: 'webchat', conversation: { id: conversationId }, text: 'injected' }))
    const asOther = await post(running.url, activity({ channelId: 'emulator', conversation: { id: conversationId }, text: 'injected' }))
    const anyWebchat = await post(running.url, activity({ channelId: 'webchat', conversation: { id: 'dl-made-up' } }))

    for (const response of [asWebchat, asOther, anyWebchat]) {
      expect(response.status).toBe(403)
      expect(response.body.error.message).toMatch(/only through \/v3\/directline/)
    }
    expect(await history()).toEqual(before)
  })

  it('refuses handoff.status without a Bot Framework token, and the case stays in the queue', async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })
    const conversation = { id: 'victim' }
    await post(running.url, activity({ conversation, text: 'talk to a person' }))

    const forged = await post(running.url, activity({ conversation, type: 'event', name: 'handoff.status', value: { state: 'accepted' }, text: undefined }))

    expect(forged.status).toBe(403)
    expect(forged.body.error.message).toMatch(/only from an agent hub with a Bot Framework token/)
    const alice = await signIn(running.url, ALICE)
    expect((await alice.call('GET', '/queue')).body.cases).toEqual([expect.objectContaining({ status: 'waiting' })])
  })

  it('applies the website channel\'s limits: text, value, new conversations per address, messages per conversation', async () => {
    running = await startServer(data.dir, { DIRECTLINE_MAX_TEXT: '100', MAX_VALUE_BYTES: '1024', DIRECTLINE_GENERATE_LIMIT: '3', DIRECTLINE_RATE_LIMIT: '4' })

    const longText = await post(running.url, activity({ text: 'x'.repeat(101) }))
    const bigValue = await post(running.url, activity({ type: 'event', name: 'anything', value: { blob: 'x'.repeat(2000) } }))
    const conversations = [] as number[]
    for (let i = 0; i < 4; i++) conversations.push((await post(running.url, activity({ conversation: { id: `new-${i}` } }))).status)
    const turns = [] as number[]
    for (let i = 0; i < 5; i++) turns.push((await post(running.url, activity({ conversation: { id: 'new-0' } }))).status)
    const limited = await post(running.url, activity({ conversation: { id: 'new-0' } }))

    expect(longText).toMatchObject({ status: 413, body: { error: { code: 'MessageSizeTooBig' } } })
    expect(bigValue).toMatchObject({ status: 413, body: { error: { code: 'ValueTooBig' } } })
    expect(conversations).toEqual([200, 200, 200, 429])
    expect(turns).toEqual([200, 200, 200, 429, 429]) // the first of new-0's four was spent above
    expect(Number(limited.retryAfter)).toBeGreaterThan(0)
    expect(limited.body.error.message).toMatch(/Too many messages in this conversation/)
  })
})

describe('/api/messages with an app id', () => {
  const APP_ID = '00000000-0000-0000-0000-0000000000c1'
  const SERVICE_URL = 'https://smba.trafficmanager.net/amer/'
  let authority: ChannelAuthority | undefined
  afterAll(() => authority?.server.close())

  it("counts a conversation's message budget only for requests whose Bot Framework token is valid", async () => {
    authority = await channelAuthority()
    running = await startServer(data.dir, {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-secret',
      ToBotFromChannelOpenIdMetadataUrl: authority.metadataUrl,
      DIRECTLINE_RATE_LIMIT: '3',
    })
    const conversation = { id: 'a:victim-conversation', conversationType: 'personal' }
    const send = async (authorization?: string) => {
      const response = await fetch(`${running!.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
        body: JSON.stringify(activity({ channelId: 'msteams', serviceUrl: SERVICE_URL, conversation, text: 'my cac says 403' })),
      })
      await response.arrayBuffer()
      return response.status
    }

    // Someone who knows the conversation's id, without a token or with one for another bot, or one they signed.
    const strangers = [
      await send(),
      await send('Bearer not-a-jwt'),
      await send(`Bearer ${authority.token('00000000-0000-0000-0000-0000000000ff', SERVICE_URL)}`),
      await send(`Bearer ${authority.token(APP_ID, SERVICE_URL).replace(/\.[^.]+$/, '.c2lnbmVkIGJ5IG1l')}`),
      await send(),
    ]
    const channel = [] as number[]
    for (let i = 0; i < 4; i++) channel.push(await send(`Bearer ${authority.token(APP_ID, SERVICE_URL)}`))

    expect(strangers).toEqual([401, 401, 401, 401, 401])
    expect(channel).toEqual([200, 200, 200, 429]) // the channel's own messages still get the limit, all of it
  })

  it('validates the token once per request: the check at the door serves the turn', async () => {
    authority ??= await channelAuthority()
    running = await startServer(data.dir, { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', ToBotFromChannelOpenIdMetadataUrl: authority.metadataUrl })
    const validations = vi.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'authenticateRequest') // counts, passes through
    try {
      const response = await fetch(`${running.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${authority.token(APP_ID, SERVICE_URL)}` },
        body: JSON.stringify(activity({ channelId: 'msteams', serviceUrl: SERVICE_URL, conversation: { id: 'a:once', conversationType: 'personal' }, deliveryMode: 'expectReplies', text: 'my cac says 403' })),
      })
      const body = (await response.json()) as { activities?: { text?: string }[] }

      expect(response.status).toBe(200)
      expect(body.activities?.length).toBeGreaterThan(0) // the turn ran, with the claims of the check at the door
      expect(validations).toHaveBeenCalledTimes(1)
    } finally {
      validations.mockRestore()
    }
  })
})

describe('calls to a channel connector', () => {
  let silent: Server
  afterAll(() => silent?.close())

  it('give up after BOT_OUTGOING_TIMEOUT_SECONDS when the serviceUrl never answers', async () => {
    silent = createServer(() => {}) // accepts, reads, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const serviceUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`
    running = await startServer(data.dir, { BOT_OUTGOING_TIMEOUT_SECONDS: '1' })
    const started = performance.now()

    const response = await fetch(`${running.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity({ serviceUrl, deliveryMode: undefined })),
      signal: AbortSignal.timeout(60_000),
    })

    const seconds = (performance.now() - started) / 1000
    expect(response.status).toBe(200) // the turn failed and was handled: the bot's own business, not the caller's
    expect(seconds).toBeLessThan(10) // the reply and the apology: about a second each
    await expect.poll(() => running!.logs.lines.some((l) => l.msg === 'unhandled turn error')).toBe(true)
  }, 70_000)
})
