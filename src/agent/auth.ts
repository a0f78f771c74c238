import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import type { AgentAccount } from '../core/config.js'
import type { AgentSessions } from '../core/ports.js'

const N = 16384
const KEY_LENGTH = 32

/** A salted scrypt hash, as AGENT_ACCOUNTS holds it: `scrypt$N$salt$hash`. */
export function hashPassword(password: string, salt = randomBytes(16)): string {
  const hash = scryptSync(password, salt, KEY_LENGTH, { N, r: 8, p: 1 })
  return `scrypt$${N}$${salt.toString('base64url')}$${hash.toString('base64url')}`
}

const scryptAsync = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))))

// One hash at a time: on a small machine, several at once would take every core from the event loop.
let hashing: Promise<unknown> = Promise.resolve()
const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
  const run = hashing.then(work, work)
  hashing = run.catch(() => undefined)
  return run
}

/** Checks a password against its hash on libuv's thread pool, one at a time: ~100 ms of scrypt never blocks the server. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !cost || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await oneAtATime(() => scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(cost), r: 8, p: 1, maxmem: 64 * 1024 * 1024 }))
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

// Checked against when the username is unknown, so a wrong name takes as long as a wrong password.
const DUMMY = hashPassword('not-a-password', Buffer.alloc(16))

/** Agent accounts from configuration and their sessions in storage (they expire). */
export class AgentAuth {
  constructor(
    private readonly sessions: AgentSessions,
    private readonly accounts: readonly AgentAccount[],
    private readonly sessionHours: number,
  ) {}

  /** Whether any agent account is configured (with none, nobody can sign in). */
  get hasAccounts(): boolean {
    return this.accounts.length > 0
  }

  /** Every agent's username and name (for the console's filters), never a hash. */
  directory(): { username: string; name: string }[] {
    return this.accounts.map(({ username, name }) => ({ username, name }))
  }

  /** A new session id for valid credentials, else undefined. */
  async signIn(username: string, password: string): Promise<{ sessionId: string; account: AgentAccount; maxAgeSeconds: number } | undefined> {
    const account = this.accounts.find((a) => a.username === username)
    const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY)
    if (!account || !ok) return undefined
    const sessionId = randomBytes(32).toString('base64url')
    const maxAgeSeconds = Math.round(this.sessionHours * 3600)
    await this.sessions.create(sessionId, username, Date.now() + maxAgeSeconds * 1000)
    return { sessionId, account, maxAgeSeconds }
  }

  /** The signed-in agent of a session id, if the session exists and has not expired. */
  async agentOf(sessionId: string | undefined): Promise<AgentAccount | undefined> {
    if (!sessionId) return undefined
    const session = await this.sessions.find(sessionId)
    return session && this.accounts.find((a) => a.username === session.username)
  }

  async signOut(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.sessions.delete(sessionId)
  }
}
