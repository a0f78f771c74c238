/**
 * Help-desk analytics: the events a conversation leaves (ids, scores and labels, never what the user typed) and the
 * report computed from them (containment, procedure funnels, recognition, handoff), as a help-desk lead reads them.
 */
import type { AnalyticsEvents, StoredAnalyticsEvent } from './ports.js'

/** How a procedure ended. `resolved-confirmed`: the user said it works; `resolved-assumed`: ended solved without saying so. */
export type ProcedureEnd = 'resolved-confirmed' | 'resolved-assumed' | 'referred' | 'handoff' | 'exhausted'

export type AnalyticsEvent =
  | { kind: 'conversation.started' }
  | { kind: 'intent.recognised'; intentId: string; score: number; clarified: boolean; outOfScope: boolean }
  | { kind: 'procedure.started'; procedureId: string }
  | { kind: 'step.shown'; procedureId: string; stepId: string; step: number }
  | { kind: 'step.answered'; procedureId: string; stepId: string; answer: 'worked' | 'failed' | 'option' | 'done' }
  | { kind: 'procedure.outcome'; procedureId: string; outcome: ProcedureEnd; where?: string }
  | { kind: 'handoff.queued'; reason: string }
  | { kind: 'handoff.claimed'; waitSeconds: number }
  | { kind: 'handoff.closed'; reason: string }
  /** The user's rating of the help (its comment is user text, so never here). */
  | { kind: 'rating'; score: number; after: 'bot' | 'agent' }

/** The conversation an event belongs to (a TurnContext fits). */
export interface EventSource {
  activity: { channelId: string; conversation: { id: string } }
}

/**
 * What the dialogs record events through: queued with the turn's own writes and never awaited, so recording costs
 * the turn a row, not a round trip. A failed write is the turn's failure (as its transcript's would be), logged once.
 */
