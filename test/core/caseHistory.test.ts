import { describe, expect, it } from 'vitest'
import { historyLines } from '../../src/agent/caseHistory.js'
import { statusEvent } from '../../src/infra/rows.js'
import type { CaseEvent } from '../../src/core/ports.js'

const names: Record<string, string> = { alice: 'Alice Smith', bob: 'Bob Jones' }
const at = (n: number) => `2026-12-01T10:0${n}:00.000Z`
const event = (id: number, e: Omit<CaseEvent, 'id' | 'caseId' | 'at'>): CaseEvent => ({ id, caseId: 'HD-1', at: at(id), ...e })

describe('a case history in sentences', () => {
  it('says who passed a case to whom, and back to the queue', () => {
    const events = [
      event(1, statusEvent('waiting', 'claimed', { type: 'claim', agentId: 'alice' })),
      event(2, statusEvent('claimed', 'claimed', { type: 'transfer', agentId: 'alice', to: 'bob' })),
      event(3, statusEvent('claimed', 'waiting', { type: 'transfer', agentId: 'bob' })),
      event(4, statusEvent('waiting', 'closed', { type: 'close', agentId: 'alice', reason: 'referred-id-card-office' })),
    ]
    const lines = historyLines(events, { channelId: 'webchat', details: {} }, (id) => names[id] ?? id)
    expect(lines.map((l) => l.text)).toEqual(['Claimed by Alice Smith.', 'Passed by Alice Smith to Bob Jones.', 'Passed by Bob Jones back to the queue.', 'Closed by Alice Smith: referred to the ID card office.'])
  })
})
