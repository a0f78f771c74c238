import { describe, expect, it } from 'vitest'
import { buttons, mainClient, recordingQueue, say, sayActivities } from '../helpers/conversation.js'
import type { Recognizer, RecognizerResult } from '../../src/core/recognizer.js'
import { messages } from '../../dialogs/messages.js'

/** A recognizer that always gives the same scores: disambiguation is about thresholds, not about training. */
const fixedScores = (intents: Record<string, number>): Recognizer => ({
  recognize: (text): RecognizerResult => {
    const ranked = Object.entries(intents).sort((a, b) => b[1] - a[1])
    return { text, intents: Object.fromEntries(ranked.map(([id, score]) => [id, { score }])), entities: {}, topIntent: ranked[0]![0] }
  },
})

describe('MainDialog routing', () => {
  it.each([
    { text: 'my new cac doesnt work on ako', first: /^Step 1 of 3: Look on the back of your CAC/ },
    { text: 'I get "EDIPI does not match" when I register', first: /^The "EDIPI does not match" error has to be cleared/ },
    { text: 'it says 403 – Access Forbidden', first: /^Step 1 of 2: A "403 – Access Forbidden" message/ },
    { text: 'a CACREG box wants my username and password', first: /^A "CACREG" box asking for your username and password/ },
    { text: 'i forgot my pin and its locked', first: /^A forgotten or locked PIN can't be reset online/ },
    { text: 'where can i buy a cac', first: /^A CAC can't be bought/ },
    { text: 'The server at cac-reg requires a username and password.', first: /^Step 1 of 2: First turn on Client Authentication/ },
  ])('takes "$text" to the right procedure', async ({ text, first }) => {
    const { client } = mainClient()

    const replies = await say(client, text)

    expect(replies[0]).toMatch(first)
  })

  it('says plainly when a question is out of scope, and offers a person', async () => {
    const { client } = mainClient()

    const replies = await sayActivities(client, 'what is the weather tomorrow in tampa')

    expect(replies.map((r) => r.text)).toEqual([messages.outOfScope])
    expect(buttons(replies)).toEqual(['Talk to a person', 'What can you help with?'])
  })

  it.each(['ok', 'no', 'yes'])('answers a bare "%s" with no question on screen by asking what is wrong', async (text) => {
    const { client } = mainClient({ recognizer: fixedScores({ none: 0.9, help: 0.05 }) })

    expect(await say(client, text)).toEqual([messages.askProblem])
  })

  it('offers the two closest procedures side by side, with short labels and "Neither"', async () => {
    const recognizer = fixedScores({ 'clear-cache': 0.41, 'clear-ssl-state': 0.38, 'register-certificates': 0.3, 'change-pin': 0.25, help: 0.1 })
    const { client } = mainClient({ recognizer })

    const replies = await sayActivities(client, 'clear the thing in my browser')

    expect(replies.at(-1)?.text).toBe(
      `${messages.didYouMean}\n\n1. Clear your browser's cache (temporary internet files and cookies)\n2. Clear your browser's SSL state`,
    )
    expect(buttons(replies)).toEqual(['Clear cache', 'Clear SSL state', 'Neither'])
    expect((await say(client, 'the ssl one'))[0]).toMatch(/^Step 1 of 2: Clearing the SSL state/)
  })

  it('acts on a single likely procedure instead of a one-option "did you mean", with a way out', async () => {
    // Acted on by its margin, under the usual score: said with a way out.
    const { client } = mainClient({ recognizer: fixedScores({ 'clear-ssl-state': 0.5, none: 0.1, help: 0.05 }) })

    const replies = await say(client, 'the ssl thing')

    expect(replies[0]).toBe(messages.soundsLike("Clear your browser's SSL state"))
    expect(replies[1]).toMatch(/^Step 1 of 2: Clearing the SSL state/)
    expect(replies.join('\n')).not.toContain(messages.didYouMean)
  })

  it('asks the user to rephrase when they pick "Neither"', async () => {
    const { client } = mainClient({ recognizer: fixedScores({ 'clear-cache': 0.4, 'clear-ssl-state': 0.38 }) })
    await say(client, 'clear it')

    expect(await say(client, 'Neither')).toEqual([messages.rephrase])
  })

  it('gives a policy line as the answer, and restates it calmly on push-back, never offering the desk to do it', async () => {
    const { client, queue } = mainClient()
    const policy =
      "Revoked certificates can't be fixed on AKO/DKO or on your computer.\n\n" +
      'Visit your local ID card office and tell them your certificates have been revoked. They will issue you a new CAC with new certificates; that is the only way to correct it.'

    expect(await say(client, 'my certificates have been revoked')).toEqual([policy])
    expect(await say(client, 'cant the help desk just undo it?')).toEqual([`${messages.pushBack} ${policy}`])
    expect(await say(client, 'talk to a person')).toEqual([messages.connecting('HD-TEST1')])

    expect(queue.packets[0]).toMatchObject({
      reason: 'asked-for-human',
      intentId: 'certificates-revoked',
      question: 'my certificates have been revoked',
      errorMessages: ['certificates have been revoked'],
    })
  })

  it('answers "can the help desk fix it?" about an EDIPI mismatch without an apology: the help desk is its route', async () => {
    const { client } = mainClient({ queue: recordingQueue({ staffed: false }) })
    await say(client, 'ako login says edipi does not match')

    const replies = await say(client, 'so can the help desk fix that for me?')

    expect(replies[0]).toMatch(new RegExp(`^${messages.helpDeskIsTheRoute} .*cleared on your account by the help desk`, 's'))
    expect(replies.join('\n')).not.toContain(messages.pushBack)
  })

  it('records browser, steps tried and the error in the handoff packet after a failed procedure', async () => {
    const { client, queue } = mainClient()

    await say(client, 'page cannot be displayed in firefox')
    await say(client, 'no')
    await say(client, 'no')
    await say(client, 'yes')

    const packet = queue.packets[0]!
    expect(packet).toMatchObject({ browser: 'firefox', intentId: 'page-cannot-be-displayed', errorMessages: ['page cannot be displayed'] })
    expect(packet.trail.map((t) => `${t.stepId}=${t.answer}`)).toEqual(['which-browser=Firefox (already known)', 'cache-firefox=No', 'ssl-2=No'])
    expect(packet.summary).toContain('Problem: page-cannot-be-displayed.')
  })

  it('starts a fresh case after a solved problem, so the agent sees only the current one', async () => {
    const { client, queue } = mainClient()
    await say(client, 'how do i change my pin')
    await say(client, 'yes')
    await say(client, 'yes') // the PIN changed: solved

    await say(client, 'i get a 403 error')
    await say(client, 'talk to a person')

    expect(queue.packets[0]).toMatchObject({ question: 'i get a 403 error', intentId: 'access-forbidden-403', trail: [] })
  })

  it('leaves the user with the bot when they decline an agent', async () => {
    const { client, queue } = mainClient()
    await say(client, 'a cacreg box wants my username and password')
    await say(client, 'purple')
    await say(client, 'banana')

    // Answers it can't read: a person is offered (asked, not opened), and "no thanks" keeps the user with the bot.
    expect(await say(client, 'mango')).toContain(messages.offerAgent)
    expect(await say(client, 'no thanks')).toEqual([messages.noAgent])
    expect(queue.packets).toHaveLength(0)
  })
})

describe('MainDialog interruptions', () => {
  it('answers "help" in the middle of a procedure and asks the same question again', async () => {
    const { client } = mainClient()
    await say(client, 'i want to change my pin')

    const replies = await say(client, 'help')

    expect(replies).toEqual([messages.help, 'Do you know your current PIN?'])
    expect(await say(client, 'yes')).toHaveLength(2) // the procedure goes on
  })

  it('cancels a procedure', async () => {
    const { client } = mainClient()
    await say(client, 'page cannot be displayed')

    expect(await say(client, 'cancel')).toEqual([messages.cancelled])
    expect(await say(client, 'thanks')).toEqual([messages.thanks])
  })

  it('starts over', async () => {
    const { client } = mainClient()
    await say(client, 'my new cac is not working')

    expect(await say(client, 'start over')).toEqual([messages.startOver])
  })

  it('connects to a person at any step', async () => {
    const { client, queue } = mainClient()
    await say(client, 'i get a 403 error')

    expect(await say(client, 'talk to a human')).toEqual([messages.connecting('HD-TEST1')])
    expect(queue.packets[0]).toMatchObject({ reason: 'asked-for-human', intentId: 'access-forbidden-403' })
  })

  it('switches to a new problem raised in the middle of a procedure', async () => {
    const { client } = mainClient()
    await say(client, 'how do i clear my cache')

    const replies = await say(client, 'actually I get EDIPI does not match')

    expect(replies[0]).toBe(messages.switching('"EDIPI does not match"'))
    expect(replies[1]).toBe(messages.pausedNote("Clear your browser's cache (temporary internet files and cookies)"))
    expect(replies[2]).toMatch(/^The "EDIPI does not match" error/)
  })

  it('takes "no" as an answer, never as "cancel", and opens the case when the steps are used up', async () => {
    const { client } = mainClient()
    await say(client, 'a cacreg box keeps popping up')
    await say(client, 'edge')

    const replies = await say(client, 'no')

    expect(replies).toEqual([
      "Clearing the cache didn't fix it. A help-desk agent can take it from here and will see what we tried.",
      expect.stringMatching(/^I'm connecting you with a help-desk agent/),
    ])
  })
})

describe('MainDialog understanding', () => {
  it('keeps facts from any message, never asks them again, and hands them to the agent', async () => {
    const { client, queue } = mainClient()

    const first = await say(client, 'im a contractor, new cac wont work. its a gemalto')
    await say(client, 'talk to a person')

    expect(first.join('\n')).toContain('local IT')
    expect(first.join('\n')).not.toMatch(/Are you Army/)
    expect(queue.packets[0]!.facts).toMatchObject({ branch: 'contractor', cardModel: 'gemalto-top-dl-gx4-144' })
    expect(queue.packets[0]!.summary).toContain('Known: branch contractor, cardModel gemalto-top-dl-gx4-144.')
  })

  it('re-runs the step a corrected fact chose, keeping its number', async () => {
    const { client } = mainClient()
    await say(client, 'a cacreg box keeps popping up')
    expect((await say(client, 'chrome')).join('\n')).toContain('In Google Chrome:')

    const replies = await say(client, 'actually its edge sorry')

    expect(replies[0]).toBe(messages.corrected)
    expect(replies.join('\n')).toContain('In Microsoft Edge:')
  })

  it('answers a side question and comes back to the step', async () => {
    const { client } = mainClient()
    await say(client, 'page cannot be displayed')

    const replies = await say(client, 'wait can i buy a cac somewhere')

    expect(replies[0]).toMatch(/^A CAC can't be bought/)
    expect(replies[1]).toMatch(new RegExp(`^${messages.backTo} Step 1 of 2`))
    expect(replies.at(-1)).toBe('Which browser are you using?')
  })

  it('asks once more in other words when "ok did that" does not say whether it worked', async () => {
    const { client } = mainClient()
    await say(client, 'page cannot be displayed in firefox')

    expect(await say(client, 'ok did that')).toEqual([
      'Just so I don\'t guess: now that you\'ve done that step, is the problem fixed? Say "yes, it works" or "no, still not working".',
    ])
    expect((await say(client, 'nope'))[0]).toMatch(/SSL 2\.0/)
  })
})

describe('MainDialog secrets', () => {
  it.each([
    { text: 'my pin is 12345678 and it is locked', kind: 'a PIN' },
    { text: 'my password is Hunter2! and i cant log in', kind: 'a password' },
    { text: 'my dod id is 1234567890', kind: 'a DoD ID number (EDIPI)' },
    { text: 'ssn 123-45-6789', kind: 'a Social Security number' },
  ])('warns about $kind, never repeats it, and keeps it out of the handoff', async ({ text, kind }) => {
    const { client, queue } = mainClient()

    const replies = await say(client, text)
    await say(client, 'talk to a person')

    expect(replies[0]).toMatch(new RegExp(`^That looked like ${kind.replace(/[()]/g, '\\$&')}\\. Please never share`))
    const secret = /\d{4,}|Hunter2/.exec(text)![0]
    expect(JSON.stringify(replies)).not.toContain(secret)
    expect(JSON.stringify(queue.packets)).not.toContain(secret)
  })

  it('still helps with the rest of the message', async () => {
    const { client } = mainClient()

    const replies = await say(client, 'my pin is 87654321 and now my pin is locked')

    expect(replies[1]).toMatch(/^A forgotten or locked PIN/)
  })

  it.each([
    'pin 662190 keeps getting rejected at the prompt, did i lock it?',
    'the reader says incorrect pin after i type 662190',
    'mi pin 662190 ya no funciona',
  ])('reads the rest of "%s" as if no PIN were typed: the locked-PIN rule', async (text) => {
    const { client } = mainClient()

    const replies = await say(client, text)

    expect(replies[0]).toMatch(/^That looked like a PIN/)
    expect(replies.join('\n')).toMatch(/ID card office/)
    expect(replies.join('\n')).not.toContain('662190')
    expect(replies).not.toContain(messages.askProblem)
  })

  it('gives the locked-PIN rule for a typed PIN refused mid-steps, then the question again', async () => {
    const { client } = mainClient()
    await say(client, 'i get 403 forbidden on ako')

    const replies = await say(client, 'wait it doesnt take my pin 662190 anymore, is it blocked')

    expect(replies[0]).toMatch(/^That looked like a PIN/)
    expect(replies.join('\n')).toMatch(/ID card office/)
    expect(replies.at(-1)).toBe('Is your current CAC registered to your AKO/DKO account?')
  })

  it('still takes a typed PIN as known when the rest says nothing of its state', async () => {
    const { client } = mainClient()

    const replies = await say(client, 'i want to change my pin, the current one is 662190')

    expect(replies.join('\n')).toMatch(/You know your current PIN/)
    expect(replies).not.toContain('Do you know your current PIN?')
  })

  it('tells someone offering to pass on a PIN not to send it, and gives the rule', async () => {
    const { client } = mainClient()
    await say(client, "my wife's cac pin is locked and she is deployed")

    const replies = await say(client, 'she read me her pin, i can send it to you and you unlock it')

    expect(replies[0]).toMatch(/^Please don't send or type that PIN here/)
    expect(replies.join('\n')).toMatch(/ID card office/)
  })

  it('answers an offer alone mid-steps with the question again, not "didn\'t catch that"', async () => {
    const { client } = mainClient()
    await say(client, 'i get 403 forbidden on ako')

    const replies = await say(client, 'i could just give you my social security number so you can look me up')

    expect(replies).toEqual([expect.stringMatching(/^Please don't send or type that Social Security number here/), 'Is your current CAC registered to your AKO/DKO account?'])
  })

  it('asks the question again when the message was only a secret', async () => {
    const { client } = mainClient()
    await say(client, 'i want to change my pin')

    const replies = await say(client, '123456')

    expect(replies).toEqual([expect.stringMatching(/^That looked like a PIN/), 'Do you know your current PIN?'])
  })
})

describe('MainDialog on the Emulator', () => {
  it('traces the RecognizerResult of every user message', async () => {
    const { client } = mainClient({ channelId: 'emulator' })
    await say(client, 'i get a 403 error')

    const replies = await sayActivities(client, 'no')

    const trace = replies.find((r) => r.type === 'trace')
    expect(trace).toMatchObject({ name: 'recognizer', label: 'RecognizerResult', valueType: 'application/vnd.cac-helpdesk.recognizer+json' })
    expect(trace?.value).toMatchObject({ text: 'no', topIntent: expect.any(String), entities: {} })
  })

  it('sends no trace on other channels', async () => {
    const { client } = mainClient({ channelId: 'webchat' })

    const replies = await sayActivities(client, 'i get a 403 error')

    expect(replies.some((r) => r.type === 'trace')).toBe(false)
  })
})