export class AnalyticsRecorder {
  constructor(
    private readonly events: AnalyticsEvents,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  record(source: EventSource, event: AnalyticsEvent): void {
    const { kind, ...data } = event
    const stored: StoredAnalyticsEvent = {
      at: this.now(),
      channelId: source.activity.channelId,
      conversationId: source.activity.conversation.id,
      kind,
      data,
    }
    void this.events.append(stored).catch(this.onError)
  }

  /** Records for a conversation known by its ids (handoff changes made outside its turn). */
  recordFor(channelId: string, conversationId: string, event: AnalyticsEvent): void {
    this.record({ activity: { channelId, conversation: { id: conversationId } } }, event)
  }
}

/** No conversation outcome within an hour of silence: abandoned (Microsoft's virtual agent uses the same hour). */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000

export interface FunnelStep {
  stepId: string
  /** The step's number as shown the first time (branches may show one step under several numbers). */
  step: number
  reached: number
  fixed: number
  gaveUp: number
}

export interface Report {
  from: number
  to: number
  conversations: number
  containment: { resolved: number; confirmed: number; assumed: number; referred: number; handedOff: number; abandoned: number; other: number }
  procedures: { procedureId: string; started: number; steps: FunnelStep[] }[]
  recognition: { understood: number; clarified: number; outOfScope: number }
  handoff: { queued: number; claimed: number; closed: number; waitMedianSeconds?: number; waitP90Seconds?: number }
}

/** The median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The nearest-rank percentile (p90 of 10 waits is the 9th shortest). */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/**
 * The report for the events of `[from, to)`. `now` decides abandonment: a conversation that raised a problem, got no
 * outcome and has been silent an hour by `min(to, now)` is abandoned; one still within the hour is neither.
 */
export function computeReport(events: readonly StoredAnalyticsEvent[], from: number, to: number, now: number = Date.now()): Report {
  const byConversation = new Map<string, StoredAnalyticsEvent[]>()
  for (const e of events) {
    const key = `${e.channelId}|${e.conversationId}`
    let list = byConversation.get(key)
    if (!list) byConversation.set(key, (list = []))
    list.push(e)
  }
  const cutoff = Math.min(to, now) - ABANDONED_AFTER_MS
  const containment = { resolved: 0, confirmed: 0, assumed: 0, referred: 0, handedOff: 0, abandoned: 0, other: 0 }
  const recognition = { understood: 0, clarified: 0, outOfScope: 0 }
  const handoff = { queued: 0, claimed: 0, closed: 0 } as Report['handoff']
  const waits: number[] = []
  const funnels = new Map<string, { started: number; steps: Map<string, FunnelStep> }>()
  const funnelOf = (procedureId: string) => {
    let f = funnels.get(procedureId)
    if (!f) funnels.set(procedureId, (f = { started: 0, steps: new Map() }))
    return f
  }
  let conversations = 0

  for (const list of byConversation.values()) {
    if (list.some((e) => e.kind === 'conversation.started')) conversations++
    let confirmed = false
    let assumed = false
    let referred = false
    let handedOff = false
    let problem = false
    let open = false // a problem raised and not yet ended
    // The step each running procedure last showed, to say where it was fixed or given up.
    const lastStep = new Map<string, string>()
    for (const e of list) {
      const d = e.data
      switch (e.kind) {
        case 'intent.recognised':
          problem = true
          if (d.outOfScope) recognition.outOfScope++
          else if (d.clarified) recognition.clarified++
          else recognition.understood++
          break
        case 'procedure.started':
          problem = open = true
          funnelOf(String(d.procedureId)).started++
          break
        case 'step.shown': {
          const steps = funnelOf(String(d.procedureId)).steps
          const stepId = String(d.stepId)
          let s = steps.get(stepId)
          if (!s) steps.set(stepId, (s = { stepId, step: Number(d.step), reached: 0, fixed: 0, gaveUp: 0 }))
          s.reached++
          lastStep.set(String(d.procedureId), stepId)
          break
        }
        case 'procedure.outcome': {
          open = false
          const procedureId = String(d.procedureId)
          const at = lastStep.get(procedureId)
          lastStep.delete(procedureId)
          if (d.outcome === 'resolved-confirmed') confirmed = true
          else if (d.outcome === 'resolved-assumed') assumed = true
          else if (d.outcome === 'referred') referred = true
          if (at && String(d.outcome).startsWith('resolved')) funnelOf(procedureId).steps.get(at)!.fixed++
          break
        }
        case 'handoff.queued':
          handedOff = true
          open = false
          handoff.queued++
          break
        case 'handoff.claimed':
          handoff.claimed++
          waits.push(Number(d.waitSeconds))
          break
        case 'handoff.closed':
          handoff.closed++
          break
      }
    }
    const silent = list.at(-1)!.at <= cutoff
    const abandoned = problem && !handedOff && !confirmed && !assumed && !referred && (open || lastStep.size > 0) && silent
    if (abandoned) for (const [procedureId, stepId] of lastStep) funnelOf(procedureId).steps.get(stepId)!.gaveUp++
    if (handedOff) containment.handedOff++
    else if (confirmed || assumed) {
      containment.resolved++
      if (confirmed) containment.confirmed++
      else containment.assumed++
    } else if (referred) containment.referred++
    else if (abandoned) containment.abandoned++
    else containment.other++
  }
  handoff.waitMedianSeconds = median(waits)
  handoff.waitP90Seconds = percentile(waits, 90)
  const procedures = [...funnels]
    .map(([procedureId, f]) => ({ procedureId, started: f.started, steps: [...f.steps.values()].sort((a, b) => a.step - b.step) }))
    .sort((a, b) => b.started - a.started || a.procedureId.localeCompare(b.procedureId))
  return { from, to, conversations, containment, procedures, recognition, handoff }
}

/** A share as the report shows it: one decimal, '-' of nothing. */
export const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`)
const seconds = (s: number | undefined) => (s === undefined ? '-' : `${Math.round(s)} s`)

/** The report as the terminal shows it. */
export function formatReport(r: Report): string {
  const c = r.containment
  const n = r.conversations
  const lines = [
    `Help-desk report ${new Date(r.from).toISOString()} to ${new Date(r.to).toISOString()}`,
    `Conversations: ${n}`,
    '',
    'Containment',
    `  solved without a person  ${c.resolved} (${pct(c.resolved, n)})  confirmed by the user ${c.confirmed}, assumed ${c.assumed}`,
    `  referred elsewhere       ${c.referred} (${pct(c.referred, n)})`,
    `  handed off               ${c.handedOff} (${pct(c.handedOff, n)})`,
    `  abandoned                ${c.abandoned} (${pct(c.abandoned, n)})`,
    `  other or still going     ${c.other} (${pct(c.other, n)})`,
    '',
    'Procedures (steps: reached / fixed there / gave up there)',
  ]
  if (r.procedures.length === 0) lines.push('  none started')
  for (const p of r.procedures) {
    lines.push(`  ${p.procedureId}: started ${p.started}`)
    for (const s of p.steps) lines.push(`    step ${s.step} (${s.stepId}): ${s.reached} / ${s.fixed} / ${s.gaveUp}`)
  }
  const g = r.recognition
  const asked = g.understood + g.clarified + g.outOfScope
  lines.push(
    '',
    'Recognition (problems stated)',
    `  understood ${g.understood} (${pct(g.understood, asked)}), clarified ${g.clarified} (${pct(g.clarified, asked)}), out of scope ${g.outOfScope} (${pct(g.outOfScope, asked)})`,
    '',
    'Handoff',
    `  rate ${pct(r.handoff.queued, n)} (${r.handoff.queued} queued), claimed ${r.handoff.claimed}, closed ${r.handoff.closed}`,
    `  wait for an agent: median ${seconds(r.handoff.waitMedianSeconds)}, p90 ${seconds(r.handoff.waitP90Seconds)}`,
  )
  return lines.join('\n')
}
