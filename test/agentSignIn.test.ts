import { afterEach, describe, expect, it } from 'vitest'
import { AGENT_ACCOUNTS, ALICE } from './helpers/agents.js'
import { startServer, tempDataDir, type Running } from './helpers/server.js'

// Agent sign-in under attack (issue 10, point 4).
const data = tempDataDir()
let running: Running | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

async function login(username: string, password: string, cookie?: string) {
  const response = await fetch(`${running!.url}/agent/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie && { cookie }) },
    body: JSON.stringify({ username, password }),
  })
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]!)
  return { status: response.status, retryAfter: Number(response.headers.get('retry-after') ?? 0), device: cookies.find((c) => c.startsWith('hd_device=')) }
}

describe('agent sign-in', () => {
  it('keeps answering /healthz while 20 wrong passwords are being checked (scrypt is off the main thread)', async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })
    const order: string[] = []

    const attempts = Array.from({ length: 20 }, (_, i) => login(`user${i}`, 'wrong-password').then(() => order.push('sign-in')))
    await new Promise((r) => setTimeout(r, 20)) // the sign-ins are in
    const health = fetch(`${running.url}/healthz`).then((r) => order.push(`healthz ${r.status}`))
    await Promise.all([...attempts, health])

    expect(order.indexOf('healthz 200')).toBeLessThan(19) // before the last sign-in was answered
  })

  it('slows guessing per account and address, with Retry-After, and the wait is short', async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })

    const statuses = [] as number[]
    for (let i = 0; i < 6; i++) statuses.push((await login('alice', `guess-${i}`)).status)
    const waiting = await login('alice', ALICE.password)
    const otherAccount = await login('bob', 'guess')

    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    expect(waiting.status).toBe(429)
    expect(waiting.retryAfter).toBeGreaterThan(0)
    expect(waiting.retryAfter).toBeLessThanOrEqual(60)
    expect(otherAccount.status).toBe(401) // another account from the same address is not held up
  })

  it('counts concurrent guesses too: 40 at once from one address, 30 are checked', async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })

    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`user${i}`, 'wrong-password').then((r) => r.status)))

    expect(statuses.filter((s) => s === 401).length).toBe(30)
    expect(statuses.filter((s) => s === 429).length).toBe(10)
  })

  it('never locks the agent out of their own browser, whatever others try from the same address', async () => {
    running = await startServer(data.dir, { AGENT_ACCOUNTS })
    const earlier = await login('alice', ALICE.password)
    expect(earlier.device).toBeDefined()

    const attacker = [] as number[]
    for (let i = 0; i < 64; i++) attacker.push((await login(i % 2 ? 'alice' : `user${i}`, `guess-${i}`)).status)
    const agent = await login('alice', ALICE.password, earlier.device)
    const forged = await login('alice', ALICE.password, 'hd_device=forged.cookie')

    expect(attacker.slice(-4)).toEqual([429, 429, 429, 429]) // the account, then the address, are throttled (30 failures)
    expect(agent.status).toBe(200)
    expect(forged.status).toBe(429) // a cookie the server did not sign counts for nothing
  })
})
