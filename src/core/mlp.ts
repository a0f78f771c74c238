/**
 * A one-hidden-layer neural network over the same sparse features as the linear model (classifier.ts): ReLU units,
 * dropout, seeded initialisation and order, early stopping on a held-out part of the training data. Issue 11's fourth
 * pass tried it alone and averaged with the linear model (`npm run eval -- --network`, on held-out training data): it
 * did not win within the training bound, so no corpus and not the bot uses it (see BENCHMARKS.md).
 */
import { seededRandom, shuffle, sparseEncoder, trainClassifier, type Classifier, type ClassifierOptions, type Example, type SparseVector } from './classifier.js'

export interface MlpOptions extends Pick<ClassifierOptions, 'minCount' | 'idf' | 'seed'> {
  /** Hidden ReLU units. */
  hidden?: number
  /** Share of hidden units dropped at each training example. */
  dropout?: number
  /** Adam's rate (output layer, biases). */
  learningRate?: number
  /** Adagrad's rate (input layer). */
  inputRate?: number
  batchSize?: number
  /** Share of each label's examples held out to choose when to stop (every label keeps at least one to train on). */
  holdout?: number
  /** Examples seen between two looks at the held-out loss (at least one pass). */
  checkEvery?: number
  /** Looks at most; with `checkEvery` and the data's size this bounds the training work, whatever the machine. */
  maxChecks?: number
  /** Looks without a better held-out loss before stopping. */
  patience?: number
  /**
   * After stopping, train again on all the data (held-out part included) for as many passes as were best, rather
   * than keep the weights of the best look (trained without the held-out part). Twice the training work.
   */
  refit?: boolean
  /** Scale of the input layer's initial weights (uniform in ±scale·√3: unit variance for a unit-length input). */
  initScale?: number
}

export interface TrainedMlp extends Classifier {
  /** Passes over the training data of the model returned. */
  readonly epochs: number
  /** Training examples processed in all (held-out looks not counted): what bounds the training time. */
  readonly examplesSeen: number
  /** Held-out log-loss at each look. */
  readonly heldOutLoss: readonly number[]
}

/**
 * The network's weights and the work on them. The input layer learns one example at a time by Adagrad, on the rows
 * of the features the example contains only (each weight's step shrinks with the squares of its past gradients, so
 * rare features keep large steps and common ones settle; Adam's moments for every row would cost a pass over the
 * whole layer); the output layer and the biases by Adam on batches.
 */
