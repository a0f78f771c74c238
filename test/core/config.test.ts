import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/core/config.js'
import { decideRoute } from '../../src/core/routing.js'

describe('loadConfig', () => {
  it('gives the embedded defaults on an empty environment, frozen', () => {
    const config = loadConfig({})

    expect(config).toMatchObject({ PORT: 3978, DATA_DIR: './data', MicrosoftAppId: '', RECOGNIZER_MIN_SCORE: 0.75 })
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', RECOGNIZER_MIN_SCORE: '2' })).toThrow(
      expect.objectContaining({ code: 'HD_CONFIG_INVALID', message: expect.stringMatching(/PORT[\s\S]*LOG_LEVEL[\s\S]*RECOGNIZER_MIN_SCORE/) }),
    )
  })

  it('bounds the website turns in flight: 32 at once, 2 s to wait or hold a slot, by default; none or instant refused', () => {
    expect(loadConfig({})).toMatchObject({ DIRECTLINE_TURNS_IN_FLIGHT: 32, DIRECTLINE_TURN_SLOT_MS: 2000 })
    expect(loadConfig({ DIRECTLINE_TURNS_IN_FLIGHT: '8', DIRECTLINE_TURN_SLOT_MS: '500' })).toMatchObject({ DIRECTLINE_TURNS_IN_FLIGHT: 8, DIRECTLINE_TURN_SLOT_MS: 500 })
    expect(() => loadConfig({ DIRECTLINE_TURNS_IN_FLIGHT: '0', DIRECTLINE_TURN_SLOT_MS: '50' })).toThrow(
      expect.objectContaining({ code: 'HD_CONFIG_INVALID', message: expect.stringMatching(/DIRECTLINE_TURNS_IN_FLIGHT[\s\S]*DIRECTLINE_TURN_SLOT_MS/) }),
    )
  })

  it('rejects a suggestion threshold above the routing threshold', () => {
    expect(() => loadConfig({ RECOGNIZER_SUGGEST_SCORE: '0.7', RECOGNIZER_MIN_SCORE: '0.5' })).toThrow(/must not exceed/)
  })
})

describe('decideRoute', () => {
  const thresholds = { minScore: 0.5, suggestScore: 0.2, ambiguityMargin: 0.15 }
  const isProcedure = (id: string) => !['help', 'cancel', 'none'].includes(id)
  const result = (scores: Record<string, number>, topIntent: string) => ({
    text: 't',
    intents: Object.fromEntries(Object.entries(scores).map(([id, score]) => [id, { score }])),
    entities: {},
    topIntent,
  })

  it.each<{ name: string; scores: Record<string, number>; top: string; route: unknown }>([
    { name: 'a clear winner', scores: { a: 0.9, b: 0.05 }, top: 'a', route: { kind: 'intent', intentId: 'a', score: 0.9 } },
    { name: 'two close procedures', scores: { a: 0.55, b: 0.45 }, top: 'a', route: { kind: 'suggest', intentIds: ['a', 'b'] } },
    { name: 'a close control intent', scores: { help: 0.55, a: 0.45 }, top: 'help', route: { kind: 'intent', intentId: 'help', score: 0.55 } },
    { name: 'low scores with candidates', scores: { a: 0.35, b: 0.3, c: 0.25, d: 0.21 }, top: 'none', route: { kind: 'suggest', intentIds: ['a', 'b', 'c'] } },
    { name: 'confidently out of scope', scores: { none: 0.8, a: 0.1 }, top: 'none', route: { kind: 'none' } },
    { name: 'nothing close', scores: { a: 0.15, none: 0.12 }, top: 'none', route: { kind: 'none' } },
  ])('$name', ({ scores, top, route }) => {
    expect(decideRoute(result(scores, top), thresholds, isProcedure)).toEqual(route)
  })
})
