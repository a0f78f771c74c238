import { describe, expect, it } from 'vitest'
import { computeReport, median, percentile } from '../../src/core/analytics.js'
import type { StoredAnalyticsEvent } from '../../src/core/ports.js'
import { periodFromArgs } from '../../src/analytics/period.js'

const HOUR = 60 * 60 * 1000
const T = Date.UTC(2026, 10, 30, 12)
const ev = (conversationId: string, at: number, kind: string, data: Record<string, unknown> = {}): StoredAnalyticsEvent => ({ at, channelId: 'webchat', conversationId, kind, data })

describe('the report computed from events', () => {
  it('takes the median (mean of the middle two) and the nearest-rank p90', () => {
    const waits = [5, 1, 9, 3, 7, 2, 8, 4, 10, 6]
    expect(median(waits)).toBe(5.5)
    expect(percentile(waits, 90)).toBe(9)
    expect(median([30])).toBe(30)
    expect(percentile([], 90)).toBeUndefined()
  })

  it('keeps assumed apart from confirmed, counts referrals and clarifications, and abandons only after an hour of silence', () => {
    const events = [
      ev('assumed', T, 'conversation.started'),
      ev('assumed', T, 'intent.recognised', { intentId: 'buy-cac', score: 0.9, clarified: false, outOfScope: false }),
      ev('assumed', T, 'procedure.started', { procedureId: 'buy-cac' }),
      ev('assumed', T, 'procedure.outcome', { procedureId: 'buy-cac', outcome: 'resolved-assumed' }),
      // Assumed, then confirmed by the user: counted once, as confirmed.
      ev('confirmed-later', T, 'conversation.started'),
      ev('confirmed-later', T, 'procedure.started', { procedureId: 'buy-cac' }),
      ev('confirmed-later', T, 'procedure.outcome', { procedureId: 'buy-cac', outcome: 'resolved-assumed' }),
      ev('confirmed-later', T + 1000, 'procedure.outcome', { procedureId: 'buy-cac', outcome: 'resolved-confirmed' }),
      ev('referred', T, 'conversation.started'),
      ev('referred', T, 'intent.recognised', { intentId: 'pin-locked', score: 0.5, clarified: true, outOfScope: false }),
      ev('referred', T, 'procedure.started', { procedureId: 'pin-locked' }),
      ev('referred', T, 'step.shown', { procedureId: 'pin-locked', stepId: 'office', step: 1 }),
      ev('referred', T, 'procedure.outcome', { procedureId: 'pin-locked', outcome: 'referred', where: 'id-card-office' }),
      // Silent 59 minutes before the end of the period: still going, not abandoned.
      ev('recent', T, 'conversation.started'),
      ev('recent', T + HOUR + 60_000, 'procedure.started', { procedureId: 'pin-locked' }),
      ev('recent', T + HOUR + 60_000, 'step.shown', { procedureId: 'pin-locked', stepId: 'office', step: 1 }),
    ]
    const r = computeReport(events, T - HOUR, T + 2 * HOUR, T + 10 * HOUR)

    expect(r.conversations).toBe(4)
    expect(r.containment).toEqual({ resolved: 2, confirmed: 1, assumed: 1, referred: 1, handedOff: 0, abandoned: 0, other: 1 })
    expect(r.recognition).toEqual({ understood: 1, clarified: 1, outOfScope: 0 })
    expect(r.procedures).toEqual([
      { procedureId: 'buy-cac', started: 2, steps: [] },
      { procedureId: 'pin-locked', started: 2, steps: [{ stepId: 'office', step: 1, reached: 2, fixed: 0, gaveUp: 0 }] },
    ])
    // A period reaching past it: the silent one is abandoned at its step.
    const later = computeReport(events, T - HOUR, T + 3 * HOUR, T + 10 * HOUR)
    expect(later.containment.abandoned).toBe(1)
    expect(later.procedures[1]!.steps[0]!.gaveUp).toBe(1)
  })
})

describe('the report period', () => {
  const now = Date.UTC(2026, 11, 1, 12)
  it('gives containment per UTC day of each conversation’s start, first-reply times, closing reasons and ratings', () => {
    const day1 = Date.UTC(2026, 10, 28, 23, 30)
    const day2 = Date.UTC(2026, 10, 29, 9)
    const events = [
      // Starts before midnight and is solved after it: counted on its first day.
      ev('late', day1, 'conversation.started'),
      ev('late', day1 + HOUR, 'procedure.outcome', { procedureId: 'clear-cache', outcome: 'resolved-confirmed' }),
      ...['a', 'b', 'c', 'd'].flatMap((id, i) => [
        ev(id, day2, 'conversation.started'),
        ev(id, day2, 'handoff.queued', { reason: 'asked-for-human' }),
        ev(id, day2 + 60_000, 'handoff.replied', { seconds: [30, 90, 45, 600][i] }),
        ev(id, day2 + 120_000, 'handoff.closed', { reason: ['close', 'expire', 'close', 'cancel'][i] }),
      ]),
      ev('late', day1 + HOUR, 'rating', { score: 5, after: 'bot' }),
      ev('a', day2, 'rating', { score: 4, after: 'agent' }),
      ev('b', day2, 'rating', { score: 1, after: 'agent' }),
      ev('c', day2, 'rating', { score: 3, after: 'someone' }), // not a rating this report knows: left out
    ]

    const r = computeReport(events, Date.UTC(2026, 10, 28, 12), Date.UTC(2026, 10, 30), Date.UTC(2026, 11, 1))

    expect(r.trend).toEqual([
      { day: '2026-11-28', conversations: 1, confirmed: 1, assumed: 0, referred: 0, handedOff: 0, abandoned: 0, other: 0 },
      { day: '2026-11-29', conversations: 4, confirmed: 0, assumed: 0, referred: 0, handedOff: 4, abandoned: 0, other: 0 },
    ])
    expect(r.handoff).toMatchObject({ replied: 4, firstReplyMedianSeconds: 67.5, firstReplyP90Seconds: 600 })
    expect(r.handoff.closedReasons).toEqual([
      { reason: 'close', cases: 2 },
      { reason: 'cancel', cases: 1 },
      { reason: 'expire', cases: 1 },
    ])
    expect(r.ratings).toEqual([
      { after: 'bot', count: 1, meanScore: 5 },
      { after: 'agent', count: 2, meanScore: 2.5 },
    ])
  })

  it('reads --since in hours or days, and --from/--to as ISO dates', () => {
    expect(periodFromArgs(['--since', '24h'], now)).toEqual({ from: now - 24 * HOUR, to: now })
    expect(periodFromArgs(['--since', '7d'], now)).toEqual({ from: now - 7 * 24 * HOUR, to: now })
    expect(periodFromArgs(['--from', '2026-11-01', '--to', '2026-11-08T12:00Z'], now)).toEqual({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 8, 12) })
    expect(periodFromArgs([], now)).toEqual({ from: now - 7 * 24 * HOUR, to: now })
  })

  it('refuses what it cannot read, saying why', () => {
    expect(() => periodFromArgs(['--since', '1w'], now)).toThrow(/hours or days/)
    expect(() => periodFromArgs(['--since', '0d'], now)).toThrow(/more than 0/)
    expect(() => periodFromArgs(['--from', 'yesterday'], now)).toThrow(/ISO date/)
    expect(() => periodFromArgs(['--from', '2026-12-02', '--to', '2026-12-01'], now)).toThrow(/before --to/)
    expect(() => periodFromArgs(['--since', '7d', '--from', '2026-11-01'], now)).toThrow(/not both/)
  })
})
