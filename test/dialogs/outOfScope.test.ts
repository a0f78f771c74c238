import { describe, expect, it } from 'vitest'
import { buttons, mainClient, recordingQueue, say, sayActivities } from '../helpers/conversation.js'
import { messages } from '../../dialogs/messages.js'
import { intents } from '../../intents/index.js'

const referOf = (id: string) => intents.find((i) => i.id === id)!.refer!

describe('MainDialog out of scope and Spanish', () => {
  it.each([
    { text: 'my vpn wont connect with my cac', topic: 'out-of-scope-network' },
    { text: 'I lost my CAC at the airport yesterday', topic: 'out-of-scope-lost-card' },
    { text: 'how do I check my leave balance in mypay', topic: 'out-of-scope-pay-personnel' },
  ])('says who usually handles "$text", and offers a person', async ({ text, topic }) => {
    const { client } = mainClient()

    const replies = await sayActivities(client, text)

    expect(replies.map((r) => r.text)).toEqual([messages.outOfScopeTopic(referOf(topic))])
    expect(buttons(replies)).toEqual(['Talk to a person', 'What can you help with?'])
  })

  it('with no agents here, names who handles it without a "Talk to a person" button that would only say none is available', async () => {
    const { client } = mainClient({ queue: recordingQueue({ staffed: false }) })

    const replies = await sayActivities(client, 'my vpn wont connect with my cac')

    expect(replies.map((r) => r.text)).toEqual([messages.outOfScopeAside(referOf('out-of-scope-network'))])
    expect(buttons(replies)).toEqual(['What can you help with?'])
  })

  it('with no agents here, a dead end after a referral names the AKO Help Desk instead of offering a person', async () => {
    const { client } = mainClient({ queue: recordingQueue({ staffed: false }) })

    await say(client, 'contractor here, new gemalto cac not working on ako')
    const replies = await sayActivities(client, 'we dont have an IT team here')

    expect(replies.map((r) => r.text).at(-1)).toBe(messages.referralHelpDesk)
    expect(buttons(replies)).toEqual([])
  })

  it('answers what it does not recognise at all with the plain out-of-scope message', async () => {
    const { client } = mainClient()

    expect(await say(client, 'what is the weather tomorrow in tampa')).toEqual([messages.outOfScope])
  })

  it.each(["what's the help desk number?", 'can I talk to a real person'])('hands "%s" to a person, never refuses it', async (text) => {
    const { client } = mainClient()

    const replies = await say(client, text)

    expect(replies[0]).toMatch(/connecting you with a help-desk agent|help desk is closed/)
  })

  it('acknowledges a Spanish complaint in Spanish and starts the right steps', async () => {
    const { client } = mainClient()

    const replies = await say(client, 'olvidé mi contraseña de AKO y no puedo entrar')

    expect(replies[0]).toBe(messages.spanishSteps)
    expect(replies[1]).toMatch(/Reset AKO password/)
  })

  it('keeps the conversation language for a message too short to tell', async () => {
    const { client } = mainClient()
    await say(client, 'hola, necesito ayuda por favor')

    const replies = await say(client, 'cac bloqueada')

    expect(replies[0]).toBe(messages.spanishSteps)
  })
})
