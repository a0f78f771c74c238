import { NONE } from '../../intents/intent.js'
import type { RecognizerResult } from './recognizer.js'

export interface RoutingThresholds {
  minScore: number
  suggestScore: number
  ambiguityMargin: number
}

/** What to do with a message: go to one intent, ask "did you mean…", or say it is out of scope. */
export type Route =
  | { kind: 'intent'; intentId: string; score: number }
  | { kind: 'suggest'; intentIds: string[] }
  | { kind: 'none' }

/**
 * Decides from scores alone. Only intents with a procedure (`canSuggest`) are offered as "did you mean":
 * asking "did you mean cancel?" helps nobody.
 */
export function decideRoute(
  result: RecognizerResult,
  { minScore, suggestScore, ambiguityMargin }: RoutingThresholds,
  canSuggest: (intentId: string) => boolean,
): Route {
  const ranked = Object.entries(result.intents).map(([intentId, { score }]) => ({ intentId, score }))
  const top = ranked[0]
  if (!top || (top.intentId === NONE && top.score >= minScore)) return { kind: 'none' }
  const close = ranked.filter((r) => r.intentId !== NONE && canSuggest(r.intentId) && r.score >= suggestScore)
  if (result.topIntent !== NONE) {
    const rivals = close.filter((r) => r.intentId !== top.intentId && top.score - r.score < ambiguityMargin)
    if (rivals.length === 0 || !canSuggest(top.intentId)) return { kind: 'intent', intentId: top.intentId, score: top.score }
    return { kind: 'suggest', intentIds: [top.intentId, ...rivals.map((r) => r.intentId)].slice(0, 3) }
  }
  if (close.length === 0) return { kind: 'none' }
  return { kind: 'suggest', intentIds: close.slice(0, 3).map((r) => r.intentId) }
}
