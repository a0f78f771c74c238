import { describe, expect, it } from 'vitest'
import { loadTestScaled, SCRIPT } from '../../src/tools/load.js'
import { DATABASE_URL, REDIS_URL } from '../helpers/postgres.js'

// The bench's scale-out harness, small: two instances on PostgreSQL + Redis start, and every user gets every reply.
describe('npm run bench: the website-channel load test on PostgreSQL + Redis', () => {
  it('walks the script with 4 users on two instances', async () => {
    const result = await loadTestScaled(4, { instances: 2, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL })

    expect(result).toMatchObject({ conversations: 4, turns: 4 * SCRIPT.length, errors: 0 })
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.medianMs)
    expect(result.serverCpuMsPerTurn).toBeGreaterThan(0)
  }, 120_000)
})
