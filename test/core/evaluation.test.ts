import { describe, expect, it } from 'vitest'
import { CLARIFY, evaluate, loadCorpus } from '../../src/core/evaluation.js'
import { intents } from '../../intents/index.js'
import { tokens } from '../../src/core/recognizer.js'

describe('evaluate', () => {
  it('computes accuracy, per-intent scores, out-of-scope recall, wrong refusals and confusions', () => {
    const report = evaluate([
      { expected: 'a', predicted: 'a' },
      { expected: 'a', predicted: 'b' },
      { expected: 'b', predicted: 'b' },
      { expected: 'b', predicted: 'none' },
      { expected: 'none', predicted: 'none' },
      { expected: 'none', predicted: 'a' },
    ])

    expect(report.accuracy).toBeCloseTo(3 / 6)
    expect(report.inScopeAccuracy).toBeCloseTo(2 / 4)
    expect(report.outOfScopeRecall).toBeCloseTo(1 / 2)
    expect(report.wronglyRefused).toBeCloseTo(1 / 4)
    expect(report.perIntent.find((s) => s.intent === 'a')).toEqual({ intent: 'a', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })
    expect(report.macroF1).toBeCloseTo(0.5)
    expect(report.confusions).toContainEqual({ expected: 'a', predicted: 'b', count: 1 })
  })

  it('counts a "did you mean" as not right, and flags one with a single option', () => {
    const report = evaluate([
      { expected: 'a', predicted: CLARIFY, options: ['a', 'b'] },
      { expected: 'b', predicted: CLARIFY, options: ['a'] },
      { expected: 'a', predicted: 'a' },
      { expected: 'none', predicted: 'none' },
    ])

    expect(report.inScopeAccuracy).toBeCloseTo(1 / 3)
    expect(report.clarified).toBeCloseTo(2 / 3)
    expect(report.clarifiedRight).toBeCloseTo(1 / 2)
    expect(report.oneOptionClarifications).toBe(1)
    expect(report.perIntent.map((s) => s.intent)).toEqual(['a', 'b', 'none'])
  })
})

describe('the evaluation sets', () => {
  const key = (text: string) => tokens(text).join(' ')
  const training = new Set(intents.flatMap((intent) => intent.utterances.map(key)))

  it.each(['intents/evaluation.jsonl', 'intents/evaluation-independent.jsonl'])('share no sentence with the training data: %s', (file) => {
    const overlap = loadCorpus(file).filter((row) => training.has(key(row.text)))

    expect(overlap.length).toBe(0)
  })

  it('include the independent set, labelled with known intents only', () => {
    const rows = loadCorpus('intents/evaluation-independent.jsonl')
    const known = new Set(intents.filter((i) => !i.refer).map((i) => i.id))

    expect(rows.length).toBeGreaterThanOrEqual(500)
    expect(rows.filter((r) => !known.has(r.intent))).toEqual([])
  })
})

describe('loadCorpus', () => {
  it('reads the evaluation file, with at least 300 utterances and out-of-scope ones among them', () => {
    const rows = loadCorpus('intents/evaluation.jsonl')

    expect(rows.length).toBeGreaterThanOrEqual(300)
    expect(rows.filter((r) => r.intent === 'none').length).toBeGreaterThanOrEqual(50)
  })

  it('names the line at fault', () => {
    expect(() => loadCorpus('test/fixtures/broken-corpus.jsonl')).toThrow(/broken-corpus\.jsonl:2: /)
  })
})
