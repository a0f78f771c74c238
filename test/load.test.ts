import { describe, expect, it } from 'vitest'
import { loadTest, SCRIPT } from '../src/tools/load.js'

// The bench's load harness, small: every server it measures starts, and every simulated user gets every reply.
describe('npm run bench: the website-channel load test', () => {
  it('walks the script with 5 users, two conversations each, against our bot, our channel with an echo, and the echo bot', async () => {
    const { ours, channelEcho, echo } = await loadTest(5, { rounds: 2 })

    for (const result of [ours, channelEcho, echo]) {
      expect(result).toMatchObject({ conversations: 5, turns: 5 * 2 * SCRIPT.length, errors: 0 })
      expect(result.turnsPerSecond).toBeGreaterThan(0)
      expect(result.p99Ms).toBeGreaterThanOrEqual(result.medianMs)
      expect(result.serverCpuMsPerTurn).toBeGreaterThan(0)
      expect(result.clientCpuMsPerTurn).toBeGreaterThan(0)
    }
  }, 120_000)
})
