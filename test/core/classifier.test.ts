import { describe, expect, it } from 'vitest'
import { trainClassifier, type Example } from '../../src/core/classifier.js'

/** Two intents that share a frequent word and differ by one word each. */
const examples: Example[] = [
  ...Array.from({ length: 10 }, () => ({ features: ['the', 'apple'], label: 'fruit' })),
  ...Array.from({ length: 10 }, () => ({ features: ['the', 'bus'], label: 'travel' })),
]
const probability = (model: ReturnType<typeof trainClassifier>, features: string[], label: string) =>
  model.predict(features)[model.labels.indexOf(label)]!

describe('classifier', () => {
  it('with idf, a word every intent shares weighs less against the word that tells them apart', () => {
    // "the" four times drowns "apple" in a plain count vector; weighted by idf, "apple" keeps more of its weight.
    const message = ['the', 'the', 'the', 'the', 'apple']
    const plain = probability(trainClassifier(examples), message, 'fruit')
    const weighted = probability(trainClassifier(examples, { idf: true }), message, 'fruit')
    expect(plain).toBeGreaterThan(0.5)
    expect(weighted).toBeGreaterThan(plain + 0.05)
  })

  it('gives probabilities summing to 1, the same for the same data (fixed seed), with or without idf', () => {
    for (const idf of [false, true]) {
      const p = trainClassifier(examples, { idf }).predict(['bus'])
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
      expect([...trainClassifier(examples, { idf }).predict(['bus'])]).toEqual([...p])
    }
  })
})
