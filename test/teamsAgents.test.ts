import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDataDir, type Running } from './helpers/server.js'
import { fakeConnector, type FakeConnector } from './helpers/connector.js'

const THREAD = '19:agents@thread.tacv2;messageid=1700000000555'
const BOT = { id: '28:bot-app-id', name: 'CAC Help Desk' }

const data = tempDataDir()
let running: Running
let connector: FakeConnector
beforeAll(async () => {
  connector = await fakeConnector({ createdId: THREAD })
  running = await startServer(data.dir, {
    TEAMS_AGENTS_CHANNEL: JSON.stringify({ serviceUrl: connector.url, channelId: '19:agents@thread.tacv2', tenantId: 'tenant-1' }),
  })
})
afterAll(async () => {
  await running?.stop()
  connector?.server.close()
  data.remove()
})

async function websiteUser() {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  let watermark = 0
  const botLines = async () => {
    const body = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: auth }).then((r) => r.json())
    watermark = Number(body.watermark)
    return (body.activities as { type: string; text?: string; from: { role?: string } }[]).filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text)
  }
  return {
    async say(text: string) {
      await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', text }) })
      return botLines()
    },
    botLines,
  }
}

/** An agent's activity in the case's thread, as Teams sends it. */
async function fromAgent(activity: Record<string, unknown>) {
  const response = await fetch(`${running.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', channelId: 'msteams', serviceUrl: connector.url, deliveryMode: 'expectReplies', recipient: BOT,
      from: { id: '29:agent-pat', aadObjectId: 'aad-pat', name: 'Pat Agent' },
      conversation: { id: THREAD, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:team' }, channel: { id: '19:agents@thread.tacv2' } },
      ...activity,
    }),
  })
  return ((await response.json()) as { activities: { type: string; text?: string }[] }).activities.filter((a) => a.type === 'message').map((a) => a.text)
}
const mention = (text: string) => ({ text: `<at>CAC Help Desk</at> ${text}`, entities: [{ type: 'mention', mentioned: BOT, text: '<at>CAC Help Desk</at>' }] })

describe('agents working from a Teams channel', () => {
  it('announces the case with a card, lets an agent accept it, and relays through the thread both ways', async () => {
    const user = await websiteUser()
    await user.say('my certificates have been revoked')
    await user.say('talk to a person')

    const created = connector.received.find((p) => p.path === 'POST /v3/conversations')!
    expect(created.body).toMatchObject({ isGroup: true, channelData: { channel: { id: '19:agents@thread.tacv2' } } })
    const card = created.body.activity.attachments[0]
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive')
    expect(card.content.body[1].facts).toEqual(expect.arrayContaining([{ title: 'Problem', value: 'certificates-revoked' }]))
    const accept = card.content.actions[0]
    expect(accept).toMatchObject({ type: 'Action.Submit', title: 'Accept', data: { action: 'hd.accept', caseId: expect.stringMatching(/^HD-/) } })
    expect(JSON.stringify(card)).not.toMatch(/https?:\/\//)
    await user.botLines()

    expect(await fromAgent({ value: accept.data })).toEqual([expect.stringMatching(/^Pat Agent has case HD-.*Reply in this thread/)])
    expect(await user.botLines()).toEqual(['Pat Agent from the help desk has joined the chat.'])

    expect(await fromAgent(mention('Hello from Teams, I can reissue that.'))).toEqual([])
    expect(await user.botLines()).toEqual(['Pat Agent (help desk): Hello from Teams, I can reissue that.'])

    expect(await user.say('thank you, I am at the ID card office now')).toEqual([])
    const relayed = connector.received.filter((p) => p.path.startsWith(`POST /v3/conversations/${encodeURIComponent(THREAD)}/activities`) || p.path.startsWith(`POST /v3/conversations/${THREAD}/activities`))
    expect(relayed.map((p) => p.body.text)).toContain('User: thank you, I am at the ID card office now')

    await fromAgent(mention('done'))
    expect(await user.botLines()).toEqual([expect.stringMatching(/^You're back with the help-desk bot: Pat Agent has handed your chat back/)])
  })

  it('closes from the thread with a closing reason, and the user is asked to rate the help', async () => {
    const user = await websiteUser()
    await user.say('talk to a person please')
    const card = connector.received.filter((p) => p.path === 'POST /v3/conversations').at(-1)!.body.activity.attachments[0]
    const { caseId } = card.content.actions[0].data
    await fromAgent({ value: card.content.actions[0].data })
    await user.botLines()

    await fromAgent(mention('close referred-local-it'))

    expect(await running.helpDesk.handoffQueue.get(caseId)).toMatchObject({ status: 'closed', closingReason: 'referred-local-it' })
    expect(await user.botLines()).toEqual(['The help desk has closed this chat. If you need anything else, just tell me.', expect.stringMatching(/how helpful was this chat/)])
  })

  it('tells a second agent the case is taken', async () => {
    const user = await websiteUser()
    await user.say('human please')
    const card = connector.received.filter((p) => p.path === 'POST /v3/conversations').at(-1)!.body.activity.attachments[0]
    await fromAgent({ value: card.content.actions[0].data })

    const second = await fromAgent({ value: card.content.actions[0].data, from: { id: '29:agent-sam', aadObjectId: 'aad-sam', name: 'Sam Agent' } })

    expect(second).toEqual([expect.stringMatching(/can't be taken\. .+ has already claimed this case\./)])
  })
})
