import { describe, expect, it } from 'vitest'
import { seededRandom, type Example } from '../../src/core/classifier.js'
import { trainMlp, trainWithNetwork } from '../../src/core/mlp.js'
import { createRecognizerFromExamples } from '../../src/core/recognizer.js'

/** Three classes told apart by one word each, among words every class uses at random. */
function toySet(perClass = 20, seed = 3): Example[] {
  const random = seededRandom(seed)
  const shared = ['the', 'my', 'is', 'please', 'now']
  return ['fruit', 'travel', 'music'].flatMap((label) =>
    Array.from({ length: perClass }, () => ({
      features: [`word:${label}`, shared[Math.floor(random() * shared.length)]!, shared[Math.floor(random() * shared.length)]!],
      label,
    })),
  )
}
const probability = (model: { labels: readonly string[]; predict(f: readonly string[]): Float64Array }, features: string[], label: string) =>
  model.predict(features)[model.labels.indexOf(label)]!

describe('hidden-layer network', () => {
  it('learns a set one word separates, and its probabilities sum to 1', () => {
    const model = trainMlp(toySet())
    for (const label of ['fruit', 'travel', 'music']) {
      expect(probability(model, [`word:${label}`, 'the', 'now'], label)).toBeGreaterThan(0.9)
    }
    const p = model.predict(['word:music', 'my'])
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
    // Shared words alone say nothing: no class is sure.
    expect(Math.max(...model.predict(['the', 'my']))).toBeLessThan(0.9)
  })

  it('is the same model for the same seed and a different one for another seed', () => {
    const message = ['word:fruit', 'word:travel', 'please']
    const a = trainMlp(toySet(), { seed: 1 }).predict(message)
    const b = trainMlp(toySet(), { seed: 1 }).predict(message)
    const c = trainMlp(toySet(), { seed: 2 }).predict(message)
    expect([...b]).toEqual([...a])
    expect([...c]).not.toEqual([...a])
  })

  it('bounds its training work by a count: looks × passes per look × the examples it trains on', () => {
    const examples = toySet(20) // 60 examples, 6 held out (10% of each label's 20, rounded down)
    for (const [maxChecks, checkEvery] of [
      [3, 100],
      [5, 500],
    ] as const) {
      const model = trainMlp(examples, { maxChecks, checkEvery, patience: 100 })
      const passesPerLook = Math.ceil(checkEvery / 54)
      expect(model.examplesSeen).toBe(maxChecks * passesPerLook * 54)
      expect(model.heldOutLoss).toHaveLength(maxChecks)
      expect(model.epochs).toBeLessThanOrEqual(maxChecks * passesPerLook)
    }
    // Refitting on all the data adds at most the best looks' passes over all 60.
    const refit = trainMlp(examples, { maxChecks: 3, checkEvery: 100, patience: 100, refit: true })
    expect(refit.examplesSeen).toBeLessThanOrEqual(3 * 2 * 54 + 3 * 2 * 60)
    expect(refit.examplesSeen).toBeGreaterThan(3 * 2 * 54)
  })

  it('stops early once the held-out loss stops falling, and keeps the best look', () => {
    // A third of the labels swapped at random: memorising them raises the held-out loss after a while.
    const random = seededRandom(9)
    const labels = ['fruit', 'travel', 'music']
    const noisy = toySet().map((e) => (random() < 0.33 ? { ...e, label: labels[Math.floor(random() * 3)]! } : e))
    const model = trainMlp(noisy, { maxChecks: 200, patience: 2, dropout: 0, learningRate: 0.05 })
    const losses = model.heldOutLoss
    expect(losses.length).toBeLessThan(200)
    const best = Math.min(...losses)
    // It stopped exactly `patience` looks after the best one.
    expect(losses.length - 1 - losses.indexOf(best)).toBe(2)
    // Held out: a tenth of each label's examples, rounded down; the rest make a pass, repeated up to 2,000 examples a look.
    const held = labels.reduce((n, label) => n + Math.floor(noisy.filter((e) => e.label === label).length * 0.1), 0)
    expect(model.epochs).toBe((losses.indexOf(best) + 1) * Math.ceil(2000 / (noisy.length - held)))
  })

  it('averaged with the linear model, lies between the two (weight 1: the network alone)', () => {
    const examples = toySet()
    const message = ['word:fruit', 'word:travel']
    const alone = trainWithNetwork(examples, { network: { weight: 1 } })
    expect([...alone.predict(message)]).toEqual([...trainMlp(examples).predict(message)])
    const averaged = trainWithNetwork(examples, { network: { weight: 0.3 } })
    const linear = trainWithNetwork(examples, { network: { weight: 0 } })
    const [n, l, m] = [alone, linear, averaged].map((model) => probability(model, message, 'fruit'))
    expect(m).toBeCloseTo(0.3 * n! + 0.7 * l!, 9)
    expect(averaged.predict(message).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
  })

  it('serves a recognizer as a model variant', () => {
    const recognizer = createRecognizerFromExamples(
      [
        ...['my card is locked', 'card locked out', 'the card got locked again'].map((text) => ({ text, intent: 'locked' })),
        ...['i forgot my password', 'password forgotten', 'cannot remember the password'].map((text) => ({ text, intent: 'password' })),
      ],
      { network: { weight: 0.3 }, minScore: 0 },
    )
    expect(recognizer.recognize('forgot the password').topIntent).toBe('password')
    expect(recognizer.recognize('locked card').topIntent).toBe('locked')
  })
})
