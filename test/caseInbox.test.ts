import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'
import { AGENT_ACCOUNTS, ALICE, BOB, signIn } from './helpers/agents.js'

// The agent console as a help-desk inbox (issue 13) over HTTP: left messages answered, the whole life cycle, notes,
// and every case findable. Each new endpoint: a session, JSON only on POST, a 4xx with a reason on bad input.

const data = tempDataDir()
let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { AGENT_ACCOUNTS, HANDOFF_WAIT_SECONDS: '60' })
})
afterAll(async () => {
  await running?.stop()
  data.remove()
})

interface Activity {
  type: string
  text?: string
  from: { role?: string }
}

/** A website user: a Direct Line conversation driven over HTTP. */
async function websiteUser() {
  const { conversationId, token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
  let watermark = 0
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const newActivities = async (): Promise<Activity[]> => {
    const body = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: auth }).then((r) => r.json())
    watermark = Number(body.watermark)
    return body.activities
  }
  return {
    conversationId,
    newActivities,
    async say(text: string): Promise<string[]> {
      const r = await fetch(`${running.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', text }) })
      expect(r.status).toBe(200)
      return (await newActivities()).filter((a) => a.from.role === 'bot' && a.type === 'message').map((a) => a.text ?? '')
    },
  }
}

type Agent = Awaited<ReturnType<typeof signIn>>
const caseOfConversation = async (conversationId: string) => (await running.helpDesk.stores.cases.search({ limit: 100 })).find((c) => c.conversationId === conversationId)!

/** A user who waited in vain and left a message, giving `contact`. */
async function leftMessage(question: string, contact: string, message: string) {
  const user = await websiteUser()
  await user.say(question)
  await running.helpDesk.handoffQueue.expireOverdue(Date.now() + 61_000)
  await user.newActivities()
  await user.say(contact)
  await user.say(message)
  return { user, handoffCase: await caseOfConversation(user.conversationId) }
}

describe('a left message answered in the console', () => {
  it('delivers the answer to the user\'s chat, records it and who sent it, and keeps the case in the Messages view until closed', async () => {
    const alice = await signIn(running.url, ALICE)
    const { user, handoffCase } = await leftMessage('get me a person', "I'll check back here", 'My new CAC shows no certificates on the login page')
    expect(handoffCase.status).toBe('message-left')

    const claim = await alice.call('POST', `/cases/${handoffCase.id}/claim`, {})
    expect(claim).toMatchObject({ status: 409, body: { error: expect.stringMatching(/^The user left a message and is not waiting in the chat: answer it below\./) } })
    const answered = await alice.call('POST', `/cases/${handoffCase.id}/answer`, { text: 'Please register your certificates again, then sign in.' })

    expect(answered).toMatchObject({
      status: 200,
      body: { case: { status: 'answered', statusLabel: 'Message answered', agentName: 'Alice Smith' }, delivered: true, delivery: "Delivered to the user's chat on the help page: they see it when they come back to the page." },
    })
    expect((await user.newActivities()).map((a) => a.text)).toEqual([`Alice Smith (help desk): About your message (request ${handoffCase.id}): Please register your certificates again, then sign in.`])
    expect((await alice.call('GET', '/messages')).body.cases.map((c: { id: string }) => c.id)).toContain(handoffCase.id)
    const opened = (await alice.call('GET', `/cases/${handoffCase.id}`)).body
    expect(opened.history.map((h: { text: string }) => h.text)).toEqual([
      'Opened: waiting for an agent.',
      'Nobody claimed it in time: the user was asked to leave a message.',
      'The user will check back in the chat for an answer.',
      'The user left a message.',
      `Alice Smith answered: "Please register your certificates again, then sign in." Delivered to the user's chat on the help page: they see it when they come back to the page.`,
    ])
    expect(await user.say('thanks, that worked')).not.toEqual([]) // the bot has the conversation again

    expect((await alice.call('POST', `/cases/${handoffCase.id}/close`, { reason: 'resolved' })).status).toBe(200)
    expect(await user.newActivities()).toEqual([]) // closing a message already answered tells the user nothing
    expect((await alice.call('GET', '/messages')).body.cases.map((c: { id: string }) => c.id)).not.toContain(handoffCase.id)
  })

  it('records an answer it could not deliver, with how else to reach the user', async () => {
    const alice = await signIn(running.url, ALICE)
    const { user, handoffCase } = await leftMessage('human please', 'jo.smith@example.mil', 'Please e-mail me about my revoked certificates')
    // The website conversation began two days ago: past DIRECTLINE_TOKEN_MAX_AGE (a day) the page can no longer resume it.
    const file = sqliteFile(data.dir)
    file.prepare('UPDATE dl_conversations SET created_at = ? WHERE id = ?').run(new Date(Date.now() - 2 * 86_400_000).toISOString(), user.conversationId)
    file.close()

    const answered = await alice.call('POST', `/cases/${handoffCase.id}/answer`, { text: 'Your certificates need a new CAC.' })

    expect(answered.body).toMatchObject({ delivered: false, delivery: "Not delivered: the user's chat has ended. Reach them yourself: E-mail: jo.smith@example.mil." })
    const opened = (await alice.call('GET', `/cases/${handoffCase.id}`)).body
    expect(opened.history.at(-1).text).toBe('Alice Smith answered: "Your certificates need a new CAC." Not delivered: the user\'s chat has ended. Reach them yourself: E-mail: jo.smith@example.mil.')
    expect(opened.case.contact).toBe('E-mail: jo.smith@example.mil')
    expect(await user.newActivities()).toEqual([]) // nothing was added to a chat nobody can open
  })

  it('refuses an answer where there is no message, and bad answers, each with a reason', async () => {
    const alice = await signIn(running.url, ALICE)
    const user = await websiteUser()
    await user.say('talk to a human')
    const waiting = await caseOfConversation(user.conversationId)

    expect(await alice.call('POST', `/cases/${waiting.id}/answer`, { text: 'hi' })).toMatchObject({
      status: 409,
      body: { error: 'There is no message left on this case to answer: the user is in the chat or still in the queue. Claim the case to write to them.' },
    })
    expect(await alice.call('POST', `/cases/${waiting.id}/answer`, { text: '  ' })).toMatchObject({ status: 400, body: { error: 'Write the answer first.' } })
    expect(await alice.call('POST', `/cases/${waiting.id}/answer`, { text: 'x'.repeat(4001) })).toMatchObject({ status: 400, body: { error: 'An answer is text of at most 4000 characters.' } })
    expect(await alice.call('POST', `/cases/${waiting.id}/answer`, ['hi'])).toMatchObject({ status: 400, body: { error: 'Send the answer as {"text": "..."}.' } })
    expect(await alice.call('POST', '/cases/HD-00000000/answer', { text: 'hi' })).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^There is no such case/) } })
    expect((await alice.call('POST', '/cases/not-a-case/answer', { text: 'hi' })).status).toBe(404)
  })
})