class Network {
  readonly w1: Float64Array
  readonly b1: Float64Array
  readonly w2: Float64Array
  readonly b2: Float64Array
  private readonly h: Float64Array
  private readonly dh: Float64Array
  private readonly p: Float64Array
  private readonly active: Int32Array
  // Adagrad's sums of squared gradients (input layer).
  private readonly s1: Float64Array
  // The batch's gradients and Adam's moments (output layer, biases).
  private readonly g2: Float64Array
  private readonly gb1: Float64Array
  private readonly gb2: Float64Array
  private readonly m2: Float64Array
  private readonly v2: Float64Array
  private readonly mb1: Float64Array
  private readonly vb1: Float64Array
  private readonly mb2: Float64Array
  private readonly vb2: Float64Array
  private step = 0

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    readonly classes: number,
    random: () => number,
    initScale: number,
  ) {
    this.w1 = new Float64Array(inputs * hidden)
    const a1 = initScale * Math.sqrt(3)
    for (let i = 0; i < this.w1.length; i++) this.w1[i] = (random() * 2 - 1) * a1
    this.b1 = new Float64Array(hidden)
    this.w2 = new Float64Array(hidden * classes)
    const a2 = Math.sqrt(6 / (hidden + classes))
    for (let i = 0; i < this.w2.length; i++) this.w2[i] = (random() * 2 - 1) * a2
    this.b2 = new Float64Array(classes)
    this.h = new Float64Array(hidden)
    this.dh = new Float64Array(hidden)
    this.p = new Float64Array(classes)
    this.active = new Int32Array(hidden)
    this.s1 = new Float64Array(inputs * hidden).fill(ADAGRAD_START)
    this.g2 = new Float64Array(hidden * classes)
    this.gb1 = new Float64Array(hidden)
    this.gb2 = new Float64Array(classes)
    this.m2 = new Float64Array(hidden * classes)
    this.v2 = new Float64Array(hidden * classes)
    this.mb1 = new Float64Array(hidden)
    this.vb1 = new Float64Array(hidden)
    this.mb2 = new Float64Array(classes)
    this.vb2 = new Float64Array(classes)
  }

  /**
   * The class probabilities (overwritten by the next call) and the number of hidden units active. With `random` and
   * a dropout, units are dropped and the survivors scaled up (inverted dropout).
   */
  forward({ ids, values }: SparseVector, dropout = 0, random?: () => number): { p: Float64Array; n: number } {
    const { hidden: H, classes: K, w1, w2, h, p, active } = this
    h.set(this.b1)
    for (let j = 0; j < ids.length; j++) {
      const row = ids[j]! * H
      const v = values[j]!
      for (let i = 0; i < H; i++) h[i]! += w1[row + i]! * v
    }
    const drop = random !== undefined && dropout > 0
    const keep = 1 / (1 - dropout)
    let n = 0
    for (let i = 0; i < H; i++) {
      if (h[i]! <= 0 || (drop && random() < dropout)) h[i] = 0
      else {
        if (drop) h[i]! *= keep
        active[n++] = i
      }
    }
    p.set(this.b2)
    for (let a = 0; a < n; a++) {
      const i = active[a]!
      const hi = h[i]!
      const row = i * K
      for (let c = 0; c < K; c++) p[c]! += hi * w2[row + c]!
    }
    let max = -Infinity
    for (let c = 0; c < K; c++) if (p[c]! > max) max = p[c]!
    let sum = 0
    for (let c = 0; c < K; c++) sum += p[c] = Math.exp(p[c]! - max)
    for (let c = 0; c < K; c++) p[c]! /= sum
    return { p, n }
  }

  /**
   * Learns from the example `forward` was last called with (and the dropout it trained with): an Adagrad step on the
   * input rows of its features, and its gradient added to the batch's for the rest (see `update`).
   */
  learn({ ids, values }: SparseVector, label: number, n: number, dropout: number, inputRate: number): void {
    const { hidden: H, classes: K, w1, w2, h, dh, p: g, active, s1, g2, gb1, gb2 } = this
    g[label]! -= 1 // softmax and cross-entropy: p − y
    const keep = dropout > 0 ? 1 / (1 - dropout) : 1
    for (let c = 0; c < K; c++) gb2[c]! += g[c]!
    for (let a = 0; a < n; a++) {
      const i = active[a]!
      const hi = h[i]!
      const row = i * K
      let d = 0
      for (let c = 0; c < K; c++) {
        const gc = g[c]!
        d += w2[row + c]! * gc
        g2[row + c]! += hi * gc
      }
      dh[i] = d * keep // an active ReLU passes the gradient; a kept unit was scaled by `keep`
      gb1[i]! += dh[i]!
    }
    for (let j = 0; j < ids.length; j++) {
      const row = ids[j]! * H
      const v = values[j]!
      for (let a = 0; a < n; a++) {
        const x = row + active[a]!
        const gx = v * dh[active[a]!]!
        const s = (s1[x] = s1[x]! + gx * gx)
        w1[x]! -= (inputRate * gx) / Math.sqrt(s)
      }
    }
  }

  /** One Adam step on the output layer and the biases with the batch's mean gradient. */
  update(batch: number, rate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): void {
    this.step++
    const scale = 1 / batch
    const lr = (rate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step)
    const adam = (w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array) => {
      for (let x = 0; x < w.length; x++) {
        const gx = g[x]! * scale
        g[x] = 0
        const mx = (m[x] = beta1 * m[x]! + (1 - beta1) * gx)
        const vx = (v[x] = beta2 * v[x]! + (1 - beta2) * gx * gx)
        w[x]! -= (lr * mx) / (Math.sqrt(vx) + epsilon)
      }
    }
    adam(this.w2, this.g2, this.m2, this.v2)
    adam(this.b2, this.gb2, this.mb2, this.vb2)
    adam(this.b1, this.gb1, this.mb1, this.vb1)
  }

  snapshot(): { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array } {
    return { w1: this.w1.slice(), b1: this.b1.slice(), w2: this.w2.slice(), b2: this.b2.slice() }
  }

  restore(s: { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array }): void {
    this.w1.set(s.w1)
    this.b1.set(s.b1)
    this.w2.set(s.w2)
    this.b2.set(s.b2)
  }
}

/** Adagrad's sums start here, so the first steps are not the full rate whatever the gradient's size. */
const ADAGRAD_START = 0.1

/** Each label's examples split: `share` of them held out, rounded down, and at least one kept to train on. */
function heldOutSplit(labels: readonly number[], share: number, random: () => number): { train: number[]; held: number[] } {
  const byLabel = new Map<number, number[]>()
  labels.forEach((label, i) => byLabel.set(label, [...(byLabel.get(label) ?? []), i]))
  const train: number[] = []
  const held: number[] = []
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const indices = shuffle(byLabel.get(label)!, random)
    const out = Math.min(indices.length - 1, Math.floor(indices.length * share))
    held.push(...indices.slice(0, out))
    train.push(...indices.slice(out))
  }
  return { train, held }
}

