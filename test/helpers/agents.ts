import { hashPassword } from '../../src/agent/auth.js'

export const ALICE = { username: 'alice', name: 'Alice Smith', password: 'alice-password-1' }
export const BOB = { username: 'bob', name: 'Bob Jones', password: 'bob-password-22' }
/** A help-desk lead: an agent who also sees the Analytics view. */
export const CAROL = { username: 'carol', name: 'Carol Diaz', password: 'carol-password-333', role: 'lead' as const }

/** AGENT_ACCOUNTS for tests: two agents and a lead, with real salted hashes. */
export const AGENT_ACCOUNTS = JSON.stringify(
  [ALICE, BOB, CAROL].map(({ password, ...account }) => ({ ...account, passwordHash: hashPassword(password) })),
)

/** A signed-in agent's calls to the console API. */
export async function signIn(url: string, agent: { username: string; password: string }) {
  const response = await fetch(`${url}/agent/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: agent.username, password: agent.password }),
  })
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`)
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/agent/api${path}`, {
      method,
      headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    return { status: r.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text, headers: r.headers }
  }
  return { cookie, call }
}
