/**
 * `npm run eval`: scores the recognizer and the one decision rule (src/core/routing.ts, the bot's configured values)
 * on both CAC evaluation sets (trained on intents/ and the procedures, never on these files) and on every public
 * corpus in ../shared/benchmarks/nlu (trained on its train split, scored on its test split, with the model variant
 * chosen on its validation split, or by 5-fold cross-validation on its train split where it has none; the rule's
 * values fitted there too are printed beside).
 * Options: --corpus FILE (that corpus only), --cac (the CAC sets only), --top N (per-intent rows: default every
 * intent of the CAC sets, the 10 lowest of a corpus),
 * --cv (chooses the decision rule's values on the held-out training data of all of them pooled: the bot's values),
 * --loo (whether a model should refuse for doubt, from its training data alone: see outOfScopeEvidence),
 * --network (a hidden-layer network alone and averaged with the linear model, on held-out training data: networkEvidence).
 */
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { intents } from '../../intents/index.js'
import { NONE } from '../../intents/intent.js'
import { loadConfig } from '../core/config.js'
import { CLARIFY, evaluate, loadCorpus, type EvaluationReport, type LabelledRow, type Prediction } from '../core/evaluation.js'
import { loadProcedures } from '../core/procedures.js'
import { seededRandom, shuffle } from '../core/classifier.js'
import {
  createRecognizer,
  createRecognizerFromExamples,
  type LabelledText,
  type Recognizer,
  type RecognizerOptions,
  type RecognizerResult,
} from '../core/recognizer.js'
import type { NetworkOptions } from '../core/mlp.js'
import { decideRoute, thresholdsFrom, type RoutingThresholds } from '../core/routing.js'

const { values } = parseArgs({
  options: { corpus: { type: 'string' }, cac: { type: 'boolean' }, cv: { type: 'boolean' }, loo: { type: 'boolean' }, network: { type: 'boolean' }, top: { type: 'string' } },
})
const config = loadConfig()
const rule: RoutingThresholds = thresholdsFrom(config)
const out = (line = '') => process.stdout.write(line + '\n')
const pct = (x: number) => (Number.isNaN(x) ? '  n/a' : `${(x * 100).toFixed(1).padStart(5)}%`)
const BENCHMARKS = '../shared/benchmarks/nlu'
const CORPORA = ['clinc150/full.jsonl', 'banking77/data.jsonl', 'braun-chatbot/data.jsonl', 'braun-askubuntu/data.jsonl', 'braun-webapps/data.jsonl']
const EVALUATION_SETS = ['intents/evaluation.jsonl', 'intents/evaluation-independent.jsonl']
const procedures = loadProcedures(config.KNOWLEDGE_DIR, { seedText: readFileSync('knowledge/seed/cac-ako-help.txt', 'utf8') })

/** A task: a recognizer to train and a way to read its labels. */
interface Task {
  name: string
  train: (examples?: readonly LabelledText[]) => Recognizer
  examples: readonly LabelledText[]
  canSuggest: (id: string) => boolean
  isOutOfScope: (id: string) => boolean
  /** The label an evaluation compares with (an out-of-scope topic is `none`). */
  label: (id: string) => string
}

const topics = new Set(intents.filter((i) => i.refer).map((i) => i.id))
const withProcedure = new Set(intents.filter((i) => i.procedure).map((i) => i.id))
const cacTask: Task = {
  name: 'CAC intents',
  examples: intents.flatMap((i) => i.utterances.map((text) => ({ text, intent: i.id }))),
  train: (examples) =>
    examples
      ? createRecognizerFromExamples(examples, { minScore: 0 })
      : createRecognizer(intents, { minScore: 0, procedures }),
  canSuggest: (id) => withProcedure.has(id),
  isOutOfScope: (id) => id === NONE || topics.has(id),
  label: (id) => (topics.has(id) ? NONE : id),
}

/**
 * The model variants a corpus may choose between on held-out data (see chooseModel): the bot's, phrases
 * added, and either with features weighted by inverse document frequency.
 */
