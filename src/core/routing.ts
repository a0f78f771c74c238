import { NONE } from '../../intents/intent.js'
import type { Config } from './config.js'
import type { RecognizerResult } from './recognizer.js'

/**
 * The decision rule. Its values were chosen by cross-validation on the training data of the CAC intents and the
 * public corpora together (`npm run eval -- --cv`), so one rule serves 26 intents and 150 alike.
 */
export interface RoutingThresholds {
  /** Act on the top intent at or above this probability... */
  minScore: number
  /** ...and offer intents at or above this one under "Did you mean" (two at least, else act or refuse). */
  suggestScore: number
  /** Two procedures closer than this are both offered. */
  ambiguityMargin: number
  /** A top intent ahead of the second by at least this is acted on even under `minScore` (many-intent models spread their probability). */
  actMargin?: number
  /** Under this share of known words the message is about something else (see RecognizerResult.coverage). */
  minCoverage?: number
  /**
   * An unsure message with no two close candidates is refused when the out-of-scope intents hold at least this
   * much probability together, else its top intent is acted on. With 0 an unsure message is always refused, unless
   * the model was never shown out-of-scope text (`knowsOutOfScope` false): it has no such evidence, so it never
   * refuses for doubt alone.
   */
  noneScore?: number
}

/** The rule's values from the configuration. */
export function thresholdsFrom(config: Config): RoutingThresholds {
  return {
    minScore: config.RECOGNIZER_MIN_SCORE,
    suggestScore: config.RECOGNIZER_SUGGEST_SCORE,
    ambiguityMargin: config.RECOGNIZER_AMBIGUITY_MARGIN,
    actMargin: config.RECOGNIZER_ACT_MARGIN,
    // minCoverage and noneScore stay off: cross-validation found they cost more in-scope answers than they saved.
  }
}

/** What to do with a message: go to one intent, ask "did you mean…" (two or more), or say it is out of scope. */
export type Route =
  | { kind: 'intent'; intentId: string; score: number }
  | { kind: 'suggest'; intentIds: string[] }
  /** `topic`: the out-of-scope topic recognised (an intent with a `refer` line), when one was. */
  | { kind: 'none'; topic?: string }

const MAX_SUGGESTIONS = 3

/**
 * Decides from the scores, the margin between the first two and the share of known words. Only intents with a
 * procedure (`canSuggest`) are offered as "did you mean", and never one alone: a single option is either good
 * enough to act on or not good enough to offer.
 */
export function decideRoute(
  result: RecognizerResult,
  { minScore, suggestScore, ambiguityMargin, actMargin = 1, minCoverage = 0, noneScore = 0 }: RoutingThresholds,
  canSuggest: (intentId: string) => boolean,
  isOutOfScope: (intentId: string) => boolean = (intentId) => intentId === NONE,
): Route {
  const ranked = Object.entries(result.intents)
    .map(([intentId, { score }]) => ({ intentId, score }))
    .sort((a, b) => b.score - a.score)
  const top = ranked[0]
  if (!top) return { kind: 'none' }
  // Two problems in one message, or a correction ("not my PIN, my password"): the part meant decides, when it is
  // clear alone and the whole message still points to it.
  const main = result.mainClause
  // A correction ("it's not my PIN, it's my password") says outright which part is meant: the whole needn't agree.
  if (main && canSuggest(main.intentId) && (main.correction ? main.score >= suggestScore && main.score > (top.score) : main.score >= minScore && (result.intents[main.intentId]?.score ?? 0) >= suggestScore)) {
    return { kind: 'intent', intentId: main.intentId, score: main.score }
  }
  if (isOutOfScope(top.intentId)) return top.intentId === NONE ? { kind: 'none' } : { kind: 'none', topic: top.intentId }
  if (result.coverage !== undefined && result.coverage < minCoverage) return { kind: 'none' }
  const inScope = ranked.filter((r) => !isOutOfScope(r.intentId))
  const second = inScope[1]
  const margin = top.score - (ranked[1]?.score ?? 0)
  const offered = inScope.filter((r) => canSuggest(r.intentId) && r.score >= suggestScore).slice(0, MAX_SUGGESTIONS)
  if (top.score >= minScore || (top.score >= suggestScore && margin >= actMargin)) {
    const close = offered.filter((r) => top.score - r.score < ambiguityMargin)
    if (second && top.score - second.score < ambiguityMargin && canSuggest(top.intentId) && close.length >= 2) {
      return { kind: 'suggest', intentIds: close.map((r) => r.intentId) }
    }
    return { kind: 'intent', intentId: top.intentId, score: top.score }
  }
  // Not sure enough of one: offer the close ones (two or more), else refuse when out of scope is likely, else act.
  if (offered.length >= 2 && offered[0]!.score + offered[1]!.score >= minScore) {
    return { kind: 'suggest', intentIds: offered.map((r) => r.intentId) }
  }
  const outOfScope = ranked.reduce((sum, r) => (isOutOfScope(r.intentId) ? sum + r.score : sum), 0)
  // Refused for doubt: a topic the classifier leaned to (its words absent, so not refused for it) is still the
  // nearest thing to name; the dialog asks a message about AKO/DKO what it sees rather than send it away.
  const leaned = result.withdrawnTopic
  if (result.knowsOutOfScope !== false && outOfScope >= noneScore) return leaned && leaned.score >= suggestScore ? { kind: 'none', topic: leaned.intentId } : { kind: 'none' }
  return { kind: 'intent', intentId: top.intentId, score: top.score }
}
