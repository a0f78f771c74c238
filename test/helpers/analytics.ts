import { expect } from 'vitest'
import { ALICE, signIn } from './agents.js'
import { sqliteFile } from './server.js'

/** A website user typing into the help page (Direct Line over HTTP). */
export async function websiteUser(url: string) {
  const { conversationId, token } = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  return {
    conversationId,
    async say(text: string): Promise<void> {
      const r = await fetch(`${url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'message', from: { id: 'user' }, text }),
      })
      expect(r.status).toBe(200)
    },
    /** Everything the conversation holds so far (the bot's, the agents' and the user's activities), oldest first. */
    async activities(): Promise<{ type: string; text?: string; from: { role?: string }; suggestedActions?: { actions: { title: string }[] } }[]> {
      const r = await fetch(`${url}/v3/directline/conversations/${conversationId}/activities?watermark=0`, { headers: auth })
      return ((await r.json()) as { activities: [] }).activities
    },
  }
}

/**
 * Five conversations as people type them: resolved at step 2 (confirmed, then rated 5 when the bot asks), handed off
 * from step 1 (claimed by Alice, who writes twice, closed as resolved, then rated 4), silent at step 1 (abandoned once
 * an hour old), out of scope, and clarified ("Did you mean …?", never answered). With the events two hours old the
 * report reads 5 conversations: 1 solved (confirmed), 1 handed off, 1 abandoned, 2 other.
 */
export async function playScriptedConversations(url: string): Promise<void> {
  // Resolved at step 2: clearing the SSL state (a sub-procedure of step 2) fixed it, and the user says so.
  const resolved = await websiteUser(url)
  for (const text of ['my cac says 403', 'yes', 'chrome', 'it works now', '5']) await resolved.say(text)
  // Handed off from step 1, claimed by an agent, who writes to the user twice (the first is the first reply), closed.
  const handedOff = await websiteUser(url)
  for (const text of ['my cac says 403', 'talk to a person']) await handedOff.say(text)
  const alice = await signIn(url, ALICE)
  const { cases } = (await alice.call('GET', '/queue')).body as { cases: { id: string }[] }
  expect(cases).toHaveLength(1)
  expect((await alice.call('POST', `/cases/${cases[0]!.id}/claim`, {})).status).toBe(200)
  for (const text of ['Hi, Alice here. Let me look at your account.', 'Try logging in again now.']) {
    expect((await alice.call('POST', `/cases/${cases[0]!.id}/messages`, { text })).status).toBe(200)
  }
  expect((await alice.call('POST', `/cases/${cases[0]!.id}/close`, { reason: 'resolved' })).status).toBe(200)
  await handedOff.say('4')
  // Abandoned at step 1: the question is never answered.
  const abandoned = await websiteUser(url)
  await abandoned.say('my cac says 403')
  // Out of scope, and nothing more.
  const outOfScope = await websiteUser(url)
  await outOfScope.say('can you help me renew my passport')
  // Two close procedures: the bot asks which, and hears nothing more.
  const clarified = await websiteUser(url)
  await clarified.say('EDIPI mismatch when logging in with CAC')
}

/**
 * Moves every analytics event and transcript message of the data directory `ms` into the past, as if that much time
 * had gone by since the conversations (the transcripts keep ISO times, in their column and in each activity).
 */
export function ageConversations(dataDir: string, ms: number): void {
  const db = sqliteFile(dataDir)
  const earlier = (iso: string) => new Date(Date.parse(iso) - ms).toISOString()
  try {
    db.prepare('UPDATE analytics_events SET at = at - ?').run(ms)
    const update = db.prepare<[string, string, number]>('UPDATE transcripts SET at = ?, activity = ? WHERE id = ?')
    for (const row of db.prepare('SELECT id, at, activity FROM transcripts').all() as { id: number; at: string; activity: string }[]) {
      const activity = JSON.parse(row.activity) as { timestamp?: string }
      if (activity.timestamp) activity.timestamp = earlier(activity.timestamp)
      update.run(earlier(row.at), JSON.stringify(activity), row.id)
    }
  } finally {
    db.close()
  }
}