describe('the case life cycle', () => {
  it('closes a case after "Send back to the bot" without telling the user, and says in words what cannot be done', async () => {
    const alice = await signIn(running.url, ALICE)
    const bob = await signIn(running.url, BOB)
    const user = await websiteUser()
    await user.say('I need a real person')
    const handoffCase = await caseOfConversation(user.conversationId)
    await alice.call('POST', `/cases/${handoffCase.id}/claim`, {})
    await alice.call('POST', `/cases/${handoffCase.id}/return`, {})
    await user.newActivities()

    expect(await bob.call('POST', `/cases/${handoffCase.id}/claim`, {})).toMatchObject({
      status: 409,
      body: { error: 'This case was sent back to the bot. There is no live chat to join; if the user asks for a person again, a new case appears in the queue.' },
    })
    const closed = await alice.call('POST', `/cases/${handoffCase.id}/close`, { reason: 'resolved' })

    expect(closed).toMatchObject({ status: 200, body: { case: { status: 'closed', statusLabel: 'Closed' } } })
    expect(await user.newActivities()).toEqual([]) // the user is with the bot: no "the help desk has closed this chat"
    expect((await alice.call('POST', `/cases/${handoffCase.id}/close`, { reason: 'resolved' })).status).toBe(200) // closing twice is harmless
    const history = (await alice.call('GET', `/cases/${handoffCase.id}`)).body.history.map((h: { text: string }) => h.text)
    expect(history).toEqual(['Opened: waiting for an agent.', 'Claimed by Alice Smith.', 'Sent back to the bot by Alice Smith.', 'Closed by Alice Smith: resolved by the agent.'])
    expect(JSON.stringify(closed.body)).not.toMatch(/case-ended|not-allowed/)
  })
})

describe('private notes', () => {
  it('are shown to agents in the case history, never to the user nor in the transcript or its export, with secrets removed', async () => {
    const alice = await signIn(running.url, ALICE)
    const bob = await signIn(running.url, BOB)
    const user = await websiteUser()
    await user.say('connect me to an agent')
    const handoffCase = await caseOfConversation(user.conversationId)
    await alice.call('POST', `/cases/${handoffCase.id}/claim`, {})
    await user.newActivities()

    const note = await alice.call('POST', `/cases/${handoffCase.id}/notes`, { text: 'Sounds like a DEERS problem; user said pin 77553311 once' })

    expect(note).toMatchObject({ status: 201, body: { note: { kind: 'note', agentName: 'Alice Smith', text: 'Private note by Alice Smith: Sounds like a DEERS problem; user said pin [redacted] once' } } })
    const seenByBob = (await bob.call('GET', `/cases/${handoffCase.id}`)).body
    expect(seenByBob.history.map((h: { text: string }) => h.text)).toContain('Private note by Alice Smith: Sounds like a DEERS problem; user said pin [redacted] once')
    expect(await user.newActivities()).toEqual([])
    expect(JSON.stringify(seenByBob.transcript)).not.toContain('DEERS')
    const exported = await alice.call('GET', `/cases/${handoffCase.id}/transcript`)
    expect(JSON.stringify(exported.body)).not.toContain('DEERS')
    expect(JSON.stringify(seenByBob)).not.toContain('77553311')
  })

  it('refuse empty, long and unknown-case notes with a reason', async () => {
    const alice = await signIn(running.url, ALICE)
    const user = await websiteUser()
    await user.say('person please')
    const { id } = await caseOfConversation(user.conversationId)

    expect(await alice.call('POST', `/cases/${id}/notes`, { text: '' })).toMatchObject({ status: 400, body: { error: 'Write the note first.' } })
    expect(await alice.call('POST', `/cases/${id}/notes`, { text: 'n'.repeat(2001) })).toMatchObject({ status: 400, body: { error: 'A note is text of at most 2000 characters.' } })
    expect(await alice.call('POST', `/cases/${id}/notes`, { note: 'x' })).toMatchObject({ status: 400, body: { error: 'Send the note as {"text": "..."}.' } })
    expect(await alice.call('POST', '/cases/HD-00000000/notes', { text: 'x' })).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^There is no such case/) } })
    const form = await fetch(`${running.url}/agent/api/cases/${id}/notes`, { method: 'POST', headers: { cookie: alice.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=x' })
    expect(form.status).toBe(415) // a cross-site form cannot post one
  })
})

