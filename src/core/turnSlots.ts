/** At most `max` turns at once; the others wait their turn, first come first served. */
export interface TurnSlots {
  /**
   * Runs `turn` once it holds a slot, or once it has waited the wait bound (it then runs outside the count: a person's
   * message is answered late, never dropped). A turn still running after the hold bound gives its slot up and carries
   * on outside the count.
   */
  run<T>(turn: () => Promise<T>): Promise<T>
  /** Turns holding a slot and turns waiting for one, now. */
  stats(): { running: number; waiting: number }
}

export interface TurnSlotOptions {
  /** Turns that hold a slot at once. */
  max: number
  /** How long a turn waits for a slot (ms) before it runs without one. */
  waitMs: number
  /** How long a turn may hold its slot (ms) before it gives it up (it is not stopped). */
  holdMs: number
  /** Called when a turn stops waiting and runs without a slot. */
  onWaitExpired?: () => void
  /** Called when a turn gives its slot up for running over `holdMs`. */
  onOverrun?: () => void
}

interface Waiter {
  start(slotted: boolean): void
  timer: NodeJS.Timeout
  gone: boolean
}

/**
 * A bound on turns in flight. Thousands of turns interleaved at their awaits each keep a turn's objects (contexts,
 * dialog state, replies) in play at once, and every part of a turn then costs more CPU (measured at 1,000 saturated
 * users: about a sixth of a turn, not in the garbage collector's own time); served a few dozen at a time, in order
 * of arrival, each is also answered sooner than when all of them share the processor. Both bounds are soft, so nothing waits on the bound alone for long:
 * under a load the server cannot keep up with, turns run after waiting `waitMs` (load shedding, which counts that
 * wait, turns new conversations away), and a turn stuck on something slow (a database lock, an outside call) gives
 * its slot up after `holdMs`.
 */
export function createTurnSlots({ max, waitMs, holdMs, onWaitExpired, onOverrun }: TurnSlotOptions): TurnSlots {
  if (!(max >= 1) || !(waitMs > 0) || !(holdMs > 0)) throw new RangeError('turn slots need max >= 1 and positive bounds')
  let running = 0
  let waiting = 0
  // A queue read from `head`; waiters that stopped waiting stay in it, marked gone, until reached.
  let queue: (Waiter | undefined)[] = []
  let head = 0

  /** A slot was given up: it goes to the longest-waiting turn still waiting, else it is free. */
  const handOn = () => {
    while (head < queue.length) {
      const waiter = queue[head]!
      queue[head++] = undefined
      if (waiter.gone) continue
      clearTimeout(waiter.timer)
      waiting--
      waiter.start(true) // the slot passes on: `running` stays
      return
    }
    queue = []
    head = 0
    running--
  }

  /** Resolves true holding a slot, false once `waitMs` passed without one. */
  const acquire = () =>
    new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        start: resolve,
        gone: false,
        timer: setTimeout(() => {
          waiter.gone = true
          waiting--
          onWaitExpired?.()
          resolve(false)
        }, waitMs),
      }
      queue.push(waiter)
      waiting++
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head)
        head = 0
      }
    })

  return {
    async run<T>(turn: () => Promise<T>): Promise<T> {
      if (running < max && waiting === 0) running++
      else if (!(await acquire())) return turn()
      let held = true
      const release = () => {
        if (!held) return
        held = false
        clearTimeout(overrun)
        handOn()
      }
      const overrun = setTimeout(() => {
        release()
        onOverrun?.()
      }, holdMs)
      overrun.unref()
      try {
        return await turn()
      } finally {
        release()
      }
    },
    stats: () => ({ running, waiting }),
  }
}