const MODELS: readonly { name: string; options: RecognizerOptions }[] = [
  { name: 'words and character n-grams', options: {} },
  // Features seen once are mostly phrase n-grams of one sentence: dropping them keeps CLINC150's training quick.
  { name: 'with phrase n-grams', options: { features: { phraseChars: 6 }, minCount: 2 } },
  { name: 'idf-weighted', options: { idf: true } },
  { name: 'idf-weighted with phrase n-grams', options: { idf: true, features: { phraseChars: 6 }, minCount: 2 } },
]

function corpusTask(file: string, options: RecognizerOptions = {}): { task: Task; validation: LabelledRow[]; test: LabelledRow[] } {
  const rows = loadCorpus(file)
  const train = rows.filter((r) => r.split === 'train')
  return {
    task: {
      name: file.replace(`${BENCHMARKS}/`, ''),
      examples: train,
      train: (examples = train) => createRecognizerFromExamples(examples, { ...options, minScore: 0 }),
      canSuggest: (id) => id !== NONE,
      isOutOfScope: (id) => id === NONE,
      label: (id) => id,
    },
    validation: rows.filter((r) => r.split === 'val'),
    test: rows.filter((r) => r.split === 'test'),
  }
}

function predict(task: Task, result: RecognizerResult, expected: string, thresholds: RoutingThresholds): Prediction {
  const route = decideRoute(result, thresholds, task.canSuggest, task.isOutOfScope)
  if (route.kind === 'suggest') return { expected, predicted: CLARIFY, options: route.intentIds.map(task.label) }
  return { expected, predicted: route.kind === 'none' ? NONE : task.label(route.intentId) }
}

interface Row {
  name: string
  report: EvaluationReport
  trainSeconds?: number
}
const summary: Row[] = []

function report(name: string, predictions: Prediction[], trainSeconds?: number, allIntents = false): void {
  const r = evaluate(predictions)
  summary.push({ name, report: r, trainSeconds })
  out(`\n== ${name}: ${r.total} messages${trainSeconds !== undefined ? `, trained in ${trainSeconds.toFixed(2)} s` : ''}`)
  out(`strict accuracy ${pct(r.accuracy)}   in-scope ${pct(r.inScopeAccuracy)}   out-of-scope recall ${pct(r.outOfScopeRecall)}`)
  out(`in-scope refused ${pct(r.wronglyRefused)}   "did you mean" ${pct(r.clarified)} (right one offered ${pct(r.clarifiedRight)})   one-option ${r.oneOptionClarifications}   macro-F1 ${r.macroF1.toFixed(3)}`)
  const top = values.top !== undefined ? Number(values.top) : allIntents ? Infinity : 10
  const weakest = [...r.perIntent].sort((a, b) => a.recall - b.recall || a.intent.localeCompare(b.intent)).slice(0, top)
  out(`${allIntents ? 'recall per intent' : 'lowest recall'}: ${weakest.map((s) => `${s.intent} ${pct(s.recall).trim()} (${s.support})`).join(', ')}`)
  out(`confusions: ${r.confusions.slice(0, top).map((c) => `${c.expected} → ${c.predicted} ${c.count}`).join(', ')}`)
}

function timed<T>(f: () => T): [T, number] {
  const started = performance.now()
  const value = f()
  return [value, (performance.now() - started) / 1000]
}

