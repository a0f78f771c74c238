import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'
import type { ConsoleEvent } from '../src/handoff/service.js'
import { AGENT_ACCOUNTS, ALICE, BOB, signIn } from './helpers/agents.js'
import { channelAuthority } from './helpers/channelAuthority.js'

const data = tempDataDir()
let running: Running
const env = { AGENT_ACCOUNTS, HANDOFF_WAIT_SECONDS: '60' }
beforeAll(async () => {
  running = await startServer(data.dir, env)
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

interface Activity {
  type: string
  name?: string
  text?: string
  from: { role?: string }
  value?: Record<string, unknown>
  attachments?: { name: string; contentType: string; content: { activities: { text?: string }[] } }[]
}

/** A website user: a Direct Line conversation driven over HTTP. */
async function websiteUser() {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  let watermark = 0
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  return {
    conversationId,
    token,
    async post(activity: object): Promise<void> {
      const r = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers: auth, body: JSON.stringify(activity) })
      expect(r.status).toBe(200)
    },
    async say(text: string): Promise<string[]> {
      await this.post({ type: 'message', text })
      return (await this.newActivities()).filter((a) => a.from.role === 'bot' && a.type === 'message').map((a) => a.text ?? '')
    },
    async newActivities(): Promise<Activity[]> {
      const body = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: auth }).then((r) => r.json())
      watermark = Number(body.watermark)
      return body.activities
    },
  }
}

const botTexts = (activities: Activity[]) => activities.filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text)

async function caseOf(agent: Awaited<ReturnType<typeof signIn>>, conversationQuestion: string) {
  const queue = await agent.call('GET', '/queue')
  return (queue.body.cases as { id: string; question?: string; status: string; leftMessage?: string }[]).find((c) => c.question === conversationQuestion)!
}

