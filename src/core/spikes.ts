/**
 * Outage spikes: one problem (an error such as "403" or "Page Cannot be Displayed") reported by many more
 * conversations in the last hour than its usual hourly rate. Counts are of conversations, not messages, so one
 * person repeating themselves is one report.
 */

/** How unusual and how large a last hour must be to raise an alert. */
export interface SpikeRule {
  /** Hours of history before the last hour that give the usual rate. */
  baselineHours: number
  /** Fewest conversations in the last hour that can be an alert, however quiet the problem usually is. */
  minCount: number
  /** The alert's chance under the usual rate (Poisson upper tail): below it, the hour is not chance. */
  maxProbability: number
  /** The rate assumed for a problem too rare (or too new) to have one: no rate is taken as zero. */
  floorPerHour: number
}

/** A week of history; at least 8 conversations; a chance under 1 in 10,000 (about one false alert a year per problem). */
export const DEFAULT_SPIKE_RULE: SpikeRule = { baselineHours: 7 * 24, minCount: 8, maxProbability: 1e-4, floorPerHour: 0.05 }

export interface Spike {
  intentId: string
  /** Conversations about it in the last hour. */
  lastHour: number
  /** Its usual conversations per hour over the baseline. */
  usualPerHour: number
  /** The chance of at least `lastHour` at the usual rate. */
  probability: number
}

/** P(X >= k) for X ~ Poisson(mean): one minus the lower terms, summed in log space so large k and means do not overflow. */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1
  if (mean <= 0) return 0
  let term = Math.exp(-mean) // P(X = 0)
  let below = 0
  for (let i = 0; i < k; i++) {
    below += term
    term *= mean / (i + 1)
  }
  if (below < 1 - 1e-12) return 1 - below
  // The lower terms are all but everything: sum the upper ones directly instead (1 - below would round to 0).
  let logTerm = -mean + k * Math.log(mean) - logFactorial(k)
  let above = 0
  for (let i = k; i < k + 1000; i++) {
    const t = Math.exp(logTerm)
    above += t
    if (t < above * 1e-15) break
    logTerm += Math.log(mean) - Math.log(i + 1)
  }
  return above
}

function logFactorial(n: number): number {
  let sum = 0
  for (let i = 2; i <= n; i++) sum += Math.log(i)
  return sum
}

/**
 * The problems whose last hour is a spike: at least `minCount` conversations, and fewer than `maxProbability` chance
 * at their usual rate (baseline conversations / baseline hours, at least `floorPerHour`). Largest first.
 */
export function findSpikes(
  lastHour: ReadonlyMap<string, number>,
  baseline: ReadonlyMap<string, number>,
  rule: SpikeRule = DEFAULT_SPIKE_RULE,
): Spike[] {
  const spikes: Spike[] = []
  for (const [intentId, count] of lastHour) {
    if (count < rule.minCount) continue
    const usualPerHour = (baseline.get(intentId) ?? 0) / rule.baselineHours
    const probability = poissonUpperTail(count, Math.max(usualPerHour, rule.floorPerHour))
    if (probability < rule.maxProbability) spikes.push({ intentId, lastHour: count, usualPerHour, probability })
  }
  return spikes.sort((a, b) => b.lastHour - a.lastHour || a.intentId.localeCompare(b.intentId))
}
