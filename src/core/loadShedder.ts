import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Whether the server is too busy to take on new conversations. */
export interface LoadShedder {
  overloaded(): boolean
  /** A turn took `ms` from its request's arrival to its answer: what the person waited. */
  turnServed(ms: number): void
  /** What the last decision rested on: p95 turn latency and p99 event-loop delay of the last interval (ms). */
  measured(): { turnMs: number; delayMs: number; shedding: boolean }
  /** What a turned-away person is told to wait (seconds). */
  retryAfterSeconds: number
  stop(): void
}

export interface ShedderOptions {
  /** Above this p95 turn latency (ms), new conversations are turned away; 0 = never on latency. */
  maxTurnMs: number
  /** Above this event-loop delay (p99, ms), likewise; 0 = never on delay. */
  maxDelayMs: number
  intervalMs?: number
  /** Intervals in a row under half of both bounds before new conversations are let in again. */
  calmIntervals?: number
  retryAfterSeconds?: number
  /** Called when shedding starts or stops, with what it rested on. */
  onChange?: (shedding: boolean, measured: { turnMs: number; delayMs: number }) => void
}

const P95 = 0.95
/** Slow turns that already put this interval's p95 over the bound trip shedding at once, not at the interval's end. */
const MIN_SLOW_TURNS = 5

/**
 * Decides on what people feel: the latency of the turns served in the last interval (from the request's arrival,
 * so time queued behind other turns counts) and the event-loop delay (perf_hooks: work not yet reached at all).
 * Event-loop delay alone stayed low at 2,000 paced conversations while turns waited 0.8 s, so latency leads. Every
 * conversation let in brings turns for minutes, so it trips as soon as the interval's p95 is over the bound (at least
 * five slow turns, 5% of the interval's), not at the interval's end.
 * Above either bound, new conversations are turned away (the ones already open keep their answers fast); they are
 * let in again only after `calmIntervals` intervals in a row under half of both bounds (no flapping).
 */
export function createLoadShedder({ maxTurnMs, maxDelayMs, intervalMs = 1000, calmIntervals = 3, retryAfterSeconds = 30, onChange }: ShedderOptions): LoadShedder {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  let turns: number[] = []
  let slow = 0
  let shedding = false
  let calm = 0
  let last = { turnMs: 0, delayMs: 0 }
  const timer = setInterval(() => {
    const sorted = turns.sort((a, b) => a - b)
    last = { turnMs: sorted[Math.floor(P95 * sorted.length)] ?? 0, delayMs: histogram.percentile(99) / 1e6 }
    turns = []
    slow = 0
    histogram.reset()
    const over = (value: number, bound: number) => bound > 0 && value > bound
    if (!shedding) {
      if (over(last.turnMs, maxTurnMs) || over(last.delayMs, maxDelayMs)) {
        shedding = true
        calm = 0
        onChange?.(true, last)
      }
    } else if (over(last.turnMs, maxTurnMs / 2) || over(last.delayMs, maxDelayMs / 2)) {
      calm = 0
    } else if (++calm >= calmIntervals) {
      shedding = false
      onChange?.(false, last)
    }
  }, intervalMs)
  timer.unref()
  return {
    overloaded: () => shedding,
    turnServed: (ms) => {
      if (maxTurnMs <= 0 || turns.length >= 100_000) return
      turns.push(ms)
      if (ms > maxTurnMs && ++slow >= MIN_SLOW_TURNS && slow > (1 - P95) * turns.length && !shedding) {
        shedding = true
        calm = 0
        last = { ...last, turnMs: ms }
        onChange?.(true, last)
      }
    },
    measured: () => ({ ...last, shedding }),
    retryAfterSeconds,
    stop: () => {
      clearInterval(timer)
      histogram.disable()
    },
  }
}
