import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messages } from '../dialogs/messages.js'
import { channelAuthority, type ChannelAuthority } from './helpers/channelAuthority.js'
import { startServer, tempDataDir, type Running } from './helpers/server.js'

// Teams reaches the bot through Azure Bot Service: with an app id, every request carries a channel token.
const APP_ID = '00000000-0000-0000-0000-0000000000b7'
const SERVICE_URL = 'https://smba.infra.gcc.teams.microsoft.com/amer/'
const data = tempDataDir()
let running: Running
let authority: ChannelAuthority
beforeAll(async () => {
  authority = await channelAuthority()
  running = await startServer(data.dir, { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', ToBotFromChannelOpenIdMetadataUrl: authority.metadataUrl })
})
afterAll(async () => {
  await running?.stop()
  authority?.server.close()
  data.remove()
})

const BOT = { id: '28:bot-app-id', name: 'CAC Help Desk' }
const TENANT = { id: '72f988bf-0000-0000-0000-000000000000' }

interface Sent {
  type: string
  text?: string
  summary?: string
  suggestedActions?: { actions: { title: string; value: string }[] }
  attachments?: { contentType: string; content: Record<string, unknown> }[]
}

/** Posts a Teams-shaped activity through the real adapter; the replies come back in the body (expectReplies). */
async function teams(activity: Record<string, unknown>): Promise<Sent[]> {
  const response = await fetch(`${running.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${authority.token(APP_ID, SERVICE_URL)}` },
    body: JSON.stringify({
      channelId: 'msteams',
      serviceUrl: SERVICE_URL,
      deliveryMode: 'expectReplies',
      recipient: BOT,
      from: { id: '29:user-1', name: 'Pat Doe', aadObjectId: '00000000-0000-0000-0000-0000000000aa' },
      channelData: { tenant: TENANT },
      id: `1700000000${Math.floor(Math.random() * 1000)}`,
      timestamp: new Date().toISOString(),
      ...activity,
    }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { activities: Sent[] }).activities
}

const personal = (id: string) => ({ id: `a:${id}`, conversationType: 'personal', tenantId: TENANT.id })
const message = (conversation: object, text: string, extra: object = {}) => ({ type: 'message', conversation, text, ...extra })

describe('Microsoft Teams', () => {
  it('welcomes once when the app is installed, not again on the first message', async () => {
    const conversation = personal('install-1')

    const installed = await teams({ type: 'installationUpdate', action: 'add', conversation })
    const first = await teams(message(conversation, 'thanks'))

    expect(installed.map((a) => a.text)).toEqual([expect.stringMatching(/^Hi, I'm the CAC help-desk bot/)])
    expect(first.map((a) => [a.type, a.text])).toEqual([
      ['typing', undefined],
      ['message', "You're welcome. If anything else goes wrong with your CAC, just tell me."],
    ])
  })

  it('welcomes on the first message when there was no installation event', async () => {
    const replies = await teams(message(personal('no-install'), 'hello'))

    expect(replies.map((a) => a.type)).toEqual(['typing', 'message'])
    expect(replies[1]!.text).toMatch(/^Hi, I'm the CAC help-desk bot/)
  })

  it('shows at most three suggested actions and lists every answer in the text', async () => {
    const conversation = personal('browser-question')
    await teams(message(conversation, 'thanks'))

    const replies = await teams(message(conversation, 'page cannot be displayed'))
    const question = replies.at(-1)!

    expect(question.suggestedActions!.actions.map((a) => a.title)).toEqual(['Internet Explorer', 'Edge', 'Chrome'])
    expect(question.text).toBe('Which browser are you using?\n\n1. Internet Explorer\n2. Edge\n3. Chrome\n4. Firefox\n\nType the number or the name.')
  })

  it('sends step instructions as an Adaptive Card 1.5 with a plain-text fallback and no external URL', async () => {
    const conversation = personal('card')
    await teams(message(conversation, 'thanks'))
    await teams(message(conversation, 'page cannot be displayed'))

    const replies = await teams(message(conversation, '4'))
    const step = replies.find((a) => a.attachments?.length)!
    const card = step.attachments![0]!

    expect(step.text).toBeUndefined()
    expect(step.summary).toMatch(/Step 1 of 2 \(part 2 of 2\): In Firefox:$/)
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive')
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.5', fallbackText: expect.stringContaining('1. Press Ctrl+Shift+Delete') })
    expect(card.content.body).toEqual([
      expect.objectContaining({ type: 'TextBlock', weight: 'Bolder', wrap: true, text: expect.stringMatching(/In Firefox:$/) }),
      expect.objectContaining({ type: 'TextBlock', wrap: true, text: expect.stringMatching(/^1\. Press Ctrl\+Shift\+Delete[\s\S]*\n4\. Click Clear/) }),
      // Not on the help page, and said so (content fidelity), in a quieter line.
      expect.objectContaining({ type: 'TextBlock', isSubtle: true, text: messages.generalSteps }),
    ])
    expect(JSON.stringify(card)).not.toMatch(/https?:\/\/|"Image"|"url"/i)
  })

  it('ignores channel messages that do not @mention it', async () => {
    const conversation = { id: '19:general@thread.tacv2;messageid=1', conversationType: 'channel', isGroup: true, tenantId: TENANT.id }

    const replies = await teams(message(conversation, 'my new cac doesnt work', { channelData: { tenant: TENANT, team: { id: '19:team' }, channel: { id: '19:general' } } }))

    expect(replies).toEqual([])
  })

  it('answers an @mention in a channel, with the mention removed before matching', async () => {
    const conversation = { id: '19:general@thread.tacv2;messageid=2', conversationType: 'channel', isGroup: true, tenantId: TENANT.id }

    const replies = await teams(
      message(conversation, '<at>CAC Help Desk</at> my new cac doesnt work', {
        channelData: { tenant: TENANT, team: { id: '19:team' }, channel: { id: '19:general' } },
        entities: [{ type: 'mention', mentioned: BOT, text: '<at>CAC Help Desk</at>' }],
      }),
    )

    expect(replies[0]!.type).toBe('typing')
    expect(replies.map((a) => a.text)).toContainEqual(expect.stringMatching(/^Step 1 of 3: Look on the back of your CAC/))
  })
})
