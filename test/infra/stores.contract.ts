import { afterAll, describe, expect, it } from 'vitest'
import type { HandoffPacket } from '../../src/core/handoff.js'
import type { Stores } from '../../src/core/ports.js'

export interface ContractOptions {
  /** Opens the stores of one instance; called again, another instance on the same data. */
  open: () => Promise<Stores>
  /** Whether two opened instances share the data (PostgreSQL + Redis), so the cross-instance cases apply. */
  instances: boolean
  /** Whether rate limits count across instances (with Redis); else each instance counts its own. */
  globalLimits?: boolean
}

let unique = 0
/** An id no other case of this run uses (the data is shared by the whole file). */
const fresh = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${unique++}`

const packet = (conversationId: string): HandoffPacket => ({
  conversationId,
  channelId: 'webchat',
  errorMessages: [],
  trail: [],
  summary: 'Reason: asked-for-human.',
  reason: 'asked-for-human',
  requestedAt: new Date().toISOString(),
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One suite, every engine: what the bot may rely on from storage (src/core/ports.ts). */
export function storesContract(name: string, { open, instances, globalLimits = false }: ContractOptions): void {
  const opened: Stores[] = []
  const stores = async () => {
    const s = await open()
    opened.push(s)
    return s
  }
  let first: Promise<Stores> | undefined
  const one = () => (first ??= stores())
  afterAll(async () => {
    for (const s of opened) await s.close()
  })

  describe(`${name}: conversation state`, () => {
    it('saves with a version check: a stale save is refused, "*" is not checked', async () => {
      const { state } = await one()
      const key = fresh('state')

      expect(await state.load(key)).toBeUndefined()
      expect(await state.save(key, '{"step":1}', 0)).toBe(1)
      expect(await state.save(key, '{"step":2}', 1)).toBe(2)
      await expect(state.save(key, '{"step":3}', 1)).rejects.toMatchObject({ code: 'HD_STATE_CONFLICT' })
      await expect(state.save(key, '{"new":true}', 0)).rejects.toMatchObject({ code: 'HD_STATE_CONFLICT' })
      expect(await state.load(key)).toEqual({ json: '{"step":2}', version: 2 })
      expect(await state.save(key, '{"step":9}', '*')).toBe(3)
      await state.delete(key)
      expect(await state.load(key)).toBeUndefined()
    })

    it('lets exactly one of two saves from the same version win', async () => {
      const { state } = await one()
      const key = fresh('race')
      await state.save(key, '{}', 0)

      const results = await Promise.allSettled([state.save(key, '{"by":"a"}', 1), state.save(key, '{"by":"b"}', 1)])

      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
      expect((await state.load(key))?.version).toBe(2)
    })
  })

  describe(`${name}: Direct Line activity log`, () => {
    it('gives increasing watermarks and replays exactly what follows one', async () => {
      const { activities } = await one()
      const conversationId = fresh('dl')
      await activities.createConversation(conversationId, 'user-1')

      const first = await activities.append(conversationId, [{ type: 'message', text: 'one' }, { type: 'message', text: 'two' }])
      const [third] = await activities.append(conversationId, [{ type: 'message', text: 'three', channelData: { clientActivityID: 'c-3' } }])
      await activities.committed()

      expect(await activities.conversation(conversationId)).toEqual({ id: conversationId, userId: 'user-1', createdAt: expect.any(String) })
      expect(Math.abs(Date.parse((await activities.conversation(conversationId))!.createdAt!) - Date.now())).toBeLessThan(60_000)
      expect([...first, third!].map((a) => a.watermark)).toEqual([1, 2, 3])
      expect(third!.id).toBe(`${conversationId}|0000003`)
      expect(JSON.parse(third!.json)).toMatchObject({ text: 'three', id: third!.id })
      const replay = await activities.after(conversationId, 1)
      expect(replay.activities.map((a) => a.text)).toEqual(['two', 'three'])
      expect(replay.watermark).toBe(3)
      expect(await activities.after(conversationId, 3)).toEqual({ activities: [], watermark: 3 })
      expect(await activities.lastWatermark(conversationId)).toBe(3)
      expect(await activities.findByClientId(conversationId, 'c-3')).toBe(third!.id)
      expect(await activities.findByClientId(conversationId, 'c-4')).toBeUndefined()
      expect(await activities.conversation(fresh('none'))).toBeUndefined()
    })

    it('numbers concurrent appends without a gap or a repeat', async () => {
      const { activities } = await one()
      const conversationId = fresh('dl')
      await activities.createConversation(conversationId, 'u')

      const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => activities.append(conversationId, [{ type: 'message', text: `m${i}` }])))
      await activities.committed()

      expect(appended.flat().map((a) => a.watermark).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect((await activities.after(conversationId, 0)).activities).toHaveLength(20)
    })
  })

  describe(`${name}: transcripts`, () => {
    it('keeps each conversation in order, pages through it and deletes it', async () => {
      const { transcripts, activities } = await one()
      const conversationId = fresh('tr')
      for (const text of ['a', 'b', 'c']) {
        await transcripts.log({ channelId: 'test', conversationId, at: new Date().toISOString(), activity: { type: 'message', text } })
      }
      await activities.committed() // an engine that batches writes has written them now

      const firstPage = await transcripts.page('test', conversationId, 0, 2)
      const secondPage = await transcripts.page('test', conversationId, firstPage.cursor, 2)
      expect(firstPage.activities.map((a) => a.text)).toEqual(['a', 'b'])
      expect(secondPage.activities.map((a) => a.text)).toEqual(['c'])
      expect((await transcripts.conversations('test')).map((c) => c.conversationId)).toContain(conversationId)
      expect((await transcripts.recent(5))[0]).toMatchObject({ channelId: 'test', conversationId, activities: 3 })

      await transcripts.delete('test', conversationId)
      expect((await transcripts.page('test', conversationId, 0, 10)).activities).toEqual([])
    })
  })

  describe(`${name}: handoff cases`, () => {
    it('opens one case per conversation and moves it under the rules', async () => {
      const { cases } = await one()
      const conversationId = fresh('hd')

      const opened = await cases.create(packet(conversationId), { conversation: { id: conversationId } }, 'waiting')
      const again = await cases.create(packet(conversationId), {}, 'waiting')
      expect(again.id).toBe(opened.id)
      expect(opened).toMatchObject({ status: 'waiting', conversationId, reference: { conversation: { id: conversationId } } })
      expect((await cases.openFor('webchat', conversationId))?.id).toBe(opened.id)
      expect((await cases.list(['waiting'])).map((c) => c.id)).toContain(opened.id)

      await cases.setAgentsThread(opened.id, `thread-${conversationId}`)
      expect((await cases.byAgentsThread(`thread-${conversationId}`))?.id).toBe(opened.id)
      await cases.setAgentName('teams:x', 'Xavier')
      expect(await cases.agentName('teams:x')).toBe('Xavier')

      const expired = await cases.apply(opened.id, { type: 'expire' })
      expect(expired).toMatchObject({ ok: true, changed: true, case: { status: 'expired' } })
      const left = await cases.apply(opened.id, { type: 'leave-message' }, { leftMessage: 'call me' })
      expect(left.case).toMatchObject({ status: 'message-left', leftMessage: 'call me' })
      expect(await cases.openFor('webchat', conversationId)).toBeUndefined()
      expect(await cases.apply('HD-00000000', { type: 'cancel' })).toMatchObject({ ok: false })
    })

    it('keeps every case\'s history (opened, each status change with its agent, notes) and extensible details', async () => {
      const { cases } = await one()
      const conversationId = fresh('history')
      const opened = await cases.create(packet(conversationId), {}, 'waiting')
      expect(opened.details).toEqual({})

      await cases.apply(opened.id, { type: 'claim', agentId: 'alice' })
      await cases.apply(opened.id, { type: 'claim', agentId: 'alice' }) // no change: no history line
      const returned = await cases.apply(opened.id, { type: 'return', agentId: 'alice' })
      const note = await cases.addEvent(opened.id, { kind: 'note', agentId: 'bob', data: { text: 'called the user' } })
      const closed = await cases.apply(opened.id, { type: 'close', agentId: 'alice' })
      const withDetails = await cases.setDetails(opened.id, { contact: { kind: 'email', value: 'a@b.mil' }, draft: 'kept', rating: 5 })
      const trimmed = await cases.setDetails(opened.id, { draft: undefined })

      expect(returned).toMatchObject({ ok: true, changed: true, previous: 'claimed', case: { status: 'returned' } })
      expect(closed).toMatchObject({ ok: true, changed: true, previous: 'returned', case: { status: 'closed', agentId: 'alice' } })
      expect(note).toMatchObject({ caseId: opened.id, kind: 'note', agentId: 'bob', data: { text: 'called the user' }, id: expect.any(Number) })
      expect(withDetails?.details).toEqual({ contact: { kind: 'email', value: 'a@b.mil' }, draft: 'kept', rating: 5 })
      expect(trimmed?.details).toEqual({ contact: { kind: 'email', value: 'a@b.mil' }, rating: 5 })
      expect(await cases.setDetails('HD-00000000', { draft: 'x' })).toBeUndefined()
      const history = await cases.events(opened.id)
      expect(history.map((e) => [e.kind, e.agentId, e.data])).toEqual([
        ['opened', undefined, { status: 'waiting', reason: 'asked-for-human' }],
        ['status', 'alice', { from: 'waiting', to: 'claimed', action: 'claim' }],
        ['status', 'alice', { from: 'claimed', to: 'returned', action: 'return' }],
        ['note', 'bob', { text: 'called the user' }],
        ['status', 'alice', { from: 'returned', to: 'closed', action: 'close' }],
      ])
      expect(history.every((e) => e.caseId === opened.id && !Number.isNaN(Date.parse(e.at)))).toBe(true)
      expect(await cases.events(opened.id, 2)).toHaveLength(2)
    })

    it('finds cases by id, words, problem, status, agent and time, newest first, taking LIKE characters literally', async () => {
      const { cases } = await one()
      const tag = fresh('find').toLowerCase()
      const base = Date.UTC(2003, 0, 1) + unique * 3_600_000 // an hour of its own, far back
      const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString()
      const make = async (minutes: number, extra: Partial<HandoffPacket>) =>
        cases.create({ ...packet(fresh('find')), question: `${tag} question`, requestedAt: at(minutes), ...extra }, {}, 'waiting')
      const old = await make(0, { intentId: 'access-forbidden-403', errorMessages: ['403 - Access Forbidden'] })
      const mid = await make(10, { errorMessages: [`100%_${tag} error`] })
      const recent = await make(20, { intentId: 'edipi-mismatch' })
      await cases.apply(mid.id, { type: 'claim', agentId: 'alice' })
      await cases.apply(mid.id, { type: 'close', agentId: 'alice' })
      const left = await cases.apply(recent.id, { type: 'expire' })
      await cases.apply(recent.id, { type: 'leave-message' }, { leftMessage: `left ${tag} words` })
      await cases.setDetails(recent.id, { contact: { kind: 'phone', value: '555 123 4567' } })
      const ids = async (query: Omit<Parameters<typeof cases.search>[0], 'limit'>, limit = 10) => (await cases.search({ ...query, limit })).map((c) => c.id)

      expect(left.ok).toBe(true)
      expect(await ids({ text: tag })).toEqual([recent.id, mid.id, old.id])
      expect(await ids({ text: tag }, 2)).toEqual([recent.id, mid.id])
      expect(await ids({ text: old.id.toLowerCase() })).toEqual([old.id])
      expect(await ids({ text: '403 - access FORBIDDEN', from: at(0), to: at(30) })).toEqual([old.id])
      expect(await ids({ text: `100%_${tag}` })).toEqual([mid.id])
      expect(await ids({ text: `100__${tag}` })).toEqual([]) // _ is not a wildcard
      expect(await ids({ text: `100%%${tag}` })).toEqual([]) // nor is %
      expect(await ids({ text: `left ${tag} words` })).toEqual([recent.id])
      expect(await ids({ text: '555 123 4567', from: at(0), to: at(30) })).toEqual([recent.id])
      expect(await ids({ text: 'no such words at all', intentIds: ['edipi-mismatch'], from: at(0), to: at(30) })).toEqual([recent.id])
      expect(await ids({ text: tag, status: 'closed' })).toEqual([mid.id])
      expect(await ids({ text: tag, agentId: 'alice' })).toEqual([mid.id])
      expect(await ids({ from: at(5), to: at(15) })).toEqual([mid.id])
      expect(await ids({ text: tag, from: at(10) })).toEqual([recent.id, mid.id])
    })

    it('lets exactly one of two agents claiming one case win', async () => {
      const [a, b] = instances ? [await one(), await stores()] : [await one(), await one()]
      const { id } = await a.cases.create(packet(fresh('hd')), {}, 'waiting')

      const results = await Promise.all([a.cases.apply(id, { type: 'claim', agentId: 'alice' }), b.cases.apply(id, { type: 'claim', agentId: 'bob' })])

      expect(results.filter((r) => r.ok)).toHaveLength(1)
      expect(results.filter((r) => !r.ok)).toMatchObject([{ ok: false, reason: 'claimed-by-another-agent' }])
      expect((await a.cases.get(id))?.agentId).toBe(results[0]!.ok ? 'alice' : 'bob')
    })
  })

  describe(`${name}: transfers, closing reasons and ratings`, () => {
    it('passes a claimed case to another agent or back to the queue, and keeps why it was closed', async () => {
      const { cases } = await one()
      const { id } = await cases.create(packet(fresh('hd')), {}, 'waiting')
      await cases.apply(id, { type: 'claim', agentId: 'alice' })

      expect(await cases.apply(id, { type: 'transfer', agentId: 'alice', to: 'bob' })).toMatchObject({ ok: true, changed: true, case: { status: 'claimed', agentId: 'bob' } })
      expect(await cases.apply(id, { type: 'transfer', agentId: 'alice' })).toMatchObject({ ok: false, reason: 'not-your-case' })
      const queued = await cases.apply(id, { type: 'transfer', agentId: 'bob' })
      expect(queued.case).toMatchObject({ status: 'waiting' })
      expect(queued.case?.agentId).toBeUndefined()
      await cases.apply(id, { type: 'claim', agentId: 'carol' })
      const closed = await cases.apply(id, { type: 'close', agentId: 'carol', reason: 'referred-id-card-office' })

      expect(closed.case).toMatchObject({ status: 'closed', agentId: 'carol', closingReason: 'referred-id-card-office' })
      expect((await cases.get(id))?.closingReason).toBe('referred-id-card-office')
    })

    it('lists the agents signed in now, each once', async () => {
      const { sessions } = await one()
      const now = Date.now()
      const who = fresh('agent')
      await sessions.create(fresh('s'), who, now + 60_000)
      await sessions.create(fresh('s'), who, now + 90_000)
      const gone = fresh('agent')
      await sessions.create(fresh('s'), gone, now + 1_000)

      const signedIn = await sessions.signedIn(now + 30_000)
      expect(signedIn.filter((u) => u === who)).toEqual([who])
      expect(signedIn).not.toContain(gone)
    })

    it('keeps a rating request until it is answered once, with its comment, by case and by conversation', async () => {
      const { ratings } = await one()
      const conversationId = fresh('rating')
      const caseId = fresh('HD')
      const askedAt = new Date(Date.now() - 1000).toISOString()
      await ratings.ask({ id: fresh('r'), channelId: 'webchat', conversationId, after: 'bot', procedureId: 'clear-cache', askedAt: new Date(Date.now() - 60_000).toISOString() })
      const request = { id: fresh('r'), channelId: 'webchat', conversationId, after: 'agent' as const, caseId, askedAt }
      await ratings.ask(request)

      expect(await ratings.pending('webchat', conversationId, askedAt)).toEqual(request)
      expect(await ratings.pending('webchat', conversationId, new Date().toISOString())).toBeUndefined() // asked before the user last wrote
      expect(await ratings.forCase(caseId)).toEqual([]) // not answered yet
      expect(await ratings.rate(request.id, 4, askedAt)).toBe(true)
      expect(await ratings.rate(request.id, 1, askedAt)).toBe(false)
      expect(await ratings.comment(request.id, 'quick and kind')).toBe(true)
      expect(await ratings.comment(request.id, 'again')).toBe(false)
      expect(await ratings.rate(fresh('unknown'), 3, askedAt)).toBe(false)

      expect(await ratings.pending('webchat', conversationId, askedAt)).toBeUndefined()
      expect(await ratings.forCase(caseId)).toEqual([{ ...request, score: 4, comment: 'quick and kind', ratedAt: askedAt }])
      expect((await ratings.forConversation('webchat', conversationId)).map((r) => [r.after, r.score, r.procedureId])).toEqual([
        ['bot', undefined, 'clear-cache'],
        ['agent', 4, undefined],
      ])
      // Retention: the request asked a minute ago goes, the one asked a second ago stays.
      expect(await ratings.deleteBefore(Date.now() - 30_000)).toBeGreaterThanOrEqual(1)
      expect((await ratings.forConversation('webchat', conversationId)).map((r) => r.id)).toEqual([request.id])
    })
  })

  describe(`${name}: agent sessions and settings`, () => {
    it('finds a session until it expires, and forgets it on sign-out', async () => {
      const { sessions } = await one()
      const id = fresh('session')
      await sessions.create(id, 'alice', Date.now() + 60_000)

      expect(await sessions.find(id)).toMatchObject({ username: 'alice' })
      expect(await sessions.find(id, Date.now() + 120_000)).toBeUndefined()
      await sessions.delete(id)
      expect(await sessions.find(id)).toBeUndefined()
    })

    it('creates a setting once, whoever asks first', async () => {
      const { settings } = await one()
      const key = fresh('setting')

      const values = await Promise.all(['a', 'b', 'c'].map((v) => settings.getOrCreate(key, () => v)))

      expect(new Set(values).size).toBe(1)
      expect(await settings.getOrCreate(key, () => 'later')).toBe(values[0])
    })
  })

  describe(`${name}: event bus and conversation lock`, () => {
    it('delivers a published message to every subscriber of its topic until it unsubscribes', async () => {
      const [a, b] = instances ? [await one(), await stores()] : [await one(), await one()]
      const topic = fresh('topic')
      const got: string[] = []
      const stopA = await a.bus.subscribe(topic, (m) => got.push(`a:${m}`))
      const stopB = await b.bus.subscribe(topic, (m) => got.push(`b:${m}`))

      await a.bus.publish(topic, 'hello\nworld')
      await b.bus.publish(fresh('other'), 'not for us')
      await waitFor(() => got.length >= 2)
      await stopB()
      await b.bus.publish(topic, 'again')
      await waitFor(() => got.length >= 3)
      await stopA()

      expect(got.sort()).toEqual(['a:again', 'a:hello\nworld', 'b:hello\nworld'])
    })

    it('runs one turn at a time per conversation, on every instance, and others alongside', async () => {
      const [a, b] = instances ? [await one(), await stores()] : [await one(), await one()]
      const conversationId = fresh('lock')
      const events: string[] = []
      const turn = (who: string) => async () => {
        events.push(`${who} in`)
        await sleep(50)
        events.push(`${who} out`)
        return who
      }

      const results = await Promise.all([a.lock.withLock(conversationId, turn('first')), b.lock.withLock(conversationId, turn('second'))])
      const other = await Promise.race([a.lock.withLock(fresh('lock'), async () => 'other'), sleep(1000).then(() => 'blocked')])

      expect(results).toEqual(['first', 'second'])
      expect(events.join(', ')).toMatch(/^(first in, first out, second in, second out|second in, second out, first in, first out)$/) // never inside together
      expect(other).toBe('other')
    })
  })

  describe(`${name}: console events and scheduled jobs`, () => {
    it('numbers console events so a console can resume after the last one it saw', async () => {
      const { consoleEvents } = await one()

      const first = await consoleEvents.append('changed', '{"caseId":"HD-1"}')
      const second = await consoleEvents.append('message', '{"caseId":"HD-1","activity":{}}')

      expect(second).toBeGreaterThan(first)
      expect(await consoleEvents.after(first)).toEqual([{ id: second, event: 'message', data: '{"caseId":"HD-1","activity":{}}' }])
    })

    it('gives a job to one instance at a time, and to another once its holder stops', async () => {
      const job = fresh('job')
      if (!instances) {
        expect(await (await one()).jobs.claim(job)).toBe(true)
        return
      }
      const holder = await stores()
      const other = await stores()

      expect(await holder.jobs.claim(job)).toBe(true)
      expect(await holder.jobs.claim(job)).toBe(true)
      expect(await other.jobs.claim(job)).toBe(false)
      await holder.close()
      expect(await other.jobs.claim(job)).toBe(true)
    })
  })

  describe(`${name}: analytics events and retention`, () => {
    it('keeps events of a turn with its writes and gives back a period, oldest first', async () => {
      const { analytics, lock } = await one()
      const conversationId = fresh('analytics')
      // A period of its own, far back, so other cases' events do not fall in it.
      const base = Date.UTC(2001, 0, 1) + unique * 60_000
      await lock.withLock(conversationId, async () => {
        void analytics.append({ at: base, channelId: 'webchat', conversationId, kind: 'conversation.started', data: {} })
        void analytics.append({ at: base + 1000, channelId: 'webchat', conversationId, kind: 'step.shown', data: { procedureId: 'p', stepId: 's1', step: 1 } })
      })
      await analytics.append({ at: base + 2000, channelId: 'webchat', conversationId, kind: 'handoff.claimed', data: { waitSeconds: 42 } })

      expect(await analytics.query(base, base + 2000)).toEqual([
        { at: base, channelId: 'webchat', conversationId, kind: 'conversation.started', data: {} },
        { at: base + 1000, channelId: 'webchat', conversationId, kind: 'step.shown', data: { procedureId: 'p', stepId: 's1', step: 1 } },
      ])
      expect((await analytics.query(base + 2000, base + 3000)).map((e) => e.data)).toEqual([{ waitSeconds: 42 }])
    })

    it('deletes events and transcripts from before the retention limit, and nothing newer', async () => {
      const { analytics, transcripts } = await one()
      const conversationId = fresh('retention')
      const old = Date.UTC(1999, 0, 1)
      const limit = Date.UTC(2000, 0, 1)
      await analytics.append({ at: old, channelId: 'test', conversationId, kind: 'conversation.started', data: {} })
      await analytics.append({ at: limit, channelId: 'test', conversationId, kind: 'conversation.started', data: {} })
      await transcripts.log({ channelId: 'test', conversationId, at: new Date(old).toISOString(), activity: { text: 'old' } })
      await transcripts.log({ channelId: 'test', conversationId, at: new Date(limit).toISOString(), activity: { text: 'kept' } })

      expect(await analytics.deleteBefore(limit)).toEqual({ events: 1, transcripts: 1 })
      expect((await analytics.query(old, limit + 1)).map((e) => e.at)).toEqual([limit])
      expect((await transcripts.page('test', conversationId, 0, 10)).activities).toEqual([{ text: 'kept' }])
    })

    it('deletes ended cases untouched past the limit, with their history, and never an open one', async () => {
      const { cases } = await one()
      const ended = await cases.create(packet(fresh('ended')), {}, 'waiting')
      const open = await cases.create(packet(fresh('open')), {}, 'waiting')
      await cases.apply(ended.id, { type: 'close', agentId: 'alice', reason: 'resolved' })
      await cases.addEvent(ended.id, { kind: 'note', agentId: 'alice', data: { text: 'a note' } })

      await cases.deleteEndedBefore(Date.now() - 60_000) // closed a minute ago: kept
      expect(await cases.get(ended.id)).toMatchObject({ status: 'closed' })
      expect(await cases.deleteEndedBefore(Date.now() + 60_000)).toBeGreaterThanOrEqual(1)
      expect(await cases.get(ended.id)).toBeUndefined()
      expect(await cases.events(ended.id)).toEqual([])
      expect(await cases.get(open.id)).toMatchObject({ status: 'waiting' })
    })

    it('deletes Direct Line conversations and state idle past the limit, with their activities, and keeps the active ones', async () => {
      const { activities, state } = await one()
      const conversationId = fresh('idle')
      const key = fresh('idle-state')
      await activities.createConversation(conversationId, 'user-idle')
      await activities.append(conversationId, [{ type: 'message', text: 'hello' }])
      await state.save(key, '{"step":1}', '*')
      await activities.committed()

      await activities.deleteIdleBefore(Date.now() - 60_000) // active a minute ago: kept
      await state.deleteIdleBefore(Date.now() - 60_000)
      expect(await activities.conversation(conversationId)).toMatchObject({ id: conversationId })
      expect((await activities.after(conversationId, 0)).activities).toHaveLength(1)
      expect(await state.load(key)).toMatchObject({ version: 1 })

      expect(await activities.deleteIdleBefore(Date.now() + 60_000)).toBeGreaterThanOrEqual(1) // idle by then: gone
      expect(await state.deleteIdleBefore(Date.now() + 60_000)).toBeGreaterThanOrEqual(1)
      expect(await activities.conversation(conversationId)).toBeUndefined()
      expect((await activities.after(conversationId, 0)).activities).toEqual([])
      expect(await state.load(key)).toBeUndefined()
    })
  })

  describe(`${name}: outage check, service notice and training suggestions`, () => {
    it('counts conversations per problem recognised in a period: each conversation once, out of scope not at all', async () => {
      const { analytics } = await one()
      const base = Date.UTC(2002, 0, 1) + unique * 60_000
      const [a, b, c] = [fresh('spike'), fresh('spike'), fresh('spike')]
      const recognised = (at: number, conversationId: string, intentId: string, outOfScope = false) =>
        analytics.append({ at, channelId: 'webchat', conversationId, kind: 'intent.recognised', data: { intentId, score: 0.9, clarified: false, outOfScope } })
      await recognised(base, a, 'access-forbidden-403')
      await recognised(base + 10, a, 'access-forbidden-403') // the same conversation again
      await recognised(base + 20, b, 'access-forbidden-403')
      await recognised(base + 30, b, 'page-cannot-be-displayed')
      await recognised(base + 40, c, 'none', true)
      await recognised(base + 1000, c, 'access-forbidden-403') // after the period

      expect(Object.fromEntries(await analytics.recognisedConversations(base, base + 1000))).toEqual({ 'access-forbidden-403': 2, 'page-cannot-be-displayed': 1 })
    })

    it('keeps one service notice for every instance until it expires or is cleared', async () => {
      const mine = await one()
      const other = instances ? await stores() : mine
      const now = Date.now()
      expect(await mine.notices.current(now)).toBeUndefined()

      await mine.notices.set({ text: 'Many users report 403 errors.', setBy: 'alice', setAt: now, expiresAt: now + 60_000 })
      await mine.notices.set({ text: 'Many users report "Page Cannot be Displayed".', setBy: 'bob', setAt: now, expiresAt: now + 900_000 })

      expect(await other.notices.current(now)).toEqual({ text: 'Many users report "Page Cannot be Displayed".', setBy: 'bob', setAt: now, expiresAt: now + 900_000 })
      expect(await other.notices.current(now + 900_000)).toBeUndefined() // expired by itself
      await other.notices.clear()
      expect(await mine.notices.current(now)).toBeUndefined()
    })

    it('keeps training suggestions until deleted, by id or by age', async () => {
      const { suggestions } = await one()
      const text = fresh('my reader blinks red')
      const old = await suggestions.add({ text: `${text} old`, intentId: 'none', source: 'out-of-scope', suggestedBy: 'carol', at: Date.UTC(1999, 0, 1) })
      const kept = await suggestions.add({ text, intentId: 'certificate-not-shown', source: 'clarified', suggestedBy: 'carol', at: Date.UTC(2020, 0, 1) })
      const mine = async () => (await suggestions.list()).filter((s) => s.text.startsWith(text))

      expect(kept).toEqual({ id: expect.any(Number), text, intentId: 'certificate-not-shown', source: 'clarified', suggestedBy: 'carol', at: Date.UTC(2020, 0, 1) })
      expect((await mine()).map((s) => s.id)).toEqual([old.id, kept.id])
      expect(await suggestions.deleteBefore(Date.UTC(2000, 0, 1))).toBeGreaterThanOrEqual(1)
      expect(await mine()).toEqual([kept])
      expect(await suggestions.delete(kept.id)).toBe(true)
      expect(await suggestions.delete(kept.id)).toBe(false)
      expect(await mine()).toEqual([])
    })
  })

  describe(`${name}: rate limits`, () => {
    it(`allows so many hits a minute per key${globalLimits ? ', on every instance together' : ''}`, async () => {
      const [a, b] = globalLimits ? [await one(), await stores()] : [await one(), await one()]
      const limiterName = fresh('limit')
      const spec = { points: 3, durationSeconds: 60 }
      const onA = a.limiter(limiterName, spec)
      const onB = globalLimits ? b.limiter(limiterName, spec) : onA

      const hits = [await onA.take('k'), await onB.take('k'), await onA.take('k')]
      expect(await onB.waitSeconds('k')).toBe(0) // spent, not yet refused
      expect(await onB.take('k')).toEqual({ ok: false, retryAfterSeconds: expect.any(Number) })
      expect(await onA.waitSeconds('k')).toBeGreaterThan(0)
      expect(await onA.take('other')).toEqual({ ok: true })

      expect(hits).toEqual([{ ok: true }, { ok: true }, { ok: true }])
      expect(await a.limiter(fresh('limit'), spec).waitSeconds('k')).toBe(0) // each limiter counts apart
      await onA.reset('k')
      expect(await onB.take('k')).toEqual({ ok: true })
    })
  })

  describe(`${name}: health`, () => {
    it('says the database answers', async () => {
      const health = await (await one()).health()
      expect(health.database).toEqual({ ok: true })
      expect(Object.values(health).every((part) => part.ok)).toBe(true)
    })
  })
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await sleep(10)
  }
}