function runEvaluation(): void {
  if (!values.corpus) {
    const [recognizer, seconds] = timed(() => cacTask.train())
    out(`CAC: ${cacTask.examples.length} training utterances, ${intents.length} intents (${topics.size} out-of-scope topics); rule ${JSON.stringify(rule)}`)
    for (const file of EVALUATION_SETS) {
      if (!existsSync(file)) {
        out(`\n== ${file}: missing`)
        continue
      }
      const rows = loadCorpus(file)
      report(file, rows.map((row) => predict(cacTask, recognizer.recognize(row.text), row.intent, rule)), seconds, true)
    }
    const cacFits = MODELS.map((model) => {
      const task: Task = { ...cacTask, train: (examples = cacTask.examples) => createRecognizerFromExamples(examples, { ...model.options, minScore: 0 }) }
      return { model, ...fitRule(task, outOfFoldResults(task)) }
    })
    out(`\nfitted on the CAC training data alone: ${cacFits.map((f) => `${f.model.name} ${f.score.toFixed(4)} rule ${JSON.stringify(f.thresholds)}`).join('; ')} (the bot uses the first model and the configured rule above)`)
    if (values.cac) return
  }
  for (const file of values.corpus ? [values.corpus] : CORPORA.map((c) => `${BENCHMARKS}/${c}`)) {
    const { task, test, chosen, fits, fitSeconds } = chooseModel(file)
    const [recognizer, seconds] = timed(() => task.train())
    const results = test.map((row) => ({ result: recognizer.recognize(row.text), expected: row.intent }))
    // The one rule: the bot's configured values (chosen by --cv over every set's training data pooled).
    report(task.name, results.map(({ result, expected }) => predict(task, result, expected, rule)), seconds)
    out(`model chosen on its training data in ${fitSeconds.toFixed(1)} s: ${fits.map((f) => `${f.model.name} ${f.score.toFixed(5)}`).join(', ')}; chosen: ${chosen.model.name}`)
    // The ceiling of any rule: how often the top in-scope intent is right before anything is refused or offered.
    const inScope = results.filter((r) => r.expected !== NONE)
    const topRight = inScope.filter(({ result, expected }) => Object.keys(result.intents).find((id) => id !== NONE) === expected).length
    out(`top in-scope intent right, before any rule: ${pct(topRight / inScope.length)} of in-scope messages`)
    const own = evaluate(results.map(({ result, expected }) => predict(task, result, expected, chosen.thresholds)))
    out(`at its own fitted values instead ${JSON.stringify(chosen.thresholds)}: strict ${pct(own.accuracy)}   in-scope ${pct(own.inScopeAccuracy)}   out-of-scope recall ${pct(own.outOfScopeRecall)}   refused ${pct(own.wronglyRefused)}`)
  }
  out('\n| set | strict | in-scope | OOS recall | in-scope refused | did you mean | macro-F1 | train s |')
  out('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const { name, report: r, trainSeconds } of summary) {
    out(`| ${name} | ${pct(r.accuracy)} | ${pct(r.inScopeAccuracy)} | ${pct(r.outOfScopeRecall)} | ${pct(r.wronglyRefused)} | ${pct(r.clarified)} | ${r.macroF1.toFixed(3)} | ${trainSeconds?.toFixed(2) ?? ''} |`)
  }
  const braun = summary.filter((s) => s.name.startsWith('braun-'))
  if (braun.length === 3) {
    const right = braun.reduce((n, s) => n + s.report.accuracy * s.report.total, 0)
    out(`\nBraun overall (all three test sets, strict): ${(right / braun.reduce((n, s) => n + s.report.total, 0)).toFixed(3)}`)
  }
}

/**
 * A corpus's model variant: the one whose best rule scores highest on held-out data (ties: the first). Held out is
 * the corpus's validation split where it has one (CLINC150: 3,100 questions, 100 of them out of scope, against the
 * 100 out-of-scope examples that five folds of its training split would share), else 5-fold cross-validation on the
 * training split. The held-out results are kept for fitting rules.
 */
function chooseModel(file: string, models: readonly { name: string; options: RecognizerOptions }[] = MODELS) {
  const [fits, fitSeconds] = timed(() =>
    models.map((model) => {
      const { task, validation } = corpusTask(file, model.options)
      const results = validation.length > 0 ? validationResults(task, validation) : outOfFoldResults(task)
      return { model, results, ...fitRule(task, results) }
    }),
  )
  const chosen = fits.reduce((best, fit) => (fit.score > best.score + 1e-9 ? fit : best))
  return { ...corpusTask(file, chosen.model.options), chosen, fits, fitSeconds }
}

