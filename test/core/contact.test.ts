import { describe, expect, it } from 'vitest'
import { describeContact, readContact } from '../../src/core/contact.js'
import { redactSecrets } from '../../src/core/secrets.js'
import { messages } from '../../dialogs/messages.js'

// What a user types after "How can the help desk reach you?": redaction first (as the middleware does, with the
// question), then the shape check.
const answer = (text: string) => readContact(redactSecrets(text, { question: messages.contactQuestion }).text)

describe('a contact detail for a left message', () => {
  it.each([
    ['jo.smith@example.mil', { kind: 'email', value: 'jo.smith@example.mil' }],
    ['you can email me at jo.smith@example.mil.', { kind: 'email', value: 'jo.smith@example.mil' }],
    ['(555) 123-4567', { kind: 'phone', value: '(555) 123-4567' }],
    ['call 555-123-4567 ext 12 please', { kind: 'phone', value: '555-123-4567 ext 12' }],
    ['+1 555 123 4567', { kind: 'phone', value: '+1 555 123 4567' }],
    ['5551234567', { kind: 'phone', value: '5551234567' }],
    ["I'll check back here", { kind: 'chat' }],
    ['no email, I will come back later', { kind: 'chat' }],
  ])('%s is a way to reach the user', (text, contact) => {
    expect(answer(text)).toEqual({ ok: true, contact })
  })

  it.each([
    ['4471', 'secret'],
    ['12345678', 'secret'],
    ['my pin is 551902', 'secret'],
    ['123-45-6789', 'secret'],
    ['555-1234', 'short-phone'],
    ['jo.smith@', 'unreadable'],
    ['tomorrow', 'unreadable'],
  ])('%s is refused (%s)', (text, why) => {
    expect(answer(text)).toEqual({ ok: false, why })
  })

  it('refuses a PIN-shaped answer only because of the question: elsewhere a bare number stays as typed', () => {
    expect(redactSecrets('4471', { question: messages.contactQuestion }).found).toEqual(['pin'])
    expect(redactSecrets('4471', { question: 'What is your ticket number?' }).found).toEqual([])
    expect(redactSecrets('555-123-4567', { question: messages.contactQuestion }).found).toEqual([])
  })

  it('reads as a line an agent understands', () => {
    expect([describeContact({ kind: 'email', value: 'a@b.mil' }), describeContact({ kind: 'phone', value: '555 123 4567' }), describeContact({ kind: 'chat' }), describeContact(undefined)]).toEqual([
      'E-mail: a@b.mil',
      'Phone: 555 123 4567',
      'Will check back in the chat',
      undefined,
    ])
  })
})
