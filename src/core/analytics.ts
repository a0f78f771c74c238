/**
 * Help-desk analytics: the events a conversation leaves (ids, scores and labels, never what the user typed) and the
 * report computed from them (containment, procedure funnels, recognition, handoff), as a help-desk lead reads them.
 */
import type { ClosingReason } from './handoffCase.js'
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
  | { kind: 'handoff.replied'; seconds: number }
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
  handoff: {
    queued: number
    claimed: number
    closed: number
    waitMedianSeconds?: number
    waitP90Seconds?: number
    /** Cases whose agent wrote to the user, and how long after the case opened the first message went. */
    replied: number
    firstReplyMedianSeconds?: number
    firstReplyP90Seconds?: number
    /** Why cases ended (closed by the agent, cancelled by the user, expired unclaimed…), most frequent first. */
    closedReasons: { reason: string; cases: number }[]
  }
  /** Containment per UTC day of each conversation's first event, every day of the period. */
  trend: TrendDay[]
  /** What users rated, after the bot and after an agent. */
  ratings: { after: 'bot' | 'agent'; count: number; meanScore?: number }[]
}

export interface TrendDay {
  /** YYYY-MM-DD (UTC). */
  day: string
  conversations: number
  confirmed: number
  assumed: number
  referred: number
  handedOff: number
  abandoned: number
  other: number
}

const DAY_MS = 24 * 60 * 60 * 1000
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

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
  const handoff: Report['handoff'] = { queued: 0, claimed: 0, closed: 0, replied: 0, closedReasons: [] }
  const waits: number[] = []
  const firstReplies: number[] = []
  const reasons = new Map<string, number>()
  const scores = { bot: [] as number[], agent: [] as number[] }
  const trend = new Map<string, TrendDay>()
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
    const d = dayOf(day)
    trend.set(d, { day: d, conversations: 0, confirmed: 0, assumed: 0, referred: 0, handedOff: 0, abandoned: 0, other: 0 })
  }
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
          reasons.set(String(d.reason), (reasons.get(String(d.reason)) ?? 0) + 1)
          break
        case 'handoff.replied':
          handoff.replied++
          firstReplies.push(Number(d.seconds))
          break
        case 'rating':
          if ((d.after === 'bot' || d.after === 'agent') && Number.isFinite(Number(d.score))) scores[d.after].push(Number(d.score))
          break
      }
    }
    const silent = list.at(-1)!.at <= cutoff
    const abandoned = problem && !handedOff && !confirmed && !assumed && !referred && (open || lastStep.size > 0) && silent
    if (abandoned) for (const [procedureId, stepId] of lastStep) funnelOf(procedureId).steps.get(stepId)!.gaveUp++
    const outcome = handedOff ? 'handedOff' : confirmed ? 'confirmed' : assumed ? 'assumed' : referred ? 'referred' : abandoned ? 'abandoned' : 'other'
    if (outcome === 'confirmed' || outcome === 'assumed') containment.resolved++
    containment[outcome]++
    const day = trend.get(dayOf(list[0]!.at))
    if (day) {
      day.conversations++
      day[outcome]++
    }
  }
  handoff.waitMedianSeconds = median(waits)
  handoff.waitP90Seconds = percentile(waits, 90)
  handoff.firstReplyMedianSeconds = median(firstReplies)
  handoff.firstReplyP90Seconds = percentile(firstReplies, 90)
  handoff.closedReasons = [...reasons].map(([reason, cases]) => ({ reason, cases })).sort((a, b) => b.cases - a.cases || a.reason.localeCompare(b.reason))
  const ratings = (['bot', 'agent'] as const).map((after) => {
    const given = scores[after]
    return { after, count: given.length, meanScore: given.length ? given.reduce((a, b) => a + b, 0) / given.length : undefined }
  })
  const procedures = [...funnels]
    .map(([procedureId, f]) => ({ procedureId, started: f.started, steps: [...f.steps.values()].sort((a, b) => a.step - b.step) }))
    .sort((a, b) => b.started - a.started || a.procedureId.localeCompare(b.procedureId))
  return { from, to, conversations, containment, procedures, recognition, handoff, trend: [...trend.values()], ratings }
}

/** A share as the report shows it: one decimal, '-' of nothing. */
export const pct = (n: number, of: number): string => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)}%`)
const seconds = (s: number | undefined) => (s === undefined ? '-' : `${Math.round(s)} s`)
/** A mean score as the report shows it: one decimal, '-' of no ratings. */
export const meanScore = (m: number | undefined): string => (m === undefined ? '-' : m.toFixed(1))

// The reasons an agent chooses (core/handoffCase), and the ends nobody chose: a close without a reason, the user
// cancelling, nobody claiming in time.
const CLOSING_REASONS: Record<ClosingReason | 'close' | 'cancel' | 'expire', string> = {
  resolved: 'resolved by the agent',
  'referred-id-card-office': 'referred to the ID card office',
  'referred-local-it': 'referred to local IT',
  'referred-branch-of-service': 'referred to their branch of service',
  'no-response': 'no response from the user',
  other: 'other (agent)',
  close: 'closed by the agent, no reason given',
  cancel: 'cancelled by the user',
  expire: 'expired unclaimed',
}
/** A `handoff.closed` reason in words. */
export const closingReason = (reason: string): string => CLOSING_REASONS[reason as keyof typeof CLOSING_REASONS] ?? reason

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
    `  first agent reply after the case opened: median ${seconds(r.handoff.firstReplyMedianSeconds)}, p90 ${seconds(r.handoff.firstReplyP90Seconds)} (${r.handoff.replied} replied)`,
    `  closing reasons: ${r.handoff.closedReasons.map((c) => `${closingReason(c.reason)} ${c.cases}`).join(', ') || 'none'}`,
    '',
    'Ratings',
    ...r.ratings.map((g) => `  after ${g.after === 'bot' ? 'the bot  ' : 'an agent '} ${g.count} rating${g.count === 1 ? '' : 's'}, mean score ${meanScore(g.meanScore)}`),
    '',
    'Containment per day (UTC): conversations / solved confirmed / assumed / referred / handed off / abandoned / other',
    ...r.trend.map((t) => `  ${t.day}  ${[t.conversations, t.confirmed, t.assumed, t.referred, t.handedOff, t.abandoned, t.other].join(' / ')}`),
  )
  return lines.join('\n')
}
