/**
 * `npm run eval`: trains the recognizer on intents/ and scores intents/evaluation.jsonl (never trained on).
 * `npm run eval -- --corpus FILE`: trains on the train split of any JSON-lines corpus and scores its test split.
 * Options: --min-score X (default: the configured RECOGNIZER_MIN_SCORE), --top N (per-intent rows, default all).
 */
import { parseArgs } from 'node:util'
import { intents } from '../../intents/index.js'
import { loadConfig } from '../core/config.js'
import { evaluate, loadCorpus, type LabelledRow } from '../core/evaluation.js'
import { createRecognizer, createRecognizerFromExamples, type Recognizer } from '../core/recognizer.js'
import { NONE } from '../../intents/intent.js'

const { values } = parseArgs({
  options: { corpus: { type: 'string' }, 'min-score': { type: 'string' }, top: { type: 'string' } },
})
const config = loadConfig()
const minScore = values['min-score'] !== undefined ? Number(values['min-score']) : config.RECOGNIZER_MIN_SCORE
const out = (line = '') => process.stdout.write(line + '\n')
const pct = (x: number) => (Number.isNaN(x) ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`)

let recognizer: Recognizer
let test: LabelledRow[]
const started = performance.now()
if (values.corpus) {
  const rows = loadCorpus(values.corpus)
  const train = rows.filter((r) => r.split === 'train')
  test = rows.filter((r) => r.split === 'test')
  out(`corpus ${values.corpus}: ${train.length} train, ${test.length} test, ${new Set(train.map((r) => r.intent)).size} intents`)
  recognizer = createRecognizerFromExamples(train, { minScore: 0 })
} else {
  test = loadCorpus('intents/evaluation.jsonl')
  out(`intents/: ${intents.reduce((n, i) => n + i.utterances.length, 0)} training utterances; intents/evaluation.jsonl: ${test.length}`)
  recognizer = createRecognizer(intents, { minScore: 0 })
}
out(`trained in ${((performance.now() - started) / 1000).toFixed(2)} s`)

// Recognize once with no threshold; each threshold below then only re-decides.
const scored = test.map((row) => {
  const [top, entry] = Object.entries(recognizer.recognize(row.text).intents)[0] ?? [NONE, { score: 1 }]
  return { expected: row.intent, top, score: entry.score }
})
const at = (threshold: number) => scored.map((s) => ({ expected: s.expected, predicted: s.score >= threshold ? s.top : NONE }))

out()
out('threshold sweep (choose RECOGNIZER_MIN_SCORE here)')
out('min-score  accuracy  in-scope  out-of-scope-recall  wrongly-refused  macro-F1')
for (const threshold of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) {
  const r = evaluate(at(threshold))
  out(`${threshold.toFixed(2).padStart(9)}  ${pct(r.accuracy)}    ${pct(r.inScopeAccuracy)}   ${pct(r.outOfScopeRecall)}             ${pct(r.wronglyRefused)}          ${r.macroF1.toFixed(3)}`)
}

const report = evaluate(at(minScore))
out()
out(`at min-score ${minScore}`)
out(`accuracy             ${pct(report.accuracy)}  (${report.total} utterances)`)
out(`in-scope accuracy    ${pct(report.inScopeAccuracy)}`)
out(`macro-F1             ${report.macroF1.toFixed(3)}`)
out(`out-of-scope recall  ${pct(report.outOfScopeRecall)}`)
out(`wrongly refused      ${pct(report.wronglyRefused)}  (in-scope questions answered "out of scope")`)
out()
out('intent                              precision  recall      F1  support')
const rows = [...report.perIntent].sort((a, b) => a.f1 - b.f1)
for (const s of values.top ? rows.slice(0, Number(values.top)) : rows) {
  out(`${s.intent.padEnd(34)}  ${pct(s.precision)}    ${pct(s.recall)}  ${s.f1.toFixed(3)}  ${String(s.support).padStart(7)}`)
}
out()
out('most confused (expected → predicted: count)')
for (const c of report.confusions.slice(0, 10)) out(`  ${c.expected} → ${c.predicted}: ${c.count}`)
