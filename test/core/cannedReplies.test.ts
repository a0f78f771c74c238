import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { checkCannedReplies, loadCannedReplies, type CannedReplies } from '../../src/core/cannedReplies.js'

const seed = readFileSync('knowledge/seed/cac-ako-help.txt', 'utf8')
const passage = 'AKO/DKO does not have the ability to reset your PIN.'
const reply = (text: string, source = passage) => ({ version: 1, replies: [{ id: 'r', title: 'R', text, source: { seed: source } }] }) satisfies CannedReplies

describe('canned replies (knowledge/canned-replies.json)', () => {
  it('loads the real file: every reply quotes the page and invents no contact', () => {
    const { replies } = loadCannedReplies('knowledge/canned-replies.json', seed)
    expect(replies.length).toBeGreaterThanOrEqual(8)
    expect(new Set(replies.map((r) => r.id)).size).toBe(replies.length)
  })

  it('refuses a passage that is not on the page', () => {
    expect(checkCannedReplies(reply('Call us.', 'The help desk is open around the clock.'), seed)).toEqual(['replies[0] (r).source.seed: passage not found in the seed page'])
  })

  it.each([
    ['Call 1-800-555-0199 for help.', 'a phone number'],
    ['Write to helpdesk@army.mil.', 'an e-mail address'],
    ['See https://help.example.mil/cac for the steps.', 'a web address'],
    ['Go to www.ako.example to reset it.', 'a web address'],
  ])('refuses an invented contact: %s', (text, what) => {
    expect(checkCannedReplies(reply(text), seed).join('\n')).toContain(`${what} not on the seed page`)
  })

  it('keeps numbers the page has (Answer ID 152, ActivClient 6.2) and card models', () => {
    expect(checkCannedReplies(reply('See Answer ID 152 and install ActivClient 6.2 for the Gemalto TOP DL GX4 144.'), seed)).toEqual([])
  })

  it('names the field at fault in a malformed file', () => {
    expect(() => loadCannedReplies('test/fixtures/broken-canned-replies.json', seed)).toThrow(/broken-canned-replies\.json[\s\S]*title/)
  })
})