/** Trains the network; every label in `examples` becomes a class. */
export function trainMlp(
  examples: readonly Example[],
  {
    hidden = 128,
    dropout = 0.5,
    learningRate = 2e-3,
    inputRate = 0.5,
    batchSize = 32,
    holdout = 0.1,
    checkEvery = 2000,
    maxChecks = 10,
    patience = 2,
    refit = false,
    initScale = 1,
    seed = 42,
    minCount = 1,
    idf = false,
  }: MlpOptions = {},
): TrainedMlp {
  const labels = [...new Set(examples.map((e) => e.label))].sort()
  const labelIndex = new Map(labels.map((l, i) => [l, i]))
  const { vocabulary, encode } = sparseEncoder(examples, { minCount, idf })
  const encoded = examples.map((e) => ({ x: encode(e.features), label: labelIndex.get(e.label)! }))
  const random = seededRandom(seed)
  const split = heldOutSplit(
    encoded.map((e) => e.label),
    holdout,
    random,
  )
  let examplesSeen = 0

  /** Trains a fresh network on `indices`; after every `checkEvery` examples (whole passes) calls `look`, which may stop it. */
  const train = (indices: number[], checks: number, look?: (net: Network, check: number) => boolean) => {
    const net = new Network(vocabulary.size, hidden, labels.length, seededRandom(seed + 1), initScale)
    const order = indices.slice()
    const passesPerCheck = Math.max(1, Math.ceil(checkEvery / Math.max(1, order.length)))
    let inBatch = 0
    for (let check = 0; check < checks; check++) {
      for (let pass = 0; pass < passesPerCheck; pass++) {
        for (const i of shuffle(order, random)) {
          const { x, label } = encoded[i]!
          const { n } = net.forward(x, dropout, random)
          net.learn(x, label, n, dropout, inputRate)
          examplesSeen++
          if (++inBatch === batchSize) {
            net.update(inBatch, learningRate)
            inBatch = 0
          }
        }
      }
      if (inBatch > 0) {
        net.update(inBatch, learningRate)
        inBatch = 0
      }
      if (look && !look(net, check)) break
    }
    return { net, passesPerCheck }
  }

  const heldOutLoss: number[] = []
  let best = { loss: Infinity, checks: maxChecks, weights: undefined as ReturnType<Network['snapshot']> | undefined }
  let chosen: Network
  let epochs: number
  if (split.held.length === 0) {
    // Nothing to hold out (one example per label): as many looks as allowed.
    const { net, passesPerCheck } = train(split.train, maxChecks)
    chosen = net
    epochs = maxChecks * passesPerCheck
  } else {
    const { net, passesPerCheck } = train(split.train, maxChecks, (net, check) => {
      let loss = 0
      for (const i of split.held) loss -= Math.log(Math.max(1e-12, net.forward(encoded[i]!.x).p[encoded[i]!.label]!))
      loss /= split.held.length
      heldOutLoss.push(loss)
      if (loss < best.loss - 1e-6) best = { loss, checks: check + 1, weights: refit ? undefined : net.snapshot() }
      return check + 1 - best.checks < patience
    })
    if (refit) {
      const all = encoded.map((_, i) => i)
      const again = train(all, best.checks)
      chosen = again.net
      epochs = best.checks * again.passesPerCheck
    } else {
      net.restore(best.weights!)
      chosen = net
      epochs = best.checks * passesPerCheck
    }
  }

  return {
    labels,
    epochs,
    examplesSeen,
    heldOutLoss,
    predict(features) {
      return Float64Array.from(chosen.forward(encode(features)).p)
    },
    known(features) {
      let n = 0
      for (const f of new Set(features)) if (vocabulary.has(f)) n++
      return n
    },
  }
}

/** The network as a companion of the linear model: which features it reads and how much its vote weighs. */
export interface NetworkOptions extends Omit<MlpOptions, 'minCount' | 'idf' | 'seed'> {
  /** Share of the averaged probabilities that is the network's (1: the network alone). */
  weight: number
  /** Read word features only (stems, bigrams, negation, phrases), not character n-grams: a cheaper, different view. */
  wordsOnly?: boolean
}

/**
 * The linear model and the network trained on the same examples, their probabilities averaged (`weight` the
 * network's share). `known` is the linear model's (it reads every feature).
 */
export function trainWithNetwork(
  examples: readonly Example[],
  { network, ...linearOptions }: ClassifierOptions & { network: NetworkOptions },
): Classifier & { network: TrainedMlp } {
  const { weight, wordsOnly = false, ...mlpOptions } = network
  const inputs = (features: readonly string[]) => (wordsOnly ? features.filter((f) => !f.startsWith('c:')) : features)
  const linear = weight < 1 ? trainClassifier(examples, linearOptions) : undefined
  const net = trainMlp(
    examples.map((e) => ({ features: inputs(e.features), label: e.label })),
    { ...mlpOptions, minCount: linearOptions.minCount, idf: linearOptions.idf, seed: linearOptions.seed },
  )
  return {
    labels: net.labels,
    network: net,
    predict(features) {
      const p = net.predict(inputs(features))
      if (!linear) return p
      const q = linear.predict(features)
      for (let c = 0; c < p.length; c++) p[c] = weight * p[c]! + (1 - weight) * q[c]!
      return p
    },
    known: (features) => (linear ?? net).known(features),
  }
}
