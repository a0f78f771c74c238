import { describe, expect, it } from 'vitest'
import { loadTest, SCRIPT } from '../src/tools/load.js'

// The bench's load harness, small: every server it measures starts, and every simulated user gets every reply.
describe('npm run bench: the website-channel load test', () => {
  it('walks the script with 5 users, two conversations each, against our bot, our channel with an echo, and the echo bot', async () => {
    const { ours, channelEcho, echo } = await loadTest(5, { rounds: 2, env: { SHED_EVENT_LOOP_DELAY_MS: '0', SHED_TURN_LATENCY_MS: '0' } })

    for (const result of [ours!, channelEcho!, echo!]) {
      expect(result).toMatchObject({ conversations: 5, turns: 5 * 2 * SCRIPT.length, errors: 0, shed: 0, firstShedAt: undefined })
      expect(result.turnsPerSecond).toBeGreaterThan(0)
      expect(result.p99Ms).toBeGreaterThanOrEqual(result.medianMs)
      expect(result.serverCpuMsPerTurn).toBeGreaterThan(0)
      expect(result.clientCpuMsPerTurn).toBeGreaterThan(0)
    }
  }, 120_000)

  it('counts the conversations load shedding turns away, and where it began, on a ramp', async () => {
    // A bound no running server stays under: once the first second is measured, every new conversation is shed.
    const { ours, channelEcho, echo } = await loadTest(4, { startsPerSecond: 2, bots: ['ours'], env: { SHED_EVENT_LOOP_DELAY_MS: '1' } })

    expect(channelEcho).toBeUndefined()
    expect(echo).toBeUndefined()
    expect(ours!.shed).toBeGreaterThanOrEqual(1)
    expect(ours!.firstShedAt).toBeGreaterThanOrEqual(0)
    expect(ours!.turns).toBe((4 - ours!.shed) * SCRIPT.length) // the ones let in were served in full
    expect(ours!.errors).toBe(0)
  }, 120_000)
})