describe('handoff to a human agent', () => {
  it('queues the case with its packet, relays both ways, and hands the user back to the bot', async () => {
    const user = await websiteUser()
    await user.say('my cac is registered but i still cant log in, pin is 13572468')
    const handedOver = await user.say('talk to a person')
    const alice = await signIn(running.url, ALICE)
    const queued = await caseOf(alice, 'my cac is registered but i still cant log in, pin is [redacted]')

    expect(handedOver[0]).toMatch(/^I'm connecting you with a help-desk agent/)
    expect(queued).toMatchObject({ status: 'waiting', intentId: 'registered-still-failing', reason: 'asked-for-human' })
    expect(await user.say('hello?')).toEqual(["You're still in the queue for a help-desk agent; I've added your message for them."])

    expect((await alice.call('POST', `/cases/${queued.id}/claim`, {})).status).toBe(200)
    expect(await user.say('anyone?')).toEqual(['Alice Smith from the help desk has joined the chat.']) // and the bot stays silent
    expect((await alice.call('POST', `/cases/${queued.id}/messages`, { text: 'Hi, which browser are you on?' })).status).toBe(200)
    expect((await user.newActivities()).map((a) => a.text)).toEqual(['Alice Smith (help desk): Hi, which browser are you on?'])
    expect(await user.say('firefox')).toEqual([])

    const opened = await alice.call('GET', `/cases/${queued.id}`)
    expect(opened.body.case.packet).toMatchObject({ question: expect.stringContaining('[redacted]'), intentId: 'registered-still-failing' })
    const lines = (opened.body.transcript as { text?: string; from: { role?: string } }[]).map((t) => `${t.from.role}: ${t.text}`)
    expect(lines).toEqual(expect.arrayContaining(['user: hello?', 'user: anyone?', 'user: firefox', 'agent: Hi, which browser are you on?']))
    expect(opened.body.transcript).toContainEqual(expect.objectContaining({ from: { name: 'Alice Smith', role: 'agent' } }))
    expect(opened.body.case).toMatchObject({ problem: 'Your CAC is registered and you still can\'t log in with it', reasonText: 'The user asked for a person' })
    expect(opened.body.case.environment).toEqual({ named: { browsers: ['Firefox'], systems: [] } }) // this user's page sent no join hint
    expect(JSON.stringify(opened.body)).not.toContain('13572468')

    expect((await alice.call('POST', `/cases/${queued.id}/return`, {})).status).toBe(200)
    expect((await user.newActivities()).map((a) => a.text)).toEqual([
      "You're back with the help-desk bot: Alice Smith has handed your chat back to me. Is there anything else I can help with?",
    ])
    expect(await user.say('thanks')).toEqual(["You're welcome. If anything else goes wrong with your CAC, just tell me."])
  })

  it('emits handoff.initiate with the packet and the redacted transcript', async () => {
    const user = await websiteUser()
    await user.say('my password is Secret-Pass-77 and reset fails')
    await user.post({ type: 'message', text: 'talk to a human' })

    const event = (await user.newActivities()).find((a) => a.type === 'event')!

    expect(event).toMatchObject({ name: 'handoff.initiate', value: { caseId: expect.stringMatching(/^HD-/), reason: 'asked-for-human' } })
    expect(event.attachments![0]).toMatchObject({ name: 'Transcript', contentType: 'application/json' })
    expect(event.attachments![0]!.content.activities.map((a) => a.text)).toContain('my password is [redacted] and reset fails')
    expect(JSON.stringify(event)).not.toContain('Secret-Pass-77')
  })

  it('refuses a double claim by another agent, and a claim after close', async () => {
    const user = await websiteUser()
    await user.say('i want a human')
    const alice = await signIn(running.url, ALICE)
    const bob = await signIn(running.url, BOB)
    const queued = await caseOf(alice, 'i want a human')

    expect((await alice.call('POST', `/cases/${queued.id}/claim`, {})).status).toBe(200)
    expect((await alice.call('POST', `/cases/${queued.id}/claim`, {})).status).toBe(200) // idempotent
    expect(await bob.call('POST', `/cases/${queued.id}/claim`, {})).toMatchObject({
      status: 409,
      body: { error: 'Alice Smith has already claimed this case. Pick another case from the queue.', code: 'claimed-by-another-agent' },
    })
    expect(await bob.call('POST', `/cases/${queued.id}/messages`, { text: 'hi' })).toMatchObject({
      status: 409,
      body: { error: 'Alice Smith has this case, so only they can write to the user.' },
    })
    expect(await bob.call('POST', `/cases/${queued.id}/close`, { reason: 'other' })).toMatchObject({
      status: 409,
      body: { error: 'Alice Smith has this case, so only they can send it back or close it.' },
    })
    expect((await alice.call('POST', `/cases/${queued.id}/close`, { reason: 'resolved' })).status).toBe(200)
    expect(await bob.call('POST', `/cases/${queued.id}/claim`, {})).toMatchObject({
      status: 409,
      body: { error: 'This case is closed. There is no live chat to join; if the user asks for a person again, a new case appears in the queue.', code: 'case-ended' },
    })
    expect(await alice.call('POST', `/cases/${queued.id}/return`, {})).toMatchObject({
      status: 409,
      body: { error: 'This case is closed. There is nothing more to do on it; its transcript can still be read and exported.' },
    })
    expect((await user.newActivities()).map((a) => a.text)).toContain('The help desk has closed this chat. If you need anything else, just tell me.')
  })

  it('lets a waiting user cancel and carry on with the bot', async () => {
    const user = await websiteUser()
    await user.say('connect me to an agent')

    expect(await user.say('cancel')).toEqual(["OK, I've cancelled your request for an agent. I'm here: tell me what's wrong."])
    expect((await user.say('how do i change my pin'))[0]).toMatch(/^Step 1 of 2/)
  })

  it('tells the user when nobody claimed in time, asks how to reach them, and keeps their message for the Messages view', async () => {
    const user = await websiteUser()
    await user.say('agent please')
    const alice = await signIn(running.url, ALICE)

    const expired = await running.helpDesk.handoffQueue.expireOverdue(Date.now() + 61_000)
    expect(expired).toBeGreaterThanOrEqual(1)
    const [told] = await user.newActivities()
    expect(told?.text).toMatch(/^No agent has been free for 1 minute, sorry\. You can leave a message for the help desk \(request HD-[0-9A-F]{8}\) and an agent will answer it, or say "cancel" to carry on with me\. How can the help desk reach you\?/)
    expect((told as { suggestedActions?: { actions: { title: string }[] } }).suggestedActions?.actions.map((a) => a.title)).toEqual(["I'll check back here", 'Cancel'])
    expect(await user.say('it is jo.smith@example.mil')).toEqual([
      'Thanks: the help desk can reach you at jo.smith@example.mil. What would you like to tell them? Say what is wrong and what you have tried.',
    ])
    const thanks = await user.say('Please call me back about my CAC at my desk')

    expect(thanks[0]).toMatch(/^Thank you: your message is with the help desk \(request HD-[0-9A-F]{8}\)\. An agent's answer will appear in this chat: keep this page open, or come back to it in this browser\. They may also contact you at jo\.smith@example\.mil\.$/)
    const left = (await alice.call('GET', '/messages')).body.cases.find((c: { question?: string }) => c.question === 'agent please')
    expect(left).toMatchObject({ status: 'message-left', leftMessage: 'Please call me back about my CAC at my desk', contact: 'E-mail: jo.smith@example.mil' })
    expect(await user.say('hello again')).not.toEqual([]) // the bot answers again: the user is not held in a queue
  })

  it('accepts handoff.status events from an agent hub with a Bot Framework token: accepted, completed, failed; tolerates unknown states', async () => {
    const authority = await channelAuthority()
    const hubData = tempDataDir()
    const appId = '00000000-0000-0000-0000-0000000000a1'
    const hub = await startServer(hubData.dir, { ...env, MicrosoftAppId: appId, MicrosoftAppPassword: 'not-a-real-secret', ToBotFromChannelOpenIdMetadataUrl: authority.metadataUrl })
    try {
      const conversation = `hub-${Date.now()}`
      const serviceUrl = 'http://127.0.0.1:9'
      const send = async (activity: object) => {
        const response = await fetch(`${hub.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${authority.token(appId, serviceUrl)}` },
          body: JSON.stringify({ channelId: 'test', serviceUrl, deliveryMode: 'expectReplies', conversation: { id: conversation }, from: { id: 'u' }, recipient: { id: 'b' }, ...activity }),
        })
        expect(response.status).toBe(200)
        return ((await response.json()) as { activities: Activity[] }).activities.filter((a) => a.type === 'message').map((a) => a.text)
      }
      const status = (state: string) => send({ type: 'event', name: 'handoff.status', value: { state, message: 'from the hub' } })
      await send({ type: 'message', text: 'human' })

      expect(await status('someNewState')).toEqual([])
      expect(await send({ type: 'message', text: 'still there?' })).toEqual(["You're still in the queue for a help-desk agent; I've added your message for them."])
      expect(await status('accepted')).toEqual([])
      expect(await send({ type: 'message', text: 'hello agent' })).toEqual([]) // an agent hub has it: the bot is silent
      expect(await status('completed')).toEqual(["You're back with the help-desk bot. Is there anything else I can help with?"])
      await send({ type: 'message', text: 'talk to a person' })
      expect(await status('failed')).toEqual([expect.stringMatching(/^No agent could take your chat/)])
    } finally {
      await hub.stop()
      authority.server.close()
      hubData.remove()
    }
  })

  it('refuses handoff events from the website, where the user could forge them', async () => {
    const user = await websiteUser()
    await user.say('human')

    const forged = await fetch(`${running.url}/v3/directline/conversations/${user.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'event', name: 'handoff.status', value: { state: 'accepted' } }),
    })

    expect(forged.status).toBe(400)
    expect(await user.say('still waiting?')).toEqual(["You're still in the queue for a help-desk agent; I've added your message for them."])
  })

  it('exports a transcript in the Bot Framework .transcript format', async () => {
    const user = await websiteUser()
    await user.say('real person please')
    const alice = await signIn(running.url, ALICE)
    const queued = await caseOf(alice, 'real person please')

    const exported = await alice.call('GET', `/cases/${queued.id}/transcript`)

    expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="${queued.id}.transcript"`)
    expect(Array.isArray(exported.body)).toBe(true)
    expect(exported.body[0]).toMatchObject({ type: 'message', text: 'real person please', channelId: 'webchat', conversation: { id: user.conversationId } })
  })

  it('exports what the Emulator expects: messages only, each with an id, an agent\'s messages from the agent', async () => {
    const user = await websiteUser()
    await user.post({ type: 'event', name: 'webchat/join', value: { browser: 'firefox', os: 'windows' } })
    await user.say('my pin is 12345678')
    await user.say('talk to a person')
    const alice = await signIn(running.url, ALICE)
    const queued = (await running.helpDesk.handoffQueue.list(['waiting'])).find((c) => c.conversationId === user.conversationId)!
    await alice.call('POST', `/cases/${queued.id}/claim`, {})
    await alice.call('POST', `/cases/${queued.id}/messages`, { text: 'Hello, Alice here.' })

    const exported = (await alice.call('GET', `/cases/${queued.id}/transcript`)).body as (Activity & { id?: string; from: { id?: string; name?: string } })[]

    const opened = (await alice.call('GET', `/cases/${queued.id}`)).body
    expect(opened.case.environment).toEqual({ named: { browsers: [], systems: [] }, page: { browser: 'Firefox', os: 'Windows' } })
    expect(exported.length).toBeGreaterThan(3)
    expect(exported.every((a) => typeof a.id === 'string' && a.id.length > 0)).toBe(true)
    expect(new Set(exported.map((a) => a.id)).size).toBe(exported.length)
    expect(exported.filter((a) => a.type === 'event')).toEqual([]) // the join and handoff.initiate are internal
    expect(exported.find((a) => a.text === 'Alice Smith (help desk): Hello, Alice here.')?.from).toEqual({ id: 'agent:alice', name: 'Alice Smith', role: 'bot' })
    expect(exported.filter((a) => a.from.role === 'bot' && a.from.id !== 'agent:alice').every((a) => a.from.name === 'CAC Help Desk')).toBe(true)
    expect(JSON.stringify(exported)).not.toContain('12345678')
  })

  it('shows typing both ways while an agent has the case, and never stores it', async () => {
    const user = await websiteUser()
    await user.say('put me through to a person')
    const alice = await signIn(running.url, ALICE)
    const bob = await signIn(running.url, BOB)
    const queued = await caseOf(alice, 'put me through to a person')
    const typed: string[] = []
    const onTyping = ({ event, data }: ConsoleEvent) => event === 'typing' && typed.push(JSON.parse(data).caseId)
    running.helpDesk.handoffQueue.on('event', onTyping)

    expect(await alice.call('POST', `/cases/${queued.id}/typing`, {})).toMatchObject({ status: 409, body: { error: 'Claim the case before writing to the user.' } })
    await alice.call('POST', `/cases/${queued.id}/claim`, {})
    await user.newActivities()
    await user.post({ type: 'typing' })
    await user.post({ type: 'typing', text: 'typing carries no text' })
    expect(await alice.call('POST', `/cases/${queued.id}/typing`, {})).toMatchObject({ status: 200 })
    expect(await bob.call('POST', `/cases/${queued.id}/typing`, {})).toMatchObject({ status: 409, body: { error: 'Alice Smith has this case, so only they can write to the user.' } })
    expect((await alice.call('POST', '/cases/not-a-case/typing', {})).status).toBe(404)

    running.helpDesk.handoffQueue.off('event', onTyping)
    expect(typed).toEqual([queued.id]) // the second within the throttle is dropped
    expect(await user.newActivities()).toEqual([]) // typing is live only: never in the stored history
    const transcript = await running.helpDesk.handoffQueue.transcript('webchat', user.conversationId)
    expect(transcript.filter((a) => a.type === 'typing')).toEqual([])
    expect(JSON.stringify(transcript)).not.toContain('typing carries no text')
  })

  it('keeps every conversation\'s transcript, redacted, for agents, handed over or not', async () => {
    const user = await websiteUser()
    await user.say('my ssn is 123-45-6789 and how do i change my pin')
    const alice = await signIn(running.url, ALICE)

    const recent = await alice.call('GET', '/conversations')
    const mine = recent.body.conversations.find((c: { conversationId: string }) => c.conversationId === user.conversationId)
    const exported = await alice.call('GET', `/conversations/webchat/${encodeURIComponent(user.conversationId)}/transcript`)

    expect(mine).toMatchObject({ channelId: 'webchat', activities: expect.any(Number) })
    expect(exported.body.map((a: { text?: string }) => a.text)).toContain('my ssn is [redacted] and how do i change my pin')
    expect(JSON.stringify(exported.body)).not.toContain('123-45-6789')
    expect((await alice.call('GET', '/conversations/webchat/no-such-conversation/transcript')).status).toBe(404)
  })

  it('survives a restart: the queue, who owns the conversation, and the transcript', async () => {
    const user = await websiteUser()
    await user.say('speak to an agent')
    let alice = await signIn(running.url, ALICE)
    const queued = await caseOf(alice, 'speak to an agent')
    await alice.call('POST', `/cases/${queued.id}/claim`, {})
    expect(botTexts(await user.newActivities())).toEqual(['Alice Smith from the help desk has joined the chat.'])

    await running.stop()
    running = await startServer(data.dir, env)
    alice = await signIn(running.url, ALICE)

    expect(await user.say('are you still there?')).toEqual([]) // still the agent's conversation
    const opened = await alice.call('GET', `/cases/${queued.id}`)
    expect(opened.body.case).toMatchObject({ status: 'claimed', agentId: 'alice' })
    expect(opened.body.transcript.map((t: { text?: string }) => t.text)).toContain('are you still there?')
    expect((await alice.call('POST', `/cases/${queued.id}/messages`, { text: 'Yes, still here.' })).status).toBe(200)
  })
})

