import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'
import { AGENT_ACCOUNTS, ALICE, BOB, CAROL, signIn } from './helpers/agents.js'
import { websiteUser } from './helpers/analytics.js'

// Issue 13's desk tools over real HTTP on a real SQLite file: transfer, closing reasons, ratings, canned replies.
const data = tempDataDir()
let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { AGENT_ACCOUNTS, HANDOFF_WAIT_SECONDS: '60' })
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

type Agent = Awaited<ReturnType<typeof signIn>>
const botTexts = async (user: Awaited<ReturnType<typeof websiteUser>>) =>
  (await user.activities()).filter((a) => a.type === 'message' && a.from.role === 'bot').map((a) => a.text ?? '')

/** A website user handed to the queue, and the case's id. */
async function queuedUser(agent: Agent) {
  const user = await websiteUser(running.url)
  await user.say('my cac says 403')
  await user.say('talk to a person')
  const { cases } = (await agent.call('GET', '/queue')).body as { cases: { id: string; status: string }[] }
  const found = cases.find((c) => c.status === 'waiting')!
  return { user, id: found.id }
}

const events = async (kind: string) => (await running.helpDesk.stores.analytics.query(0, Date.now() + 1000)).filter((e) => e.kind === kind)

describe('transferring a case', () => {
  it('passes a claimed case to another signed-in agent, tells the user, keeps it in the transcript and alerts the consoles', async () => {
    const alice = await signIn(running.url, ALICE)
    const { user, id } = await queuedUser(alice)
    expect((await alice.call('POST', `/cases/${id}/claim`, {})).status).toBe(200)
    expect((await alice.call('GET', '/agents')).body.agents.map((a: { username: string }) => a.username)).not.toContain(ALICE.username)
    const bob = await signIn(running.url, BOB)
    expect((await alice.call('GET', '/agents')).body.agents).toContainEqual({ username: 'bob', name: 'Bob Jones' })
    const before = (await running.helpDesk.stores.consoleEvents.after(0)).at(-1)?.id ?? 0

    const moved = await alice.call('POST', `/cases/${id}/transfer`, { to: 'bob' })

    expect(moved).toMatchObject({ status: 200, body: { case: { id, status: 'claimed', agentId: 'bob', agentName: 'Bob Jones' } } })
    expect(await botTexts(user)).toContain('Alice Smith has passed your chat to Bob Jones from the help desk, who can see everything so far. Please keep this chat open.')
    const detail = await bob.call('GET', `/cases/${id}`)
    expect(JSON.stringify(detail.body.transcript)).toContain('Alice Smith has passed your chat to Bob Jones')
    await running.helpDesk.stores.activities.committed()
    await new Promise((resolve) => setTimeout(resolve, 50)) // console events are appended once the change is durable
    const changed = (await running.helpDesk.stores.consoleEvents.after(before)).filter((e) => e.event === 'changed').map((e) => JSON.parse(e.data))
    expect(changed).toContainEqual({ caseId: id, transfer: { from: 'alice', fromName: 'Alice Smith', to: 'bob' } })
    // Now Bob's: Alice can no longer write to the user, Bob can.
    expect((await alice.call('POST', `/cases/${id}/messages`, { text: 'still here' })).status).toBe(409)
    expect((await bob.call('POST', `/cases/${id}/messages`, { text: 'Hi, Bob here.' })).status).toBe(200)
  })

  it('passes a case back to the queue, where it waits its full time again', async () => {
    const alice = await signIn(running.url, ALICE)
    const { user, id } = await queuedUser(alice)
    await alice.call('POST', `/cases/${id}/claim`, {})
    // The case was opened an hour ago: the wait counts from when it went back to the queue, not from then.
    const db = sqliteFile(data.dir)
    db.prepare('UPDATE handoff_requests SET created_at = ? WHERE id = ?').run(new Date(Date.now() - 3600_000).toISOString(), id)
    db.close()

    const queued = await alice.call('POST', `/cases/${id}/transfer`, { to: null })

    expect(queued).toMatchObject({ status: 200, body: { case: { id, status: 'waiting' } } })
    expect(queued.body.case.agentId).toBeUndefined()
    expect((await botTexts(user)).at(-1)).toMatch(/^Alice Smith has passed your chat back to the help-desk queue/)
    expect(await running.helpDesk.handoffQueue.expireOverdue()).toBe(0)
    // Claimed again from the queue: the report still counts one claim for the case.
    const bob = await signIn(running.url, BOB)
    expect((await bob.call('POST', `/cases/${id}/claim`, {})).body.case).toMatchObject({ status: 'claimed', agentId: 'bob' })
    expect((await events('handoff.claimed')).filter((e) => e.conversationId === user.conversationId)).toHaveLength(1)
    await bob.call('POST', `/cases/${id}/transfer`, { to: null })
    expect(await running.helpDesk.handoffQueue.expireOverdue(Date.now() + 61_000)).toBe(1)
  })

  it('refuses bad transfers with the reason', async () => {
    const alice = await signIn(running.url, ALICE)
    const bob = await signIn(running.url, BOB)
    const { id } = await queuedUser(alice)

    expect(await alice.call('POST', `/cases/${id}/transfer`, { to: 'bob' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/Claim it first/) } })
    await alice.call('POST', `/cases/${id}/claim`, {})
    expect(await alice.call('POST', `/cases/${id}/transfer`, {})).toMatchObject({ status: 400, body: { error: expect.stringMatching(/to is the username/) } })
    expect(await alice.call('POST', `/cases/${id}/transfer`, { to: 5 })).toMatchObject({ status: 400 })
    expect(await alice.call('POST', `/cases/${id}/transfer`, { to: 'bob', note: 'x' })).toMatchObject({ status: 400, body: { error: 'unknown field note: send only "to"' } })
    expect(await alice.call('POST', `/cases/${id}/transfer`, { to: 'alice' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/already have this case/) } })
    expect(await alice.call('POST', `/cases/${id}/transfer`, { to: CAROL.username })).toMatchObject({
      status: 409,
      body: { error: 'Carol Diaz is not signed in now. Pick someone who is, or send the case back to the queue.' },
    })
    expect(await alice.call('POST', `/cases/${id}/transfer`, { to: 'mallory' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/^That agent is not signed in/) } })
    expect(await bob.call('POST', `/cases/${id}/transfer`, { to: null })).toMatchObject({ status: 409, body: { error: 'Alice Smith has this case, so only they can send it back or close it.' } })
    expect(await alice.call('POST', '/cases/HD-00000000/transfer', { to: 'bob' })).toMatchObject({ status: 404 })
    // CSRF: a cross-site form cannot send JSON, and nothing works without the session cookie.
    const form = await fetch(`${running.url}/agent/api/cases/${id}/transfer`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'to=bob' })
    expect(form.status).toBe(415)
    const anonymous = await fetch(`${running.url}/agent/api/cases/${id}/transfer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"to":"bob"}' })
    expect(anonymous.status).toBe(401)
    expect((await fetch(`${running.url}/agent/api/agents`)).status).toBe(401)
    expect((await alice.call('GET', `/cases/${id}`)).body.case).toMatchObject({ status: 'claimed', agentId: 'alice' }) // nothing moved
  })
})

describe('closing with a reason, and the rating after it', () => {
  it('stores the reason on the case and in the handoff.closed event, then asks the user to rate, and keeps the rating with the case', async () => {
    const alice = await signIn(running.url, ALICE)
    const { user, id } = await queuedUser(alice)
    await alice.call('POST', `/cases/${id}/claim`, {})

    expect((await alice.call('POST', `/cases/${id}/close`, { reason: 'referred-local-it' })).body.case).toMatchObject({ status: 'closed', closingReason: 'referred-local-it' })

    expect((await alice.call('GET', `/cases/${id}`)).body.case.closingReason).toBe('referred-local-it')
    const { conversationId } = user
    expect((await events('handoff.closed')).filter((e) => e.conversationId === conversationId).map((e) => e.data)).toEqual([{ reason: 'referred-local-it' }])
    const asked = (await user.activities()).at(-1)!
    expect(asked.text).toMatch(/how helpful was this chat/i)
    expect(asked.suggestedActions!.actions.map((a) => a.title)).toEqual(['1', '2', '3', '4', '5'])

    await user.say('4')
    await user.say('quick and kind, thanks Alice')

    expect((await botTexts(user)).slice(-3)).toEqual([
      'Thank you for rating this chat 4 out of 5.',
      expect.stringMatching(/add a comment/),
      expect.stringMatching(/passed your comment on/),
    ])
    expect((await alice.call('GET', `/cases/${id}/ratings`)).body).toEqual({ ratings: [{ score: 4, comment: 'quick and kind, thanks Alice', ratedAt: expect.any(String) }] })
    const rating = (await events('rating')).filter((e) => e.conversationId === conversationId)
    expect(rating.map((e) => e.data)).toEqual([{ score: 4, after: 'agent' }]) // never the comment
  })

  it('refuses a close without a known reason, and asks no rating of a user no agent talked to', async () => {
    const alice = await signIn(running.url, ALICE)
    const { user, id } = await queuedUser(alice)

    expect(await alice.call('POST', `/cases/${id}/close`, {})).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^Say why you are closing the case: reason is one of resolved, referred-id-card-office/) } })
    expect(await alice.call('POST', `/cases/${id}/close`, { reason: 'bored' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^Say why/) } })
    expect((await fetch(`${running.url}/agent/api/cases/${id}/close`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'text/plain' }, body: 'reason=other' })).status).toBe(415)
    expect((await fetch(`${running.url}/agent/api/cases/${id}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"other"}' })).status).toBe(401)
    expect((await alice.call('GET', `/cases/${id}`)).body.case.status).toBe('waiting')

    expect((await alice.call('POST', `/cases/${id}/close`, { reason: 'no-response' })).status).toBe(200)
    expect((await botTexts(user)).join('\n')).not.toMatch(/how helpful/i)
    expect(await alice.call('GET', '/cases/HD-00000000/ratings')).toMatchObject({ status: 404 })
    expect((await fetch(`${running.url}/agent/api/cases/${id}/ratings`)).status).toBe(401)
  })
})

