import { describe, expect, it } from 'vitest'
import { createRecognizer, createRecognizerFromExamples, featuresOf } from '../../src/core/recognizer.js'
import { intents } from '../../intents/index.js'
import { procedures, realRecognizer } from '../helpers/conversation.js'

describe('recognizer', () => {
  const recognizer = realRecognizer()
  /** The best-ranked intent: the recognizer ranks, the decision rule (routing.ts, tested apart) decides. */
  const best = (text: string) => Object.keys(recognizer.recognize(text).intents)[0]

  it.each([
    { text: 'my new cac doesnt work on ako', intentId: 'new-cac-not-working' },
    { text: 'forgot my pin and its locked', intentId: 'pin-locked-or-forgotten' },
    { text: 'ako just says page cannot be displayed', intentId: 'page-cannot-be-displayed' },
    { text: 'I keep getting "403 – Access Forbidden"', intentId: 'access-forbidden-403' },
    { text: 'EDIPI does not match', intentId: 'edipi-mismatch' },
    { text: 'The server at cac-reg requires a username and password.', intentId: 'kicked-back-to-login' },
    { text: 'how do i chnage my pin', intentId: 'change-pin' },
    { text: 'acess forbiden', intentId: 'access-forbidden-403' },
    { text: 'where can i buy a cac', intentId: 'buy-cac' },
    { text: 'talk to a human please', intentId: 'human-agent' },
  ])('maps "$text" to $intentId', ({ text, intentId }) => {
    expect(best(text)).toBe(intentId)
  })

  it.each([
    // typos, slang, run-ons and stories
    { text: 'cant rember my pasword for ako and its been a long week', intentId: 'password-reset' },
    { text: 'so yesterday i got my new cac from the id office and now ako wont even look at it, the old one was fine', intentId: 'new-cac-not-working' },
    { text: 'the choose a certificate window pops up but its totally empty lol', intentId: 'certificate-not-shown' },
    { text: 'oh great another 403 forbiden, love this site', intentId: 'access-forbidden-403' },
    { text: 'registerd my cac already and it STILL wont log me in', intentId: 'registered-still-failing' },
    // abbreviations of the domain
    { text: 'pw expired', intentId: 'password-reset' },
    { text: 'how do i register my certs w/ edge', intentId: 'register-certificates' },
    { text: 'what do i need to sign on to dko with my card', intentId: 'login-requirements' },
    // negation: knowing the PIN or not decides the procedure
    { text: 'i know my pin, i just want to change it', intentId: 'change-pin' },
    { text: 'i dont know my pin anymore', intentId: 'pin-locked-or-forgotten' },
    // a question about one step finds its procedure
    { text: 'where do i find clear ssl state', intentId: 'clear-ssl-state' },
    // a person or a phone number is human-agent, never out of scope
    { text: 'whats the help desk phone number', intentId: 'human-agent' },
    { text: 'can i just talk to a real person', intentId: 'human-agent' },
    // Spanish
    { text: 'olvidé mi contraseña de AKO', intentId: 'password-reset' },
    { text: 'mi PIN está bloqueado', intentId: 'pin-locked-or-forgotten' },
    { text: 'me dieron una CAC nueva y no funciona', intentId: 'new-cac-not-working' },
    { text: 'no aparece mi certificado cuando intento entrar', intentId: 'certificate-not-shown' },
  ])('maps "$text" (as people type) to $intentId', ({ text, intentId }) => {
    expect(best(text)).toBe(intentId)
  })

  it.each(['what is the weather tomorrow in tampa', 'my printer is jammed again', 'order me a pizza'])('refuses "%s" as out of scope', (text) => {
    expect(best(text)).toBe('none')
  })

  it.each([
    { text: 'outlook wont let me sign my emails with my cac', topic: 'out-of-scope-email' },
    { text: 'how do i sign an email with my cac', topic: 'out-of-scope-email' },
    { text: 'my vpn keeps rejecting my cac certificate', topic: 'out-of-scope-network' },
    { text: 'i cant get into dts with my cac', topic: 'out-of-scope-other-site' },
    { text: 'my les shows the wrong bah', topic: 'out-of-scope-pay-personnel' },
    { text: 'when do we get paid this month', topic: 'out-of-scope-pay-personnel' },
    { text: 'my cac expires next month, where do i renew it', topic: 'out-of-scope-id-card-office' },
    { text: 'i think someone stole my cac', topic: 'out-of-scope-lost-card' },
    { text: 'my card reader is not detected by windows', topic: 'out-of-scope-reader' },
  ])('recognises the out-of-scope neighbour "$text" as $topic', ({ text, topic }) => {
    expect(best(text)).toBe(topic)
  })

  it.each([
    { text: 'olvidé mi contraseña y no puedo entrar', language: 'es' },
    { text: 'I forgot my password and cannot get in', language: 'en' },
    { text: 'cac', language: undefined },
  ])('tells the language of "$text"', ({ text, language }) => {
    expect(recognizer.recognize(text).language).toBe(language)
  })

  it('reports how much of a message it knows: little for text about something else entirely', () => {
    expect(recognizer.recognize('my new cac does not work').coverage).toBe(1)
    expect(recognizer.recognize('zorbl quaxx fleem').coverage).toBe(0)
  })

  it('returns a botbuilder-style RecognizerResult with scores to threshold', () => {
    const result = recognizer.recognize('page cannot be displayed in Chrome on Windows 10')

    expect(result.text).toBe('page cannot be displayed in Chrome on Windows 10')
    expect(result.topIntent).toBe('page-cannot-be-displayed')
    expect(result.intents['page-cannot-be-displayed']!.score).toBeGreaterThan(0.9) // the quoted error
    const scores = Object.values(result.intents).map((i) => i.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    expect(result.entities).toEqual({ browser: ['chrome'], os: ['windows 10'], errorMessage: ['page cannot be displayed'] })
  })

  it.each([
    { text: 'my card says Gemalto TOP DL GX4 144', entities: { cardModel: ['gemalto-top-dl-gx4-144'] } },
    { text: 'oberthur id one 128 v5.5 dual in IE 11', entities: { cardModel: ['oberthur-id-one-128-v5.5-dual'], browser: ['ie'] } },
    { text: 'error 403 in firefox on a mac', entities: { errorCode: ['403'], browser: ['firefox'], os: ['macos'] } },
    { text: 'edge on windows vista', entities: { browser: ['edge'], os: ['windows vista'] } },
  ])('finds entities in "$text"', ({ text, entities }) => {
    expect(recognizer.recognize(text).entities).toMatchObject(entities)
  })

  it('trains the same model twice (fixed seed)', () => {
    const again = createRecognizer(intents, { procedures })
    const text = 'cert picker shows nothing when logging in'

    expect(again.recognize(text)).toEqual(createRecognizer(intents, { procedures }).recognize(text))
  })

  it('learns only from data: any labelled corpus works, "oos" meaning out of scope', () => {
    const corpus = [
      ...['turn on the lights', 'lights on please', 'switch the lamp on', 'make it bright'].map((text) => ({ text, intent: 'lights_on' })),
      ...['play some jazz', 'put on music', 'play a song', 'music please'].map((text) => ({ text, intent: 'play_music' })),
      ...['what is love', 'who won the war', 'tell me about rome'].map((text) => ({ text, intent: 'oos' })),
    ]

    const toy = createRecognizerFromExamples(corpus, { minScore: 0.4 })

    expect(toy.recognize('please turn the lights on').topIntent).toBe('lights_on')
    expect(toy.recognize('play me a song').topIntent).toBe('play_music')
    expect(toy.recognize('who was the emperor of rome').topIntent).toBe('none')
  })

  it('adds character n-grams across word boundaries only when asked (phrase n-grams)', () => {
    const phrases = (text: string, phraseChars?: number) =>
      featuresOf(text, phraseChars === undefined ? {} : { phraseChars }).filter((f) => f.startsWith('p:'))

    expect(phrases('top up card')).toEqual([])
    expect(phrases('top up card', 4)).toEqual(['p:op u', 'p:p up', 'p:up c', 'p:p ca'])
  })
})
