import { monitorEventLoopDelay } from 'node:perf_hooks'

/** Whether the server is too busy to take on new conversations. */
export interface LoadShedder {
  overloaded(): boolean
  /** The event-loop delay (p99 of the last second, ms) the decision rests on. */
  delayMs(): number
  stop(): void
}

/**
 * Measures event-loop delay (perf_hooks) every second: while its p99 is above `maxDelayMs`, new conversations are
 * turned away (503) so the ones already open keep their answers fast; it lets them in again once the delay is back
 * under half the bound (no flapping). `maxDelayMs` 0 never sheds.
 */
export function createLoadShedder({ maxDelayMs, intervalMs = 1000 }: { maxDelayMs: number; intervalMs?: number }): LoadShedder {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  let shedding = false
  let lastDelay = 0
  const timer = setInterval(() => {
    lastDelay = histogram.percentile(99) / 1e6
    histogram.reset()
    if (maxDelayMs > 0) shedding = shedding ? lastDelay > maxDelayMs / 2 : lastDelay > maxDelayMs
  }, intervalMs)
  timer.unref()
  return {
    overloaded: () => shedding,
    delayMs: () => lastDelay,
    stop: () => {
      clearInterval(timer)
      histogram.disable()
    },
  }
}
