import { describe, expect, it } from 'vitest'
import { decideRoute, thresholdsFrom } from '../../src/core/routing.js'
import { loadConfig } from '../../src/core/config.js'
import type { RecognizerResult } from '../../src/core/recognizer.js'

const rule = { minScore: 0.5, suggestScore: 0.2, ambiguityMargin: 0.15, actMargin: 0.3, minCoverage: 0.4 }
const isProcedure = (id: string) => !['help', 'human-agent', 'none', 'out-of-scope-email'].includes(id)
const isOutOfScope = (id: string) => id === 'none' || id.startsWith('out-of-scope-')
const result = (scores: Record<string, number>, coverage = 1): RecognizerResult => ({
  text: 't',
  intents: Object.fromEntries(Object.entries(scores).map(([id, score]) => [id, { score }])),
  entities: {},
  topIntent: Object.keys(scores)[0]!,
  coverage,
})

describe('decideRoute', () => {
  it.each<{ name: string; scores: Record<string, number>; coverage?: number; route: unknown }>([
    { name: 'acts on a clear winner', scores: { a: 0.9, b: 0.05 }, route: { kind: 'intent', intentId: 'a', score: 0.9 } },
    { name: 'acts under the minimum when far ahead of the second', scores: { a: 0.45, b: 0.1, c: 0.05 }, route: { kind: 'intent', intentId: 'a', score: 0.45 } },
    { name: 'offers two close procedures', scores: { a: 0.5, b: 0.4 }, route: { kind: 'suggest', intentIds: ['a', 'b'] } },
    { name: 'never offers one option alone: acts when the rival cannot be offered', scores: { a: 0.55, help: 0.44 }, route: { kind: 'intent', intentId: 'a', score: 0.55 } },
    { name: 'never offers one option alone: refuses a lone weak candidate', scores: { a: 0.35, 'human-agent': 0.3, none: 0.25 }, route: { kind: 'none' } },
    { name: 'names the out-of-scope topic it recognised', scores: { 'out-of-scope-email': 0.7, a: 0.2 }, route: { kind: 'none', topic: 'out-of-scope-email' } },
    { name: 'refuses text made of words it never saw', scores: { a: 0.95 }, coverage: 0.2, route: { kind: 'none' } },
    { name: 'refuses a confident none', scores: { none: 0.8, a: 0.15 }, route: { kind: 'none' } },
  ])('$name', ({ scores, coverage, route }) => {
    expect(decideRoute(result(scores, coverage), rule, isProcedure, isOutOfScope)).toEqual(route)
  })

  it.each<{ name: string; extra: Partial<RecognizerResult>; scores: Record<string, number>; route: unknown }>([
    {
      name: 'works on the problem named first when that part is clear alone',
      scores: { b: 0.55, a: 0.4 },
      extra: { mainClause: { intentId: 'a', score: 0.9 } },
      route: { kind: 'intent', intentId: 'a', score: 0.9 },
    },
    {
      name: 'ignores the part named first when the whole message does not point to it',
      scores: { b: 0.9, a: 0.05 },
      extra: { mainClause: { intentId: 'a', score: 0.9 } },
      route: { kind: 'intent', intentId: 'b', score: 0.9 },
    },
    {
      name: 'ignores a part that is unsure alone',
      scores: { b: 0.5, a: 0.4 },
      extra: { mainClause: { intentId: 'a', score: 0.45 } },
      route: { kind: 'suggest', intentIds: ['b', 'a'] },
    },
    {
      name: 'never acts on a part that names no procedure',
      scores: { b: 0.9, help: 0.05 },
      extra: { mainClause: { intentId: 'help', score: 0.9 } },
      route: { kind: 'intent', intentId: 'b', score: 0.9 },
    },
    {
      name: 'names the topic withdrawn for want of its words when refusing for doubt',
      scores: { a: 0.3, none: 0.25, b: 0.05 },
      extra: { withdrawnTopic: { intentId: 'out-of-scope-email', score: 0.4 } },
      route: { kind: 'none', topic: 'out-of-scope-email' },
    },
    {
      name: 'does not name a withdrawn topic that was only a trace',
      scores: { a: 0.3, none: 0.25, b: 0.05 },
      extra: { withdrawnTopic: { intentId: 'out-of-scope-email', score: 0.1 } },
      route: { kind: 'none' },
    },
    {
      name: 'acts as usual when a withdrawn topic left a clear winner',
      scores: { a: 0.95, b: 0.02 },
      extra: { withdrawnTopic: { intentId: 'out-of-scope-email', score: 0.8 } },
      route: { kind: 'intent', intentId: 'a', score: 0.95 },
    },
  ])('$name', ({ scores, extra, route }) => {
    expect(decideRoute({ ...result(scores), ...extra }, rule, isProcedure, isOutOfScope)).toEqual(route)
  })

  it('refuses an unsure message for doubt only when the model has learned what out of scope looks like', () => {
    const unsure = { a: 0.3, b: 0.1, c: 0.05 }
    expect(decideRoute(result(unsure), rule, isProcedure, isOutOfScope)).toEqual({ kind: 'none' })
    expect(decideRoute({ ...result(unsure), knowsOutOfScope: true }, rule, isProcedure, isOutOfScope)).toEqual({ kind: 'none' })
    // BANKING77 has no out-of-scope examples: a low score there means two banking intents are alike, not another subject.
    expect(decideRoute({ ...result(unsure), knowsOutOfScope: false }, rule, isProcedure, isOutOfScope)).toEqual({ kind: 'intent', intentId: 'a', score: 0.3 })
  })

  it('never asks "did you mean" with one option, whatever the scores', () => {
    const ids = ['a', 'b', 'help', 'none', 'out-of-scope-email']
    let random = 1
    const next = () => (random = (random * 16807) % 2147483647) / 2147483647
    for (let i = 0; i < 500; i++) {
      const raw = ids.map(next)
      const sum = raw.reduce((x, y) => x + y, 0)
      const scores = Object.fromEntries(ids.map((id, j) => [id, raw[j]! / sum] as const).sort((x, y) => y[1] - x[1]))

      const route = decideRoute(result(scores), thresholdsFrom(loadConfig({})), isProcedure, isOutOfScope)

      if (route.kind === 'suggest') expect(route.intentIds.length).toBeGreaterThanOrEqual(2)
    }
  })
})
