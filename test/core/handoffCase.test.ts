import { describe, expect, it } from 'vitest'
import { isWithinHours, ownerOf, transition, type CaseAction, type CaseState } from '../../src/core/handoffCase.js'

describe('handoff case rules', () => {
  it.each<{ name: string; from: CaseState; action: CaseAction; to?: CaseState; changed?: boolean; reason?: string }>([
    { name: 'an agent claims a waiting case', from: { status: 'waiting' }, action: { type: 'claim', agentId: 'alice' }, to: { status: 'claimed', agentId: 'alice' }, changed: true },
    { name: 'the same agent claims twice', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'claim', agentId: 'alice' }, to: { status: 'claimed', agentId: 'alice' }, changed: false },
    { name: 'a second agent claims', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'claim', agentId: 'bob' }, reason: 'claimed-by-another-agent' },
    { name: 'a claim after close', from: { status: 'closed', agentId: 'alice' }, action: { type: 'claim', agentId: 'bob' }, reason: 'case-ended' },
    { name: 'a claim after the user left a message (answered, not joined)', from: { status: 'message-left' }, action: { type: 'claim', agentId: 'bob' }, reason: 'left-message' },
    { name: 'answering a left message', from: { status: 'message-left' }, action: { type: 'answer', agentId: 'bob' }, to: { status: 'answered', agentId: 'bob' }, changed: true },
    { name: 'answering again (a follow-up)', from: { status: 'answered', agentId: 'bob' }, action: { type: 'answer', agentId: 'alice' }, to: { status: 'answered', agentId: 'alice' }, changed: true },
    { name: 'answering a case with no message', from: { status: 'waiting' }, action: { type: 'answer', agentId: 'bob' }, reason: 'no-message' },
    { name: 'answering a closed case', from: { status: 'closed', agentId: 'bob' }, action: { type: 'answer', agentId: 'bob' }, reason: 'case-ended' },
    { name: 'closing after sending back to the bot', from: { status: 'returned', agentId: 'alice' }, action: { type: 'close', agentId: 'alice' }, to: { status: 'closed', agentId: 'alice' }, changed: true },
    { name: 'closing a case the user cancelled', from: { status: 'cancelled' }, action: { type: 'close', agentId: 'bob' }, to: { status: 'closed', agentId: 'bob' }, changed: true },
    { name: 'closing an answered message', from: { status: 'answered', agentId: 'bob' }, action: { type: 'close', agentId: 'bob' }, to: { status: 'closed', agentId: 'bob' }, changed: true },
    { name: 'closing another agent\'s live chat', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'close', agentId: 'bob' }, reason: 'not-your-case' },
    { name: 'closing twice', from: { status: 'closed', agentId: 'bob' }, action: { type: 'close', agentId: 'alice' }, to: { status: 'closed', agentId: 'bob' }, changed: false },
    { name: 'sending back a waiting case', from: { status: 'waiting' }, action: { type: 'return', agentId: 'bob' }, reason: 'not-allowed' },
    { name: 'sending back a left message', from: { status: 'message-left' }, action: { type: 'return', agentId: 'bob' }, reason: 'left-message' },
    { name: 'returning to the bot', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'return', agentId: 'alice' }, to: { status: 'returned', agentId: 'alice' }, changed: true },
    { name: 'returning twice', from: { status: 'returned', agentId: 'alice' }, action: { type: 'return', agentId: 'alice' }, to: { status: 'returned', agentId: 'alice' }, changed: false },
    { name: 'another agent returning', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'return', agentId: 'bob' }, reason: 'not-your-case' },
    { name: 'closing a waiting case', from: { status: 'waiting' }, action: { type: 'close', agentId: 'bob' }, to: { status: 'closed', agentId: 'bob' }, changed: true },
    { name: 'the wait running out', from: { status: 'waiting' }, action: { type: 'expire' }, to: { status: 'expired' }, changed: true },
    { name: 'a message left after the wait', from: { status: 'expired' }, action: { type: 'leave-message' }, to: { status: 'message-left' }, changed: true },
    { name: 'an agent hub accepting', from: { status: 'waiting' }, action: { type: 'accepted', agentId: 'hub' }, to: { status: 'claimed', agentId: 'hub' }, changed: true },
    { name: 'an agent hub completing', from: { status: 'claimed', agentId: 'hub' }, action: { type: 'completed' }, to: { status: 'returned', agentId: 'hub' }, changed: true },
    { name: 'an agent hub failing', from: { status: 'waiting' }, action: { type: 'failed' }, to: { status: 'expired' }, changed: true },
    { name: 'the user cancelling while waiting', from: { status: 'waiting' }, action: { type: 'cancel' }, to: { status: 'cancelled' }, changed: true },
    { name: 'the user cancelling with an agent', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'cancel' }, reason: 'not-allowed' },
  ])('$name', ({ from, action, to, changed, reason }) => {
    const result = transition(from, action)

    if (reason) expect(result).toEqual({ ok: false, reason })
    else expect(result).toEqual({ ok: true, state: to, changed })
  })

  it.each<{ name: string; from: CaseState; action: CaseAction; to?: CaseState; reason?: string }>([
    { name: 'a transfer to another agent', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'transfer', agentId: 'alice', to: 'bob' }, to: { status: 'claimed', agentId: 'bob' } },
    { name: 'a transfer back to the queue', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'transfer', agentId: 'alice' }, to: { status: 'waiting' } },
    { name: 'a transfer by an agent not holding it', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'transfer', agentId: 'carol', to: 'bob' }, reason: 'not-your-case' },
    { name: 'a transfer to oneself', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'transfer', agentId: 'alice', to: 'alice' }, reason: 'not-allowed' },
    { name: 'a transfer of a waiting case', from: { status: 'waiting' }, action: { type: 'transfer', agentId: 'alice', to: 'bob' }, reason: 'not-allowed' },
    { name: 'a transfer of a closed case', from: { status: 'closed', agentId: 'alice' }, action: { type: 'transfer', agentId: 'alice', to: 'bob' }, reason: 'case-ended' },
    { name: 'a close with its reason', from: { status: 'claimed', agentId: 'alice' }, action: { type: 'close', agentId: 'alice', reason: 'referred-local-it' }, to: { status: 'closed', agentId: 'alice', closingReason: 'referred-local-it' } },
  ])('$name', ({ from, action, to, reason }) => {
    const result = transition(from, action)

    if (reason) expect(result).toEqual({ ok: false, reason })
    else expect(result).toEqual({ ok: true, state: to, changed: true })
  })

  it('says who owns the conversation', () => {
    expect([undefined, { status: 'waiting' }, { status: 'claimed' }, { status: 'expired' }, { status: 'returned' }].map((s) => ownerOf(s as CaseState | undefined))).toEqual([
      'bot',
      'waiting',
      'agent',
      'leaving-message',
      'bot',
    ])
  })
})

describe('isWithinHours', () => {
  const wednesdayNoonUtc = new Date('2026-11-25T12:00:00Z') // 07:00 in New York

  it.each([
    { spec: 'always', zone: 'UTC', open: true },
    { spec: 'Mon-Fri 07:00-18:00', zone: 'America/New_York', open: true },
    { spec: 'Mon-Fri 08:00-18:00', zone: 'America/New_York', open: false },
    { spec: 'Sat-Sun 00:00-23:59', zone: 'UTC', open: false },
    { spec: 'Fri-Wed 11:00-13:00', zone: 'UTC', open: true },
  ])('$spec in $zone is open: $open', ({ spec, zone, open }) => {
    expect(isWithinHours(spec, zone, wednesdayNoonUtc)).toBe(open)
  })

  it('rejects a malformed spec', () => {
    expect(() => isWithinHours('weekdays 9 to 5', 'UTC')).toThrow(/expected e\.g\./)
  })
})
