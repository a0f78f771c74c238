/**
 * The report (core/analytics' computeReport, the same figures `npm run report` prints) as the tables the console's
 * Analytics view shows under its charts and offers as CSV: one place says what each table holds.
 */
import { closingReason, computeReport, meanScore, pct as share, type Report } from '../core/analytics.js'
import type { AnalyticsEvents } from '../core/ports.js'

export const TABLE_IDS = ['containment', 'trend', 'procedures', 'recognition', 'handoff', 'closing', 'ratings'] as const
export type TableId = (typeof TABLE_IDS)[number]

export interface Table {
  id: TableId
  title: string
  columns: string[]
  rows: (string | number)[][]
}

const HOUR_MS = 60 * 60 * 1000
/** The periods the view offers: bounded, so one request reads at most 30 days of events. */
export const PERIODS = { '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS } as const
export type PeriodId = keyof typeof PERIODS

const secondsOrDash = (s: number | undefined): string | number => (s === undefined ? '-' : Math.round(s))

/** Every table of a report, in the view's order. */
export function reportTables(r: Report): Table[] {
  const c = r.containment
  const n = r.conversations
  const g = r.recognition
  const asked = g.understood + g.clarified + g.outOfScope
  const h = r.handoff
  return [
    {
      id: 'containment',
      title: 'Containment',
      columns: ['Outcome', 'Conversations', 'Share'],
      rows: [
        ['Solved, confirmed by the user', c.confirmed, share(c.confirmed, n)],
        ['Solved, assumed', c.assumed, share(c.assumed, n)],
        ['Referred elsewhere', c.referred, share(c.referred, n)],
        ['Handed off', c.handedOff, share(c.handedOff, n)],
        ['Abandoned', c.abandoned, share(c.abandoned, n)],
        ['Other or still going', c.other, share(c.other, n)],
        ['All conversations', n, share(n, n)],
      ],
    },
    {
      id: 'trend',
      title: 'Containment per day (UTC)',
      columns: ['Day', 'Conversations', 'Solved, confirmed', 'Solved, assumed', 'Referred', 'Handed off', 'Abandoned', 'Other', 'Solved share'],
      rows: r.trend.map((t) => [t.day, t.conversations, t.confirmed, t.assumed, t.referred, t.handedOff, t.abandoned, t.other, share(t.confirmed + t.assumed, t.conversations)]),
    },
    {
      id: 'procedures',
      title: 'Procedures: where they are fixed and where they fail',
      columns: ['Procedure', 'Started', 'Step', 'Step id', 'Reached', 'Fixed there', 'Gave up there'],
      rows: r.procedures.flatMap((p) => p.steps.map((s) => [p.procedureId, p.started, s.step, s.stepId, s.reached, s.fixed, s.gaveUp])),
    },
    {
      id: 'recognition',
      title: 'Recognition (problems stated)',
      columns: ['Recognised', 'Messages', 'Share'],
      rows: [
        ['Understood', g.understood, share(g.understood, asked)],
        ['Clarified', g.clarified, share(g.clarified, asked)],
        ['Out of scope', g.outOfScope, share(g.outOfScope, asked)],
      ],
    },
    {
      id: 'handoff',
      title: 'Handoff',
      columns: ['Measure', 'Value'],
      rows: [
        ['Handoff rate', share(h.queued, n)],
        ['Queued', h.queued],
        ['Claimed by an agent', h.claimed],
        ['Closed', h.closed],
        ['Median wait for an agent (s)', secondsOrDash(h.waitMedianSeconds)],
        ['p90 wait for an agent (s)', secondsOrDash(h.waitP90Seconds)],
        ['Cases with an agent reply', h.replied],
        ['Median time to first agent reply (s)', secondsOrDash(h.firstReplyMedianSeconds)],
        ['p90 time to first agent reply (s)', secondsOrDash(h.firstReplyP90Seconds)],
      ],
    },
    {
      id: 'closing',
      title: 'Handoff closing reasons',
      columns: ['Reason', 'Cases', 'Share'],
      rows: h.closedReasons.map((c) => [closingReason(c.reason), c.cases, share(c.cases, h.closed)]),
    },
    {
      id: 'ratings',
      title: 'Ratings',
      columns: ['Rated after', 'Ratings', 'Mean score'],
      rows: r.ratings.map((g) => [g.after === 'bot' ? 'The bot' : 'An agent', g.count, meanScore(g.meanScore)]),
    },
  ]
}

/** The report of the last `period` up to `now`, from stored events: the view's and its CSVs' one computation. */
export async function reportFor(events: AnalyticsEvents, period: PeriodId, now = Date.now()): Promise<Report> {
  const from = now - PERIODS[period]
  return computeReport(await events.query(from, now), from, now, now)
}

// A spreadsheet runs a cell starting with one of these as a formula: quoted and prefixed, it stays text.
const FORMULA = /^[=+\-@\t\r]/
const cell = (value: string | number): string => {
  if (typeof value === 'number') return String(value)
  const text = FORMULA.test(value) && value !== '-' ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** A table as RFC 4180 CSV (CRLF line ends, a header row). */
export function toCsv(table: Table): string {
  return [table.columns, ...table.rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}
