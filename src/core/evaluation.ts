import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { NONE } from '../../intents/intent.js'
import { HelpDeskError } from './errors.js'

const RowSchema = z.object({ text: z.string(), intent: z.string().min(1), split: z.enum(['train', 'val', 'test']).optional() })
export type LabelledRow = z.infer<typeof RowSchema>

/** Reads a JSON-lines corpus (the format of shared/benchmarks/nlu); `oos` is read as `none`. */
export function loadCorpus(path: string): LabelledRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      let raw: unknown
      try {
        raw = JSON.parse(line)
      } catch {
        throw new HelpDeskError('HD_CORPUS_INVALID', `${path}:${i + 1}: not valid JSON`)
      }
      const parsed = RowSchema.safeParse(raw)
      if (!parsed.success) throw new HelpDeskError('HD_CORPUS_INVALID', `${path}:${i + 1}: ${z.prettifyError(parsed.error)}`)
      return { ...parsed.data, intent: parsed.data.intent === 'oos' ? NONE : parsed.data.intent }
    })
}

export interface IntentScore {
  intent: string
  precision: number
  recall: number
  f1: number
  support: number
}

/** One message: its label, and what the bot did (an intent, `none`, or a "did you mean" with its options). */
export interface Prediction {
  expected: string
  predicted: string
  /** Set when the bot asked "did you mean": `predicted` is then CLARIFY and counts as wrong (strict). */
  options?: readonly string[]
}

/** The `predicted` of a "did you mean" question. */
export const CLARIFY = '(did you mean)'

export interface EvaluationReport {
  total: number
  /** Right first reply (a "did you mean" is not one), of all messages. */
  accuracy: number
  /** The same, of in-scope messages only. */
  inScopeAccuracy: number
  macroF1: number
  /** Out-of-scope questions refused, of all out-of-scope questions (NaN when there are none). */
  outOfScopeRecall: number
  /** In-scope questions wrongly refused as out of scope, of all in-scope questions. */
  wronglyRefused: number
  /** In-scope questions answered with "did you mean", of all in-scope questions. */
  clarified: number
  /** Of those, the ones whose options held the right intent. */
  clarifiedRight: number
  /** "Did you mean" questions with a single option (the rule must never ask one). */
  oneOptionClarifications: number
  perIntent: IntentScore[]
  confusions: { expected: string; predicted: string; count: number }[]
}

/** Scores predictions against labels; `none` is the out-of-scope label. */
export function evaluate(pairs: readonly Prediction[]): EvaluationReport {
  const labels = [...new Set(pairs.flatMap((p) => [p.expected, p.predicted]))].filter((l) => l !== CLARIFY).sort()
  const count = (f: (p: Prediction) => boolean) => pairs.filter(f).length
  const perIntent = labels
    .filter((l) => pairs.some((p) => p.expected === l))
    .map((intent) => {
      const tp = count((p) => p.expected === intent && p.predicted === intent)
      const predicted = count((p) => p.predicted === intent)
      const support = count((p) => p.expected === intent)
      const precision = predicted ? tp / predicted : 0
      const recall = support ? tp / support : 0
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
      return { intent, precision, recall, f1, support }
    })
  const inScope = pairs.filter((p) => p.expected !== NONE)
  const outOfScope = pairs.filter((p) => p.expected === NONE)
  const clarified = inScope.filter((p) => p.predicted === CLARIFY)
  const confusions = new Map<string, number>()
  for (const p of pairs) if (p.expected !== p.predicted) confusions.set(`${p.expected}\t${p.predicted}`, (confusions.get(`${p.expected}\t${p.predicted}`) ?? 0) + 1)
  return {
    total: pairs.length,
    accuracy: count((p) => p.expected === p.predicted) / pairs.length,
    inScopeAccuracy: inScope.filter((p) => p.expected === p.predicted).length / inScope.length,
    macroF1: perIntent.reduce((sum, s) => sum + s.f1, 0) / perIntent.length,
    outOfScopeRecall: outOfScope.filter((p) => p.predicted === NONE).length / outOfScope.length,
    wronglyRefused: inScope.filter((p) => p.predicted === NONE).length / inScope.length,
    clarified: clarified.length / inScope.length,
    clarifiedRight: clarified.filter((p) => p.options?.includes(p.expected)).length / clarified.length,
    oneOptionClarifications: count((p) => p.predicted === CLARIFY && (p.options?.length ?? 0) < 2),
    perIntent,
    confusions: [...confusions]
      .map(([key, n]) => ({ expected: key.split('\t')[0]!, predicted: key.split('\t')[1]!, count: n }))
      .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected)),
  }
}
