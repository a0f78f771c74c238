import { describe, expect, it } from 'vitest'
import { createRecognizer, createRecognizerFromExamples, featuresOf, mainClauseOf, soundAlike, tokens } from '../../src/core/recognizer.js'
import { decideRoute, thresholdsFrom } from '../../src/core/routing.js'
import { loadConfig } from '../../src/core/config.js'
import { IntentSchema, intents, type Intent } from '../../intents/index.js'
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
    // It says whether it learned what out of scope looks like (the decision rule refuses for doubt only then).
    expect(toy.recognize('play me a song').knowsOutOfScope).toBe(true)
    const closed = createRecognizerFromExamples(corpus.filter((e) => e.intent !== 'oos'))
    expect(closed.recognize('play me a song').knowsOutOfScope).toBe(false)
    expect(realRecognizer().recognize('my cac is locked').knowsOutOfScope).toBe(true)
  })

  it('adds character n-grams across word boundaries only when asked (phrase n-grams)', () => {
    const phrases = (text: string, phraseChars?: number) =>
      featuresOf(text, phraseChars === undefined ? {} : { phraseChars }).filter((f) => f.startsWith('p:'))

    expect(phrases('top up card')).toEqual([])
    expect(phrases('top up card', 4)).toEqual(['p:op u', 'p:p up', 'p:up c', 'p:p ca'])
  })

  describe('out-of-scope topics and the part of a message meant', () => {
    const topics = new Set(intents.filter((i) => i.refer).map((i) => i.id))
    const withProcedure = new Set(intents.filter((i) => i.procedure).map((i) => i.id))
    /** What the bot does with a message: the recognizer and the configured decision rule together. */
    const routeOf = (text: string) =>
      decideRoute(recognizer.recognize(text), thresholdsFrom(loadConfig({})), (id) => withProcedure.has(id), (id) => id === 'none' || topics.has(id))

    it.each([
      // the CAC or AKO/DKO where a topic's examples are: at work, at home, on a phone; no VPN, e-mail, site or card office named
      { text: 'my replacement cac wont work on my office computer', intentId: 'new-cac-not-working' },
      { text: 'my cac works at work but ako wont take it on my home laptop', intentId: 'new-cac-not-working' },
      { text: 'ako rejects my new cac on my home pc', intentId: 'new-cac-not-working' },
      { text: 'dko wont open on my phone since i got the new card', intentId: 'new-cac-not-working' },
    ])('acts on the CAC problem in "$text", not a topic that shares its setting', ({ text, intentId }) => {
      expect(routeOf(text)).toMatchObject({ kind: 'intent', intentId })
    })

    it.each([
      { text: 'my work laptop vpn rejects my cac', topic: 'out-of-scope-network' },
      { text: 'cant log into my government laptop with my new cac', topic: 'out-of-scope-network' },
      { text: 'outlook wont let me encrypt with my new cac', topic: 'out-of-scope-email' },
      { text: 'mypay wont take my new cac', topic: 'out-of-scope-other-site' },
      { text: 'i lost my cac at the airport', topic: 'out-of-scope-lost-card' },
      { text: 'the reader light is off', topic: 'out-of-scope-reader' },
    ])('still refuses "$text" as $topic: it names the topic', ({ text, topic }) => {
      expect(routeOf(text)).toEqual({ kind: 'none', topic })
    })

    it('withdraws a topic whose words are absent and says which it was', () => {
      const result = recognizer.recognize('new cac not working on my work pc')

      expect(result.intents['out-of-scope-network']).toBeUndefined()
      expect(result.withdrawnTopic?.intentId).toBe('out-of-scope-network')
      expect(result.topIntent).toBe('new-cac-not-working')
    })

    it.each([
      // two problems: the one named first
      { text: 'how do i clear the cache in edge, also i forgot my ako password', intentId: 'clear-cache' },
      { text: 'my pin is locked, plus ako says page cannot be displayed', intentId: 'pin-locked-or-forgotten' },
      { text: 'how do i clear ssl state in firefox, btw my ako password is [redacted]', intentId: 'clear-ssl-state' },
      // a correction: what follows it
      { text: "it's not my pin, it's my ako password i forgot", intentId: 'password-reset' },
      { text: 'not about my pin, i forgot my dko password', intentId: 'password-reset' },
    ])('works on the problem meant in "$text"', ({ text, intentId }) => {
      expect(routeOf(text)).toMatchObject({ kind: 'intent', intentId })
    })

    it.each([
      { text: 'how do i clear ssl state, also my password expired', clause: 'how do i clear ssl state' },
      { text: "it's not my PIN, it's my ako password i forgot", clause: 'my ako password i forgot' },
      // a second matter too short to be one, or a story that only goes on: no part singled out
      { text: 'i cleared my cache and also ssl', clause: undefined },
      { text: 'i also tried another browser and it still fails', clause: undefined },
      { text: 'my new cac does not work', clause: undefined },
    ])('singles out "$clause" in "$text"', ({ text, clause }) => {
      expect(mainClauseOf(text)).toBe(clause)
    })

    it.each([
      { text: 'the certificates part, how do i do that', intentId: 'register-certificates' },
      { text: 'yep can log in now', intentId: 'thanks' },
    ])('reads "$text" as $intentId', ({ text, intentId }) => {
      expect(best(text)).toBe(intentId)
    })

    it("trains every topic on examples that name the topic's own words", () => {
      const unnamed = intents.flatMap((intent) => {
        if (!intent.vocabulary) return []
        const pattern = new RegExp(`(?:^| )(?:${intent.vocabulary.join('|')})(?= |$)`)
        return intent.utterances.filter((text) => !pattern.test(tokens(text).join(' '))).map((text) => `${intent.id}: ${text}`)
      })

      expect(unnamed).toEqual([])
    })

    it('rejects a topic without its vocabulary, and a vocabulary that is not a regular expression', () => {
      const utterances = Array.from({ length: 25 }, (_, i) => `my vpn broke ${i}`)
      const topic: Intent = { id: 'out-of-scope-vpn', refer: 'Your unit IT handles VPN.', utterances, vocabulary: ['vpn'] }

      expect(IntentSchema.safeParse({ ...topic, vocabulary: undefined }).success).toBe(false)
      expect(IntentSchema.safeParse(topic).success).toBe(true)
      expect(() => createRecognizer([...intents, { ...topic, vocabulary: ['(vpn'] }], { procedures })).toThrow(/out-of-scope-vpn.*vocabulary/)
    })
  })
})

describe('soundAlike: words spelled by ear', () => {
  const near = soundAlike(['certificate', 'shows', 'firefox', 'when', 'please', 'thank'])
  it.each([['sertifikit', 'certificate'], ['showz', 'shows'], ['firefoks', 'firefox'], ['wen', 'when']])('reads "%s" as "%s"', (typed, meant) =>
    expect(near(typed)).toBe(meant),
  )
  // Another sound, or (with the stricter reach every word of an answer gets) too many edits for the length: as typed.
  const strict = soundAlike(['firefox', 'please', 'thank'], { lettersPerEdit: 3 })
  it.each(['sit', 'fox', 'ab'])('leaves "%s" alone', (typed) => expect(near(typed)).toBeUndefined())
  it.each(['place', 'thing'])('leaves "%s" alone at one edit per three letters', (typed) => expect(strict(typed)).toBeUndefined())
  it('still reads "firefoks" at one edit per three letters', () => expect(strict('firefoks')).toBe('firefox'))
})