/** Out-of-fold results: each example recognised by a model trained on the other folds. */
function outOfFold(task: Task, folds: number, limit: number): { result: RecognizerResult; expected: string }[] {
  const random = seededRandom(7)
  const order = shuffle(task.examples.map((_, i) => i), random)
  const collected: { result: RecognizerResult; expected: string }[] = []
  for (let f = 0; f < folds; f++) {
    const held = new Set(order.filter((_, i) => i % folds === f))
    const recognizer = task.train(task.examples.filter((_, i) => !held.has(i)))
    // Every out-of-scope example is kept (they are few, and the rule is scored on their recall apart from the rest).
    const inScope = [...held].filter((i) => task.label(task.examples[i]!.intent) !== NONE).slice(0, Math.ceil(limit / folds))
    const tested = [...inScope, ...[...held].filter((i) => task.label(task.examples[i]!.intent) === NONE)]
    for (const i of tested) collected.push({ result: recognizer.recognize(task.examples[i]!.text), expected: task.label(task.examples[i]!.intent) })
  }
  return collected
}

type OutOfFold = { result: RecognizerResult; expected: string }[]

/** The rule's grid: every point the fitting tries. */
function* ruleGrid(): Generator<RoutingThresholds> {
  for (const minScore of [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9])
    for (const suggestScore of [0.15, 0.25])
      for (const ambiguityMargin of [0.1])
        for (const actMargin of [0.1, 0.2, 0.3, 0.4, 0.5, 1])
          for (const minCoverage of [0, 0.2, 0.4, 0.6])
            for (const noneScore of [0, 0.02, 0.05, 0.1, 0.2]) {
              if (suggestScore > minScore) continue
              yield { minScore, suggestScore, ambiguityMargin, actMargin, minCoverage, noneScore }
            }
}

/**
 * How good a rule is on out-of-fold results: in-scope accuracy (a right option under "did you mean" worth a quarter:
 * the first reply should act) and, where the training data has out-of-scope examples, their recall, 2:1 (most
 * messages a help desk gets are in scope). A corpus with no out-of-scope examples is scored on in-scope alone, so its
 * fitted rule has no reason to refuse.
 */
function ruleScore(task: Task, results: OutOfFold, thresholds: RoutingThresholds): number {
  // Counted here rather than by evaluate(): the grid has ~1900 points.
  let inRight = 0, inTotal = 0, clarifiedRight = 0, oosRight = 0, oosTotal = 0
  for (const x of results) {
    const p = predict(task, x.result, x.expected, thresholds)
    if (x.expected === NONE) {
      oosTotal++
      if (p.predicted === NONE) oosRight++
    } else {
      inTotal++
      if (p.predicted === x.expected) inRight++
      else if (p.options?.includes(x.expected)) clarifiedRight++
    }
  }
  const inScope = (inRight + 0.25 * clarifiedRight) / inTotal
  return oosTotal === 0 ? inScope : (2 * inScope + oosRight / oosTotal) / 3
}

/** Out-of-fold results on a task's own training data, cut to the first few intents (all the rule looks at). */
function outOfFoldResults(task: Task): OutOfFold {
  return firstIntents(outOfFold(task, 5, 4000))
}

/** A validation split recognised by the model trained on the whole training split, cut the same way. */
function validationResults(task: Task, validation: readonly LabelledRow[]): OutOfFold {
  const recognizer = task.train()
  return firstIntents(validation.map((row) => ({ result: recognizer.recognize(row.text), expected: task.label(row.intent) })))
}

function firstIntents(results: OutOfFold): OutOfFold {
  for (const r of results) r.result.intents = Object.fromEntries(Object.entries(r.result.intents).slice(0, 4))
  return results
}

/** Fits the rule's values to one task: the best grid point on its own training data (ties: the earlier point). */
function fitRule(task: Task, results: OutOfFold): { thresholds: RoutingThresholds; score: number } {
  let best = { thresholds: rule, score: -1 }
  for (const thresholds of ruleGrid()) {
    const score = ruleScore(task, results, thresholds)
    if (score > best.score + 1e-9) best = { thresholds, score }
  }
  return best
}

