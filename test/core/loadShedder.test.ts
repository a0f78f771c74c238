import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLoadShedder, type LoadShedder } from '../../src/core/loadShedder.js'

// The decision alone, on turn latencies fed in (event-loop delay off), one interval at a time.
let shedder: LoadShedder | undefined
afterEach(() => {
  shedder?.stop()
  vi.useRealTimers()
})

describe('load shedder', () => {
  it('sheds once p95 turn latency passes the bound, and lets people in again only after three calm seconds under half of it', () => {
    vi.useFakeTimers()
    const changes: boolean[] = []
    shedder = createLoadShedder({ maxTurnMs: 100, maxDelayMs: 0, onChange: (shedding) => changes.push(shedding) })
    const second = (...latencies: number[]) => {
      for (const ms of latencies) shedder!.turnServed(ms)
      vi.advanceTimersByTime(1000)
      return shedder!.overloaded()
    }
    const many = (ms: number, n = 20) => Array<number>(n).fill(ms)

    expect(second(...many(20), 300)).toBe(false) // one slow turn in 21 is under the p95
    expect(second(...many(20, 15), ...many(300, 5))).toBe(true)
    expect(shedder.measured()).toMatchObject({ turnMs: 300, shedding: true })
    expect(second(...many(60))).toBe(true) // under the bound but over half of it: still shedding (no flapping)
    expect(second(...many(10))).toBe(true)
    expect(second(...many(10))).toBe(true)
    expect(second(...many(60))).toBe(true) // the calm run starts again
    expect(second(...many(10))).toBe(true)
    expect(second()).toBe(true) // no turns at all is calm
    expect(second(...many(10))).toBe(false)
    expect(changes).toEqual([true, false])
  })

  it('trips as soon as the slow turns put the p95 over the bound, without waiting for the second to end', () => {
    vi.useFakeTimers()
    shedder = createLoadShedder({ maxTurnMs: 100, maxDelayMs: 0 })
    for (let i = 0; i < 40; i++) shedder.turnServed(20)
    for (let i = 0; i < 2; i++) shedder.turnServed(300)
    expect(shedder.overloaded()).toBe(false) // 2 slow turns in 42: under the p95
    for (let i = 0; i < 3; i++) shedder.turnServed(300)
    expect(shedder.overloaded()).toBe(true) // 5 in 45: over it
  })

  it('never sheds with both bounds 0, however slow the turns', () => {
    vi.useFakeTimers()
    shedder = createLoadShedder({ maxTurnMs: 0, maxDelayMs: 0 })
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 10; j++) shedder.turnServed(10_000)
      vi.advanceTimersByTime(1000)
    }
    expect(shedder.overloaded()).toBe(false)
  })
})
