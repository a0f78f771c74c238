import { describe, expect, it } from 'vitest'
import { isOnlySecret, offeredSecrets, redactSecrets, secretsNamed } from '../../src/core/secrets.js'

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
    expect(isOnlySecret(redactSecrets('mi contraseña es Luna2023').text)).toBe(true)
    expect(isOnlySecret(redactSecrets('pin 551902 pw Hunter#22').text)).toBe(true)
    expect(isOnlySecret(redactSecrets('my ako pass is Otter55 and my pin is 7788').text)).toBe(true)
    expect(isOnlySecret(redactSecrets('my password is Tr0ub4dor&3 help').text)).toBe(false)
  })

  // It runs on every message: a 4,000-character message (the website's limit) of any shape costs about a
  // millisecond of CPU (0.1-0.5 ms measured); the bound is loose for a loaded machine, tight for a quadratic regex.
  it.each([
    ['words', 'my cac is locked and the login page says invalid credentials, please help me reset it. '],
    ['secrets', 'pin 1234 ssn 123-45-6789 pw Hunter22! edipi 1234567890 '],
    ['labels', 'password: '],
    ['full-width digits', '５５１９０２ мой пароль '],
    ['tokens', 'Abcdef12! '],
    ['quotes', "'x' \"y\" `z` "],
    ['spelled digits', 'one two three four '],
    ['digits', '1'],
    ['spaced digits', '1 '],
    ['one long word', 'Ab1!'],
    ['quote marks', '"'],
    ['password links', 'password is is - : '],
  ])('reads 4,000 characters of %s in about a millisecond', (_, unit) => {
    const text = unit.repeat(Math.ceil(4000 / unit.length)).slice(0, 4000)
    let best = Infinity
    for (let round = 0; round < 5; round++) {
      const before = process.cpuUsage()
      for (let i = 0; i < 10; i++) redactSecrets(text, { question: 'Do you know your PIN?' })
      const used = process.cpuUsage(before)
      best = Math.min(best, (used.user + used.system) / 1000 / 10)
    }
    expect(best).toBeLessThan(5)
  })
})

describe('offeredSecrets', () => {
  it.each([
    { text: 'she told me her pin on the phone, i can just give it to you', kinds: ['pin'] },
    { text: 'Should I type my password in here?', kinds: ['password'] },
    { text: 'want me to send you my SSN or my DoD ID number?', kinds: ['ssn', 'edipi'] },
    { text: 'do you need his PIN to unlock it', kinds: ['pin'] },
    { text: "my husband's deployed, he'll text you his pw", kinds: ['password'] },
    { text: 'I could read you the pin off the sticky note', kinds: ['pin'] },
    { text: 'let me paste my passwrd for you', kinds: ['password'] },
    { text: 'here is my pin:', kinds: ['pin'] },
    { text: 'te paso mi contraseña si quieres', kinds: ['password'] },
  ])('hears an offer of $kinds in "$text"', ({ text, kinds }) => {
    expect(offeredSecrets(text)).toEqual(kinds)
  })

  it.each([
    "i can't give you my pin, it's locked",
    "I don't want to send my password to anyone",
    'I typed my PIN into ActivClient and it said wrong',
    'i can type my pin into the reader just fine',
    'can i type it in activclient instead',
    'I can send you the error message',
    'my reader can read it but the pin fails',
    'he gave me his card, can you help him',
    'my pin is locked',
  ])('hears no offer in "%s"', (text) => {
    expect(offeredSecrets(text)).toEqual([])
  })

  // It runs on every message with no secret in it: a 4,000-character message costs well under a millisecond.
  it.each([
    ['offers', 'i can just give you his pin, '],
    ['leads', 'i can i could can i let me '],
    ['typing', 'type it type it in here '],
    ['words', 'my cac is locked and the page says invalid credentials. '],
  ])('reads 4,000 characters of %s in about a millisecond', (_, unit) => {
    const text = unit.repeat(Math.ceil(4000 / unit.length)).slice(0, 4000)
    let best = Infinity
    for (let round = 0; round < 5; round++) {
      const before = process.cpuUsage()
      for (let i = 0; i < 10; i++) offeredSecrets(text, { before: ['pin'] })
      const used = process.cpuUsage(before)
      best = Math.min(best, (used.user + used.system) / 1000 / 10)
    }
    expect(best).toBeLessThan(5)
  })

  it('takes "it" for the secret the last words named, and only an offer of "it"', () => {
    const before = secretsNamed('Only the card holder can sort out their own CAC PIN, and no one should share a PIN.')
    expect(before).toEqual(['pin'])
    expect(offeredSecrets('he told me it, i can just send it to you', { before })).toEqual(['pin'])
    expect(offeredSecrets('should i type it in here?', { before })).toEqual(['pin'])
    expect(offeredSecrets('i can send you a screenshot of the error', { before })).toEqual([])
    expect(offeredSecrets('i can send it to you', { before: [] })).toEqual([])
  })
})