describe('the agent console is closed without a session', () => {
  it.each([
    ['GET', '/agent/api/queue'],
    ['GET', '/agent/api/me'],
    ['GET', '/agent/api/events'],
    ['GET', '/agent/api/cases/HD-00000000'],
    ['GET', '/agent/api/cases/HD-00000000/transcript'],
    ['POST', '/agent/api/cases/HD-00000000/claim'],
    ['POST', '/agent/api/cases/HD-00000000/messages'],
    ['POST', '/agent/api/cases/HD-00000000/typing'],
    ['POST', '/agent/api/logout'],
    ['GET', '/agent/api/conversations'],
    ['GET', '/agent/api/conversations/webchat/x/transcript'],
    ['GET', '/agent/api/analytics?period=7d'],
    ['GET', '/agent/api/analytics/csv/containment?period=7d'],
  ])('%s %s answers 401', async (method, path) => {
    const response = await fetch(`${running.url}${path}`, { method, headers: { cookie: 'hd_agent=forged-session' } })

    expect(response.status).toBe(401)
  })

  it('refuses a wrong password, and an unknown user, alike', async () => {
    const login = (username: string, password: string) =>
      fetch(`${running.url}/agent/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })

    expect((await login('alice', 'wrong-password')).status).toBe(401)
    expect((await login('mallory', 'alice-password-1')).status).toBe(401)
    expect((await login('alice', '')).status).toBe(400)
  })

  it('never logs the username typed at sign-in (people type passwords there too)', async () => {
    await fetch(`${running.url}/agent/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'MyS3cretPassw0rd!', password: 'whatever-1' }),
    })

    expect(running.logs.lines).toContainEqual(expect.objectContaining({ msg: 'agent sign-in failed' }))
    expect(running.logs.raw.join('\n')).not.toContain('MyS3cretPassw0rd!')
  })

  it('ends a session on sign-out, and refuses non-JSON posts', async () => {
    const alice = await signIn(running.url, ALICE)

    const form = await fetch(`${running.url}/agent/api/cases/HD-00000000/claim`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' })
    await alice.call('POST', '/logout', {})

    expect(form.status).toBe(415)
    expect((await alice.call('GET', '/queue')).status).toBe(401)
  })

  it('refuses a cross-site form post to the typing endpoint (JSON only), and bad message bodies with a reason', async () => {
    const alice = await signIn(running.url, ALICE)

    const form = await fetch(`${running.url}/agent/api/cases/HD-00000000/typing`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'text/plain' }, body: 'x' })
    expect(form.status).toBe(415)
    expect(await alice.call('POST', '/cases/HD-00000000/messages', { text: '   ' })).toMatchObject({ status: 400, body: { error: 'Write a message first.' } })
    expect(await alice.call('POST', '/cases/HD-00000000/messages', { text: 'x'.repeat(4001) })).toMatchObject({ status: 400, body: { error: 'A message is text of at most 4000 characters.' } })
    expect(await alice.call('POST', '/cases/HD-00000000/claim', {})).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^There is no such case/) } })
  })

  it('tells the sign-in page whether any account is configured, and nothing more', async () => {
    const response = await fetch(`${running.url}/agent/api/sign-in`)

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ accountsConfigured: true })
  })

  it('does not accept an expired session', async () => {
    const alice = await signIn(running.url, ALICE)
    sqliteFile(data.dir).prepare('UPDATE agent_sessions SET expires_at = ?').run(Date.now() - 1)

    expect((await alice.call('GET', '/queue')).status).toBe(401)
  })
})
