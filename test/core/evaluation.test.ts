import { describe, expect, it } from 'vitest'
import { evaluate, loadCorpus } from '../../src/core/evaluation.js'

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
