import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { z } from 'zod'
import { HelpDeskError } from './errors.js'

const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case')

/**
 * Where a piece of content comes from: a passage quoted from the seed page (checked to exist in it), or a note
 * on why it is not from the page (the page only points elsewhere, e.g. its "Answer ID 152").
 */
export const SourceSchema = z.union([
  z.object({ seed: z.string().min(8) }).strict(),
  z.object({ notFromPage: z.string().min(8) }).strict(),
])
export type Source = z.infer<typeof SourceSchema>

/** Where a step leads: another step of the same procedure, or one of its outcomes. */
export const TargetSchema = z.union([z.object({ step: kebab }).strict(), z.object({ outcome: kebab }).strict()])
export type Target = z.infer<typeof TargetSchema>

/** Slots a question can be answered from without asking (from the user's words or the page they chat on). */
export const SlotSchema = z.enum(['browser', 'os', 'cardModel', 'branch', 'pin', 'registered', 'password'])
export type Slot = z.infer<typeof SlotSchema>

const OptionSchema = z
  .object({
    label: z.string().min(1).max(20, 'a button label is at most 20 characters'),
    synonyms: z.array(z.string().min(1)).default([]),
    values: z.array(z.string().min(1)).default([]), // slot values that pick this option without asking
    means: z.enum(['yes', 'no', 'unsure']).optional(), // what a plain "yes"/"no"/"not sure" to the question picks
    known: z.string().min(1).optional(), // said instead of asking, when the user already told us (e.g. "You know your PIN")
    next: TargetSchema,
  })
  .strict()

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern)
    return true
  } catch {
    return false
  }
}

