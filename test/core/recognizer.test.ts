import { describe, expect, it } from 'vitest'
import { createRecognizer, createRecognizerFromExamples } from '../../src/core/recognizer.js'
import { intents } from '../../intents/index.js'
import { realRecognizer } from '../helpers/conversation.js'

describe('recognizer', () => {
  const recognizer = realRecognizer()

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
    expect(recognizer.recognize(text).topIntent).toBe(intentId)
  })

  it.each(['what is the weather tomorrow in tampa', 'my printer is jammed again', 'when do we get paid this month'])(
    'refuses "%s" as out of scope',
    (text) => {
      expect(recognizer.recognize(text).topIntent).toBe('none')
    },
  )

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
    const again = createRecognizer(intents)
    const text = 'cert picker shows nothing when logging in'

    expect(again.recognize(text)).toEqual(createRecognizer(intents).recognize(text))
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
})