describe('the rating after the bot solved it', () => {
  it('is stored with the conversation and the procedure; a rating ignored for a new problem is never stored', async () => {
    const rated = await websiteUser(running.url)
    for (const text of ['my cac says 403', 'yes', 'chrome', 'it works now', 'five']) await rated.say(text)
    const ignored = await websiteUser(running.url)
    for (const text of ['my cac says 403', 'yes', 'chrome', 'it works now', 'my certificates have been revoked', '5']) await ignored.say(text)

    expect(await running.helpDesk.stores.ratings.forConversation('webchat', rated.conversationId)).toEqual([
      expect.objectContaining({ after: 'bot', procedureId: 'access-forbidden-403', score: 5 }),
    ])
    const [unanswered] = await running.helpDesk.stores.ratings.forConversation('webchat', ignored.conversationId)
    expect(unanswered).toMatchObject({ after: 'bot' })
    expect(unanswered!.score).toBeUndefined()
    expect((await botTexts(ignored)).join('\n')).toMatch(/ID card office/)
    expect((await events('rating')).filter((e) => e.conversationId === rated.conversationId).map((e) => e.data)).toEqual([{ score: 5, after: 'bot' }])
  })
})

describe('canned replies', () => {
  it('are served to signed-in agents only', async () => {
    const alice = await signIn(running.url, ALICE)
    const { status, body } = await alice.call('GET', '/canned-replies')

    expect(status).toBe(200)
    expect(body.replies).toContainEqual(expect.objectContaining({ id: 'pin-locked-id-card-office', title: expect.any(String), text: expect.stringMatching(/ID Card office/) }))
    expect((await fetch(`${running.url}/agent/api/canned-replies`)).status).toBe(401)
  })
})