const StepSchema = z
  .object({
    id: kebab,
    say: z.string().min(1),
    list: z.array(z.string().min(1)).optional(), // numbered sub-steps, e.g. a menu path
    note: z.string().min(1).optional(),
    source: SourceSchema,
    check: z.string().min(1).optional(), // yes: resolved; no: `onNo`, or the next step
    // Phrases that answer this step's check, beyond the general "it works" / "still doesn't" (e.g. "i see it now").
    answers: z
      .object({ worked: z.array(z.string().min(1)).default([]), failed: z.array(z.string().min(1)).default([]) })
      .strict()
      .optional(),
    // "How do I do that?": the step in more detail.
    help: z
      .object({ say: z.string().min(1), list: z.array(z.string().min(1)).optional(), source: SourceSchema })
      .strict()
      .optional(),
    onNo: TargetSchema.optional(),
    ask: z
      .object({
        question: z.string().min(1),
        slot: SlotSchema.optional(),
        options: z.array(OptionSchema).min(2).max(4),
        // Answers that say too little to pick an option ("I'm a civilian"): the step's help, then the question again.
        unsure: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    run: kebab.optional(), // a sub-procedure; its non-exhausted outcome ends this one too (with `check`: asked after it)
    // Skipped when a known fact shows it doesn't apply (an Internet Explorer-only box for an Edge user).
    skipIf: z.object({ slot: SlotSchema, values: z.array(z.string().min(1)).min(1), say: z.string().min(1) }).strict().optional(),
    // Patterns (over the cleaned message) saying the step was done before ("client authentication is already checked"):
    // said in the message that reaches the step, it is counted done and the next one comes.
    doneWhen: z.array(z.string().min(3).refine(compiles, 'not a valid regular expression')).optional(),
    next: TargetSchema.optional(), // after a statement or an exhausted sub-procedure; default: the next step
  })
  .strict()
  .refine((s) => [s.check, s.ask, s.run].filter(Boolean).length <= 1 || (s.run && s.check && !s.ask), 'a step has one of check, ask, run (or run then check)')
  .refine((s) => !s.onNo || s.check, 'onNo needs check')
  .refine((s) => !s.answers || s.check, 'answers needs check')
  .refine((s) => !s.ask?.unsure || s.help, 'ask.unsure needs help (what is said to an unsure answer)')

export const OutcomeKindSchema = z.enum(['resolved', 'referred', 'answered', 'handoff'])
export type OutcomeKind = z.infer<typeof OutcomeKindSchema>

const OutcomeSchema = z
  .object({
    kind: OutcomeKindSchema,
    say: z.string().min(1),
    // Said instead of `say` when nobody can take a chat here: never promise an agent the desk doesn't have.
    unstaffed: z.string().min(1).optional(),
    list: z.array(z.string().min(1)).optional(),
    source: SourceSchema,
    // A referral's other route on the page, for "they can't help / where else can I get it?" (contractors without
    // admin rights: e-mail for the ActivClient folder). Without it the referral itself is said again.
    otherwise: z
      .object({ say: z.string().min(1), unstaffed: z.string().min(1).optional(), source: SourceSchema })
      .strict()
      .refine((o) => o.unstaffed !== undefined || !/\bagent\b/i.test(o.say), 'an `otherwise` that mentions an agent needs `unstaffed` wording')
      .optional(),
  })
  .strict()
  .refine((o) => o.unstaffed !== undefined || !/\bagent\b/i.test(o.say), 'an outcome that mentions an agent needs `unstaffed` wording')
  .refine((o) => !o.otherwise || o.kind === 'referred', '`otherwise` is for a referral')


export const ProcedureSchema = z
  .object({
    id: kebab,
    version: z.number().int().positive(),
    title: z.string().min(1),
    short: z.string().min(1).max(20, 'a button label is at most 20 characters').optional(), // the title on a phone-width button
    source: SourceSchema,
    // Words that confirm a policy at moderate confidence ("buy", "order"): "it's a new card" is not about buying one.
    cues: z.array(z.string().min(2)).optional(),
    // Applies only when what we know fits (a forgotten-PIN answer is wrong for someone who knows their PIN).
    appliesWhen: z.partialRecord(SlotSchema, z.array(z.string().min(1)).min(1)).optional(),
    // Carries a rule the bot must always state, even mid-question (a locked PIN goes to the ID card office...).
    policy: z.boolean().default(false),
    // Said after the rule when the user has not said what it applies to ("I need my PIN reset": forgotten, or known?).
    ifUnstated: z.object({ say: z.string().min(1), source: SourceSchema }).strict().optional(),
    steps: z.array(StepSchema).min(1),
    // "What's ActivClient?": words its steps use, explained, answered at any point (then back to the step).
    terms: z
      .array(
        z
          .object({
            term: z.string().min(2),
            aliases: z.array(z.string().min(2)).default([]),
            // Questions it answers in their own words, as patterns over the cleaned message ("should i type my password in it").
            asked: z.array(z.string().min(3).refine(compiles, 'not a valid regular expression')).default([]),
            say: z.string().min(1),
            source: SourceSchema,
          })
          .strict(),
      )
      .optional(),
    outcomes: z.record(kebab, OutcomeSchema).default({}),
    exhausted: TargetSchema.optional(), // where a procedure goes when every step failed; default: end as exhausted
  })
  .strict()
export type Procedure = z.infer<typeof ProcedureSchema>
export type Step = Procedure['steps'][number]
export type Outcome = z.infer<typeof OutcomeSchema>

/** Outcomes every procedure has: the user said a step worked; every step failed (a parent procedure goes on). */
export const RESOLVED = 'resolved'
export const EXHAUSTED = 'exhausted'
const BUILT_IN_OUTCOMES = [RESOLVED, EXHAUSTED]

/** Reads every procedure in `dir`; throws one error naming the file and field at fault. */
export function loadProcedures(dir: string, { seedText }: { seedText?: string } = {}): ReadonlyMap<string, Procedure> {
  const procedures = new Map<string, Procedure>()
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  if (files.length === 0) throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${dir}: no procedure files`)
  for (const file of files) {
    const path = join(dir, file)
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'))
    } catch (err) {
      throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${path}: not valid JSON: ${(err as Error).message}`, { cause: err })
    }
    const parsed = ProcedureSchema.safeParse(raw)
    if (!parsed.success) throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${path}: ${z.prettifyError(parsed.error)}`)
    const procedure = parsed.data
    if (procedure.id !== basename(file, '.json')) {
      throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${path}: id "${procedure.id}" must match the file name`)
    }
    const problems = checkGraph(procedure, seedText)
    if (problems.length > 0) throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${path}: ${problems.join('; ')}`)
    procedures.set(procedure.id, procedure)
  }
  for (const procedure of procedures.values()) {
    for (const step of procedure.steps) {
      if (step.run && !procedures.has(step.run)) {
        throw new HelpDeskError(
          'HD_KNOWLEDGE_INVALID',
          `${join(dir, procedure.id + '.json')}: steps.${step.id}.run: unknown procedure "${step.run}"`,
        )
      }
    }
  }
  const cycle = findRunCycle(procedures)
  if (cycle) throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${dir}: sub-procedures run in a circle: ${cycle}`)
  return procedures
}

/** Where a step goes when it was a statement, or its check was answered "no". */
export function defaultNext(procedure: Procedure, index: number): Target {
  const following = procedure.steps[index + 1]
  return following ? { step: following.id } : (procedure.exhausted ?? { outcome: EXHAUSTED })
}

