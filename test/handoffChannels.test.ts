import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConsoleEvent } from '../src/handoff/service.js'
import { startServer, tempDataDir, type Running } from './helpers/server.js'
import { AGENT_ACCOUNTS, ALICE, signIn } from './helpers/agents.js'
import { fakeConnector, type FakeConnector } from './helpers/connector.js'

const data = tempDataDir()
let running: Running
let connector: FakeConnector
beforeAll(async () => {
  connector = await fakeConnector()
  running = await startServer(data.dir, { AGENT_ACCOUNTS })
})
afterAll(async () => {
  await running?.stop()
  connector?.server.close()
  data.remove()
})

async function send(conversationId: string, text: string, channelId = 'emulator') {
  const response = await fetch(`${running.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: `m-${Math.random()}`, channelId, serviceUrl: connector.url, deliveryMode: 'expectReplies',
      conversation: { id: conversationId }, from: { id: 'user-7', name: 'User' }, recipient: { id: 'bot-1', name: 'Bot' }, text,
    }),
  })
  return ((await response.json()) as { activities: { type: string; text?: string }[] }).activities
}

describe('handoff on a Bot Framework channel (not the website)', () => {
  it('relays the agent to the user through the channel connector, in the Bot Framework wire format', async () => {
    await send('emu-conv-1', 'I need to talk to a human about my cac')
    const alice = await signIn(running.url, ALICE)
    const queue = await alice.call('GET', '/queue')
    const handoffCase = queue.body.cases.find((c: { channelId: string }) => c.channelId === 'emulator')

    await alice.call('POST', `/cases/${handoffCase.id}/claim`, {})
    await alice.call('POST', `/cases/${handoffCase.id}/messages`, { text: 'Hello from the help desk.' })

    // Proactive messages reply to the user's last activity: POST /v3/conversations/{id}/activities/{activityId}.
    const posts = connector.received.filter((r) => r.path.startsWith('POST /v3/conversations/emu-conv-1/activities/'))
    expect(posts.map((p) => p.body.text)).toEqual(['Alice Smith from the help desk has joined the chat.', 'Alice Smith (help desk): Hello from the help desk.'])
    expect(posts[1]!.body).toMatchObject({
      type: 'message',
      channelId: 'emulator',
      serviceUrl: connector.url,
      conversation: { id: 'emu-conv-1' },
      recipient: { id: 'user-7' },
      from: { id: 'bot-1' },
    })
    expect(await send('emu-conv-1', 'thanks, that helps')).toEqual([]) // the agent has the conversation
  })

  it('takes a left message and delivers the agent\'s answer as a proactive message in Microsoft Teams', async () => {
    const conversation = { id: 'teams-left-1', conversationType: 'personal', tenantId: 'tenant-1' }
    const teams = async (text: string) => {
      const response = await fetch(`${running.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message', id: `m-${Math.random()}`, channelId: 'msteams', serviceUrl: connector.url, deliveryMode: 'expectReplies', conversation,
          from: { id: '29:user-9', name: 'User', aadObjectId: 'aad-9' }, recipient: { id: '28:bot-1', name: 'Bot' }, channelData: { tenant: { id: 'tenant-1' } }, text,
        }),
      })
      return ((await response.json()) as { activities: { type: string; text?: string }[] }).activities.filter((a) => a.type === 'message').map((a) => a.text)
    }
    await teams('I need a person')
    await running.helpDesk.handoffQueue.expireOverdue(Date.now() + 3_600_000)
    const told = connector.received.filter((r) => r.path.startsWith('POST /v3/conversations/teams-left-1/activities/')).at(-1)!.body
    expect(told.text).toMatch(/^No agent has been free for 5 minutes, sorry\. You can leave a message .* How can the help desk reach you\?/)
    expect(await teams("I'll check back here")).toEqual([expect.stringMatching(/^OK: the help desk.s answer will come to this chat\. What would you like to tell them\?/)])
    expect(await teams('My certificates are revoked after my promotion')).toEqual([
      expect.stringMatching(/^Thank you: your message is with the help desk \(request HD-[0-9A-F]{8}\)\. An agent.s answer will come to you here in Teams\.$/),
    ])
    const alice = await signIn(running.url, ALICE)
    const left = (await running.helpDesk.handoffQueue.list(['message-left'])).find((c) => c.conversationId === 'teams-left-1')!

    const answered = await alice.call('POST', `/cases/${left.id}/answer`, { text: 'A revoked certificate needs a new CAC from the ID card office.' })

    expect(answered.body).toMatchObject({ delivered: true, delivery: 'Delivered to the user in Microsoft Teams.' })
    const proactive = connector.received.filter((r) => r.path.startsWith('POST /v3/conversations/teams-left-1/activities/')).at(-1)!.body
    expect(proactive).toMatchObject({
      type: 'message',
      channelId: 'msteams',
      conversation: { id: 'teams-left-1' },
      text: `Alice Smith (help desk): About your message (request ${left.id}): A revoked certificate needs a new CAC from the ID card office.`,
    })
  })

  it('sends the agent\'s typing as a Bot Framework typing activity, and shows the user\'s typing to the agent', async () => {
    await send('emu-conv-2', 'a person please')
    const alice = await signIn(running.url, ALICE)
    const handoffCase = (await running.helpDesk.handoffQueue.list(['waiting'])).find((c) => c.conversationId === 'emu-conv-2')!
    await alice.call('POST', `/cases/${handoffCase.id}/claim`, {})
    const typed: string[] = []
    const onTyping = ({ event, data }: ConsoleEvent) => event === 'typing' && typed.push(JSON.parse(data).caseId)
    running.helpDesk.handoffQueue.on('event', onTyping)

    expect((await alice.call('POST', `/cases/${handoffCase.id}/typing`, {})).status).toBe(200)
    const userTyping = await fetch(`${running.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'typing', id: 't-1', channelId: 'emulator', serviceUrl: connector.url, conversation: { id: 'emu-conv-2' }, from: { id: 'user-7' }, recipient: { id: 'bot-1' } }),
    })
    running.helpDesk.handoffQueue.off('event', onTyping)

    const posts = connector.received.filter((r) => r.path.startsWith('POST /v3/conversations/emu-conv-2/activities/'))
    expect(posts.at(-1)!.body).toMatchObject({ type: 'typing', channelId: 'emulator', conversation: { id: 'emu-conv-2' }, recipient: { id: 'user-7' }, from: { id: 'bot-1' } })
    expect(posts.at(-1)!.body.text).toBeUndefined()
    expect(userTyping.status).toBeLessThan(300)
    expect(typed).toEqual([handoffCase.id])
  })
})

describe('outside help-desk hours', () => {
  it('says when the desk is open, asks how to reach the user (never a PIN), and keeps their message in the Messages view', async () => {
    const closed = tempDataDir()
    const server = await startServer(closed.dir, { AGENT_ACCOUNTS, HANDOFF_HOURS: 'Mon-Sun 00:00-00:00' }) // never open
    try {
      const ask = async (text: string) => {
        const response = await fetch(`${server.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'message', channelId: 'test', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
            conversation: { id: 'after-hours' }, from: { id: 'u' }, recipient: { id: 'b' }, text,
          }),
        })
        return ((await response.json()) as { activities: { type: string; text?: string }[] }).activities.filter((a) => a.type === 'message').map((a) => a.text)
      }

      expect((await ask('talk to a person')).at(-1)).toMatch(
        /^The help desk is closed right now \(open Mon-Sun 00:00-00:00 \(America\/New_York time\)\), so no agent can join\. You can leave a message for them \(request HD-[0-9A-F]{8}\) and an agent will answer it, or say "cancel" to carry on with me\. How can the help desk reach you\? Type an e-mail address or a phone number/,
      )
      // The message first: kept, and the contact asked for again.
      expect(await ask('Please call me tomorrow about my revoked certificates')).toEqual([expect.stringMatching(/^Thanks, I've kept your message for the help desk\. How can the help desk reach you\?/)])
      // A PIN-shaped answer is refused with the warning, and never stored.
      expect(await ask('4471')).toEqual([
        expect.stringMatching(/^That looked like a PIN\. Please never share your PIN/),
        expect.stringMatching(/^That can't be used to reach you, and nobody at the help desk will ever ask for it\. How can the help desk reach you\?/),
      ])
      expect(await ask('555-1234')).toEqual([expect.stringMatching(/^That phone number looks too short: please include its area code\./)])
      expect(await ask('call me on (555) 123-4567 please')).toEqual([
        'Thank you: your message is with the help desk (request ' + (await server.helpDesk.handoffQueue.list(['message-left']))[0]!.id + "). An agent's answer will come to this chat. They may also contact you at (555) 123-4567. The help desk is open Mon-Sun 00:00-00:00 (America/New_York time).",
      ])
      const alice = await signIn(server.url, ALICE)
      expect((await alice.call('GET', '/queue')).body.cases).toEqual([]) // a left message is not waiting for a chat
      expect((await alice.call('GET', '/messages')).body.cases).toEqual([
        expect.objectContaining({ status: 'message-left', leftMessage: 'Please call me tomorrow about my revoked certificates', contact: 'Phone: (555) 123-4567' }),
      ])
      const transcript = await server.helpDesk.handoffQueue.transcript('test', 'after-hours')
      expect(JSON.stringify(transcript)).not.toContain('4471')
      expect((await ask('how do i change my pin'))[0]).toMatch(/^Step 1 of 2/) // and the bot is back
    } finally {
      await server.stop()
      closed.remove()
    }
  })
})
