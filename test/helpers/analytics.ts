import { expect } from 'vitest'
import { ALICE, signIn } from './agents.js'

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
 * Four conversations as people type them: resolved at step 2 (confirmed), handed off from step 1 (claimed and closed
 * by Alice), silent at step 1 (abandoned once an hour old), out of scope. With the events two hours old the report
 * reads 4 conversations: 1 solved (confirmed), 1 handed off, 1 abandoned, 1 other.
 */
export async function playScriptedConversations(url: string): Promise<void> {
  // Resolved at step 2: clearing the SSL state (a sub-procedure of step 2) fixed it, and the user says so.
  const resolved = await websiteUser(url)
  for (const text of ['my cac says 403', 'yes', 'chrome', 'it works now']) await resolved.say(text)
  // Handed off from step 1, claimed by an agent, closed.
  const handedOff = await websiteUser(url)
  for (const text of ['my cac says 403', 'talk to a person']) await handedOff.say(text)
  const alice = await signIn(url, ALICE)
  const { cases } = (await alice.call('GET', '/queue')).body as { cases: { id: string }[] }
  expect(cases).toHaveLength(1)
  expect((await alice.call('POST', `/cases/${cases[0]!.id}/claim`, {})).status).toBe(200)
  expect((await alice.call('POST', `/cases/${cases[0]!.id}/close`, { reason: 'resolved' })).status).toBe(200)
  // Abandoned at step 1: the question is never answered.
  const abandoned = await websiteUser(url)
  await abandoned.say('my cac says 403')
  // Out of scope, and nothing more.
  const outOfScope = await websiteUser(url)
  await outOfScope.say('can you help me renew my passport')
}