/** Every target a step can lead to. */
export function targetsOf(procedure: Procedure, index: number): Target[] {
  const step = procedure.steps[index]!
  if (step.ask) return step.ask.options.map((o) => o.next)
  return [(step.check ? step.onNo : step.next) ?? defaultNext(procedure, index)]
}

/** How many steps remain on the longest path from step `index`, itself included ("Step 2 of 4"). */
export function stepsRemaining(procedure: Procedure, index: number): number {
  const rest = targetsOf(procedure, index)
    .map((t) => ('step' in t ? procedure.steps.findIndex((s) => s.id === t.step) : -1))
    .filter((i) => i >= 0)
    .map((i) => stepsRemaining(procedure, i))
  return 1 + Math.max(0, ...rest)
}

export const normaliseSeed = (text: string) =>
  text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()

export function checkSource(where: string, source: Source, seed: string | undefined): string[] {
  if (!seed || !('seed' in source)) return []
  return seed.includes(normaliseSeed(source.seed)) ? [] : [`${where}.source.seed: passage not found in the seed page`]
}

function checkGraph(procedure: Procedure, seedText: string | undefined): string[] {
  const problems: string[] = []
  const seed = seedText === undefined ? undefined : normaliseSeed(seedText)
  const stepIds = procedure.steps.map((s) => s.id)
  const duplicate = stepIds.find((id, i) => stepIds.indexOf(id) !== i)
  if (duplicate) problems.push(`steps: duplicate id "${duplicate}"`)
  const checkTarget = (where: string, target: Target | undefined) => {
    if (!target) return
    if ('step' in target && !stepIds.includes(target.step)) problems.push(`${where}: unknown step "${target.step}"`)
    if ('outcome' in target && !BUILT_IN_OUTCOMES.includes(target.outcome) && !(target.outcome in procedure.outcomes)) {
      problems.push(`${where}: unknown outcome "${target.outcome}"`)
    }
  }
  problems.push(...checkSource('source', procedure.source, seed))
  checkTarget('exhausted', procedure.exhausted)
  for (const id of BUILT_IN_OUTCOMES) if (id in procedure.outcomes) problems.push(`outcomes.${id}: "${id}" is built in`)
  procedure.steps.forEach((step, index) => {
    const where = `steps.${step.id}`
    problems.push(...checkSource(where, step.source, seed))
    if (step.help) problems.push(...checkSource(`${where}.help`, step.help.source, seed))
    checkTarget(`${where}.onNo`, step.onNo)
    checkTarget(`${where}.next`, step.next)
    if (step.next && (step.check || step.ask)) problems.push(`${where}.next: a step with a question leads on by its answers`)
    step.ask?.options.forEach((o, i) => checkTarget(`${where}.ask.options.${i}.next`, o.next))
    // Only forward jumps: the graph stays acyclic, so every conversation ends.
    for (const target of targetsOf(procedure, index)) {
      if ('step' in target && stepIds.indexOf(target.step) <= index) {
        problems.push(`${where}: leads back to "${target.step}" (steps may only lead forward)`)
      }
    }
  })
  for (const [id, outcome] of Object.entries(procedure.outcomes)) {
    problems.push(...checkSource(`outcomes.${id}`, outcome.source, seed))
    if (outcome.otherwise) problems.push(...checkSource(`outcomes.${id}.otherwise`, outcome.otherwise.source, seed))
  }
  procedure.terms?.forEach((t, i) => problems.push(...checkSource(`terms.${i}`, t.source, seed)))
  const reachable = new Set<string>([procedure.steps[0]!.id])
  procedure.steps.forEach((step, index) => {
    if (!reachable.has(step.id)) return
    for (const t of targetsOf(procedure, index)) if ('step' in t) reachable.add(t.step)
  })
  const unreachable = stepIds.filter((id) => !reachable.has(id))
  if (unreachable.length > 0) problems.push(`steps: unreachable ${unreachable.map((id) => `"${id}"`).join(', ')}`)
  return problems
}

function findRunCycle(procedures: ReadonlyMap<string, Procedure>): string | undefined {
  const visit = (id: string, path: string[]): string | undefined => {
    if (path.includes(id)) return [...path, id].join(' → ')
    for (const step of procedures.get(id)?.steps ?? []) {
      if (step.run) {
        const found = visit(step.run, [...path, id])
        if (found) return found
      }
    }
    return undefined
  }
  for (const id of procedures.keys()) {
    const found = visit(id, [])
    if (found) return found
  }
  return undefined
}