describe('every case findable', () => {
  it('finds an ended case by its id, its error text, its problem\'s title, its agent, its status and its date', async () => {
    const alice = await signIn(running.url, ALICE)
    const user = await websiteUser()
    await user.say('I get 403 Access Forbidden when I log in to AKO')
    await user.say('talk to a person')
    const handoffCase = await caseOfConversation(user.conversationId)
    await alice.call('POST', `/cases/${handoffCase.id}/claim`, {})
    await alice.call('POST', `/cases/${handoffCase.id}/close`, { reason: 'resolved' })
    const found = async (query: string) => ((await alice.call('GET', `/cases?${query}`)).body.cases as { id: string }[]).map((c) => c.id)
    const day = new Date(handoffCase.createdAt)
    const start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())).toISOString()
    const end = new Date(Date.parse(start) + 86_400_000).toISOString()

    expect(await found(`q=${handoffCase.id}`)).toEqual([handoffCase.id])
    expect(await found(`q=${handoffCase.id.toLowerCase()}`)).toEqual([handoffCase.id])
    expect(await found('q=access%20forbidden')).toContain(handoffCase.id)
    expect(await found(`q=${encodeURIComponent('when logging in with your CAC')}&status=closed`)).toContain(handoffCase.id) // words of the problem's title
    expect(await found('agent=alice&status=closed')).toContain(handoffCase.id)
    expect(await found('agent=bob&status=closed')).not.toContain(handoffCase.id)
    expect(await found(`from=${start}&to=${end}&q=403`)).toContain(handoffCase.id)
    expect(await found(`to=${start}&q=403`)).not.toContain(handoffCase.id)
    const hit = (await alice.call('GET', `/cases?q=${handoffCase.id}`)).body
    expect(hit).toMatchObject({ more: false, cases: [{ id: handoffCase.id, status: 'closed', statusLabel: 'Closed', agentName: 'Alice Smith', errorMessages: expect.arrayContaining([expect.stringMatching(/403/)]) }] })
  })

  it('bounds what one search reads and says when there is more', async () => {
    const alice = await signIn(running.url, ALICE)
    const page = (await alice.call('GET', '/cases?limit=1')).body

    expect(page.cases).toHaveLength(1)
    expect(page.more).toBe(true)
  })

  it.each([
    ['limit=0', 'limit must be 1 to 100'],
    ['limit=1000', 'limit must be 1 to 100'],
    ['limit=ten', 'limit must be a number'],
    ['status=lost', 'status must be one of waiting, claimed, returned, closed, expired, message-left, answered, cancelled'],
    ['from=yesterday', 'from must be a time such as 2026-12-01T00:00:00Z'],
    ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'from must be before to'],
    ['agent=%3Cscript%3E', "agent must be an agent's username"],
    [`q=${'x'.repeat(201)}`, 'Search for at most 200 characters.'],
    ['sort=id', 'unknown parameter sort: search with q, status, agent, from, to and limit'],
  ])('refuses the search %s with the reason', async (query, reason) => {
    const alice = await signIn(running.url, ALICE)

    expect(await alice.call('GET', `/cases?${query}`)).toMatchObject({ status: 400, body: { error: reason } })
  })
})

describe('the inbox endpoints need a session', () => {
  it.each([
    ['GET', '/agent/api/messages'],
    ['GET', '/agent/api/cases?q=HD'],
    ['POST', '/agent/api/cases/HD-00000000/notes'],
    ['POST', '/agent/api/cases/HD-00000000/answer'],
  ])('%s %s answers 401', async (method, path) => {
    const response = await fetch(`${running.url}${path}`, { method, headers: { cookie: 'hd_agent=forged', 'content-type': 'application/json' }, body: method === 'POST' ? '{"text":"x"}' : undefined })

    expect(response.status).toBe(401)
  })
})
