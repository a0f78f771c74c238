import { describe, expect, it } from 'vitest'
import { isOnlySecret, redactSecrets } from '../../src/core/secrets.js'

describe('redactSecrets', () => {
  it.each([
    { text: 'my pin is 1234 and it is locked', redacted: 'my pin is [redacted] and it is locked', found: ['pin'] },
    { text: 'pin: 98765432', redacted: 'pin: [redacted]', found: ['pin'] },
    { text: 'i typed 123456 three times', redacted: 'i typed [redacted] three times', found: ['pin'] },
    { text: 'my password is Tr0ub4dor&3 help', redacted: 'my password is [redacted] help', found: ['password'] },
    { text: 'pw=hunter22', redacted: 'pw=[redacted]', found: ['password'] },
    { text: 'ssn 123-45-6789', redacted: 'ssn [redacted]', found: ['ssn'] },
    { text: 'my ssn is 123456789', redacted: 'my ssn is [redacted]', found: ['ssn'] },
    { text: 'EDIPI 1234567890 does not match', redacted: 'EDIPI [redacted] does not match', found: ['edipi'] },
  ])('removes the secret from "$text"', ({ text, redacted, found }) => {
    expect(redactSecrets(text)).toEqual({ text: redacted, found })
  })

  it.each([
    'my password is expired',
    'my password is not working',
    'password reset failed',
    'I get 403 – Access Forbidden',
    'Gemalto TOP DL GX4 144',
    'Oberthur ID One 128 v5.5 Dual, ActivClient 6.2',
    'my pin is locked',
    'it happened in 2024 on windows 10',
  ])('leaves "%s" alone', (text) => {
    expect(redactSecrets(text)).toEqual({ text, found: [] })
  })

  it('tells a bare secret from a message with something to act on', () => {
    expect(isOnlySecret(redactSecrets('123456').text)).toBe(true)
    expect(isOnlySecret(redactSecrets('my pin is 123456').text)).toBe(true)
    expect(isOnlySecret(redactSecrets('my pin 123456 is locked').text)).toBe(false)
  })
})