/** --cv: the best rules for every task at once (the mean over all), and each task's own best. */
function crossValidate(): void {
  const [cacResults, cacSeconds] = timed(() => outOfFoldResults(cacTask))
  out(`${cacTask.name}: ${cacResults.length} out-of-fold results in ${cacSeconds.toFixed(1)} s; own best ${JSON.stringify(fitRule(cacTask, cacResults))}`)
  const data = [{ task: cacTask, results: cacResults }]
  for (const file of CORPORA.map((c) => `${BENCHMARKS}/${c}`)) {
    // Each corpus takes part with the model variant it chooses (as `npm run eval` scores it).
    const { task, chosen, fitSeconds } = chooseModel(file)
    out(`${task.name}: ${chosen.model.name}, ${chosen.results.length} held-out results (${fitSeconds.toFixed(1)} s for every variant); own best ${JSON.stringify({ thresholds: chosen.thresholds, score: chosen.score })}`)
    data.push({ task, results: chosen.results })
  }
  const tasks = data.map((d) => d.task)
  const grid: { thresholds: RoutingThresholds; score: number; per: string[] }[] = []
  for (const thresholds of ruleGrid()) {
    const per = data.map(({ task, results }) => ruleScore(task, results, thresholds))
    grid.push({ thresholds, score: per.reduce((a, b) => a + b, 0) / per.length, per: per.map((p) => p.toFixed(3)) })
  }
  grid.sort((a, b) => b.score - a.score)
  out(`\nbest rules (mean over ${tasks.map((t) => t.name).join(', ')})`)
  for (const g of grid.slice(0, 10)) out(`${g.score.toFixed(4)}  ${JSON.stringify(g.thresholds)}  ${g.per.join(' ')}`)
}

/** Out-of-scope examples against the mean in-scope intent's: how well a training set shows what it does not cover. */
function outOfScopeShare(examples: readonly LabelledText[], task: Task): number {
  const counts = new Map<string, number>()
  for (const e of examples) counts.set(task.label(e.intent), (counts.get(task.label(e.intent)) ?? 0) + 1)
  const outOfScope = counts.get(NONE) ?? 0
  counts.delete(NONE)
  return outOfScope / ([...counts.values()].reduce((a, b) => a + b, 0) / counts.size)
}

/**
 * --loo: should a model trained with few out-of-scope examples still refuse a message for doubt? Scored at the bot's
 * rule on held-out training data only (leave-one-out on the small corpora, 5-fold on the CAC intents), with refusal
 * for doubt on and off, and for a cut-off: refuse only when out-of-scope examples number at least `share` times a
 * mean intent's (each held-out message judged by its own fold's training data).
 */
function outOfScopeEvidence(): void {
  const small = CORPORA.map((c) => corpusTask(`${BENCHMARKS}/${c}`).task).filter((t) => t.examples.length <= 200)
  const data = [cacTask, ...small].map((task) => {
    const loo = task.examples.length <= 200
    const results = outOfFold(task, loo ? task.examples.length : 5, Infinity)
    // Leave-one-out: the fold lacks only the held-out message; 5-fold (CAC): the whole set's share, 1.3 to 1.5 in every fold.
    const share = (r: { expected: string }) =>
      loo ? outOfScopeShare(task.examples.filter((e, i, all) => i !== all.findIndex((x) => task.label(x.intent) === r.expected)), task) : outOfScopeShare(task.examples, task)
    return { task, results: results.map((r) => ({ ...r, share: share(r) })) }
  })
  const scoreAt = (d: (typeof data)[number], refuses: (share: number) => boolean) => {
    const results = d.results.map((r) => ({ ...r, result: { ...r.result, knowsOutOfScope: refuses(r.share) } }))
    const strict = results.filter((r) => predict(d.task, r.result, r.expected, rule).predicted === r.expected).length / results.length
    return { score: ruleScore(d.task, results, rule), strict }
  }
  for (const d of data) {
    const on = scoreAt(d, () => true), off = scoreAt(d, () => false)
    out(`${d.task.name}: out-of-scope share ${outOfScopeShare(d.task.examples, d.task).toFixed(2)}; refusing for doubt: rule score ${on.score.toFixed(4)}, strict ${pct(on.strict)}; never: ${off.score.toFixed(4)}, ${pct(off.strict)}`)
  }
  for (const cut of [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5]) {
    const per = data.map((d) => scoreAt(d, (share) => share >= cut).score)
    out(`refuse for doubt at a share of ${cut} or more: mean ${(per.reduce((a, b) => a + b, 0) / per.length).toFixed(4)} (${per.map((p) => p.toFixed(4)).join(' ')})`)
  }
}

/**
 * The hidden-layer network (src/core/mlp.ts), alone and averaged with the linear model, on top of each variant of
 * MODELS, scored on the same held-out data as chooseModel (a validation split, else 5-fold cross-validation of the
 * training split): no test split is read. Issue 11's fourth pass; see BENCHMARKS.md.
 */
const NETWORKS: readonly { name: string; network: NetworkOptions }[] = [
  { name: 'network alone', network: { weight: 1 } },
  { name: 'averaged with a network (0.3)', network: { weight: 0.3 } },
  { name: 'averaged with a network of words (0.3)', network: { weight: 0.3, wordsOnly: true } },
]

function networkEvidence(): void {
  const cpu = () => {
    const { user, system } = process.cpuUsage()
    return (user + system) / 1e6
  }
  const files = values.corpus ? [values.corpus] : values.cac ? [] : CORPORA.map((c) => `${BENCHMARKS}/${c}`)
  const tasks: { task: Task; validation: LabelledRow[]; models: { name: string; options: RecognizerOptions }[] }[] = []
  if (!values.corpus) {
    const models = [MODELS[0]!, ...NETWORKS.map((n) => ({ name: `${MODELS[0]!.name}, ${n.name}`, options: { network: n.network } }))]
    tasks.push({ task: cacTask, validation: [], models })
  }
  for (const file of files) {
    const base = chooseModel(file).chosen.model
    const models = [base, ...NETWORKS.map((n) => ({ name: `${base.name}, ${n.name}`, options: { ...base.options, network: n.network } }))]
    tasks.push({ ...corpusTask(file), models })
  }
  for (const { task, validation, models } of tasks) {
    out(`\n== ${task.name} (held out: ${validation.length > 0 ? 'its validation split' : '5-fold cross-validation of its training split'})`)
    for (const model of models) {
      const variant: Task =
        task === cacTask
          ? { ...cacTask, train: (examples = cacTask.examples) => createRecognizerFromExamples(examples, { ...model.options, minScore: 0 }) }
          : corpusTask(`${BENCHMARKS}/${task.name}`, model.options).task
      const started = cpu()
      variant.train()
      const trainCpu = cpu() - started
      const results = validation.length > 0 ? validationResults(variant, validation) : outOfFoldResults(variant)
      const fit = fitRule(variant, results)
      const r = evaluate(results.map(({ result, expected }) => predict(variant, result, expected, rule)))
      const inScope = results.filter((x) => x.expected !== NONE)
      const top = inScope.filter(({ result, expected }) => Object.keys(result.intents).find((id) => id !== NONE) === expected).length / inScope.length
      out(`${model.name}: fitted rule score ${fit.score.toFixed(4)}; at the one rule strict ${pct(r.accuracy)} in-scope ${pct(r.inScopeAccuracy)} out-of-scope recall ${pct(r.outOfScopeRecall)}; top in-scope right ${pct(top)}; training ${trainCpu.toFixed(1)} s CPU`)
    }
  }
}

if (values.cv) crossValidate()
else if (values.network) networkEvidence()
else if (values.loo) outOfScopeEvidence()
else runEvaluation()
