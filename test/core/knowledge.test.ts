import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HelpDeskError } from '../../src/core/errors.js'
import { checkIntents } from '../../src/core/intentCheck.js'
import { loadProcedures, stepsRemaining } from '../../src/core/procedures.js'
import { intents } from '../../intents/index.js'
import { INTENT_IDS } from '../fixtures/intentIds.js'

const seedText = readFileSync('knowledge/seed/cac-ako-help.txt', 'utf8')

function loadError(dir: string): HelpDeskError {
  try {
    loadProcedures(dir, { seedText })
  } catch (err) {
    return err as HelpDeskError
  }
  throw new Error(`${dir} loaded without error`)
}

describe('knowledge/', () => {
  const procedures = loadProcedures('knowledge/procedures', { seedText })

  it('loads every procedure, each with a source', () => {
    expect(procedures.size).toBe(18)
    for (const procedure of procedures.values()) expect(procedure.source).toBeDefined()
  })

  it('has every intent the issue names, each with 25 or more utterances, and every procedure exists', () => {
    expect(intents.filter((i) => !i.refer).map((i) => i.id).sort()).toEqual([...INTENT_IDS, 'none'].sort())
    for (const intent of intents) expect(intent.utterances.length, intent.id).toBeGreaterThanOrEqual(25)
    expect(() => checkIntents(intents, procedures)).not.toThrow()
  })

  it('keeps its copy of the seed page identical to the shared one', () => {
    let shared: string
    try {
      shared = readFileSync('../shared/seed/cac-ako-help.txt', 'utf8')
    } catch {
      return // a clone without ../shared beside it: nothing to compare
    }
    expect(seedText).toBe(shared)
  })

  it('marks the steps the page only points to as not from the page', () => {
    for (const id of ['clear-cache', 'clear-ssl-state', 'register-certificates']) {
      const browserSteps = procedures.get(id)!.steps.slice(1)
      expect(browserSteps).toHaveLength(4)
      for (const step of browserSteps) expect(step.source).toHaveProperty('notFromPage')
    }
  })

  it('invents no phone numbers, e-mail addresses or web addresses', () => {
    const text = JSON.stringify([...procedures.values()])
    expect(text).not.toMatch(/\b\d{3}[-. ]\d{3}[-. ]\d{4}\b/)
    expect(text).not.toMatch(/[\w.]+@[\w.]+\.\w+/)
    expect(text).not.toMatch(/https?:|www\./)
  })

  it('says who handles each out-of-scope neighbour, with no contact details', () => {
    const topics = intents.filter((i) => i.refer)

    expect(topics.map((i) => i.id).sort()).toEqual([
      'out-of-scope-email',
      'out-of-scope-id-card-office',
      'out-of-scope-lost-card',
      'out-of-scope-network',
      'out-of-scope-other-site',
      'out-of-scope-pay-personnel',
      'out-of-scope-reader',
    ])
    for (const topic of topics) {
      expect(topic.refer, topic.id).toMatch(/IT support|ID card office|finance office|security manager|help desks/)
      expect(topic.refer, topic.id).not.toMatch(/\d{3}[-. )]\d{3,4}|@|https?:|www\./)
      expect(topic.procedure, topic.id).toBeUndefined()
    }
  })

  it('refuses a refer line with a phone number, an intent with both a procedure and a refer line, and a topic without its vocabulary', () => {
    const phone = { id: 'out-of-scope-x', refer: 'Call 555-123-4567.', vocabulary: ['pay'], utterances: intents[0]!.utterances }
    const both = { ...phone, id: 'out-of-scope-y', refer: 'Your finance office.', procedure: 'change-pin' }

    expect(() => checkIntents([...intents, phone], procedures)).toThrow(/out-of-scope-x.*refer: no web address/)
    expect(() => checkIntents([...intents, both], procedures)).toThrow(/out-of-scope-y.*both a procedure and a refer/)
    const unnamed = { ...phone, id: 'out-of-scope-z', refer: 'Your finance office handles pay.', vocabulary: undefined }
    expect(() => checkIntents([...intents, unnamed], procedures)).toThrow(/out-of-scope-z.*needs its vocabulary/s)
  })

  it('counts "Step n of m" along the longest path', () => {
    const pin = procedures.get('change-pin')!
    expect(stepsRemaining(pin, 0)).toBe(2)
    expect(stepsRemaining(procedures.get('new-cac-not-working')!, 0)).toBe(3)
  })
})

describe('loadProcedures on broken files', () => {
  it.each([
    { dir: 'not-json', message: /password-reset\.json: not valid JSON/ },
    { dir: 'missing-say', message: /password-reset\.json: .*steps\[0\]\.say/s },
    { dir: 'unknown-outcome', message: /password-reset\.json: steps\.reset\.onNo: unknown outcome "nowhere"/ },
    { dir: 'invented-passage', message: /password-reset\.json: steps\.reset\.source\.seed: passage not found in the seed page/ },
    { dir: 'bad-id', message: /password-reset\.json: .*id/s },
    { dir: 'loops-back', message: /steps\.second: leads back to "reset"/ },
    { dir: 'unknown-run', message: /steps\.reset\.run: unknown procedure "no-such-procedure"/ },
  ])('names the file and field at fault: $dir', ({ dir, message }) => {
    const err = loadError(`test/fixtures/broken/${dir}`)

    expect(err).toBeInstanceOf(HelpDeskError)
    expect(err.code).toBe('HD_KNOWLEDGE_INVALID')
    expect(err.message).toMatch(message)
  })
})

describe('checkIntents', () => {
  const procedures = loadProcedures('knowledge/procedures', { seedText })

  it('rejects an intent whose procedure does not exist', () => {
    const broken = [...intents.filter((i) => i.id !== 'buy-cac'), { ...intents.find((i) => i.id === 'buy-cac')!, procedure: 'sell-cac' }]

    expect(() => checkIntents(broken, procedures)).toThrow(/intent "buy-cac"\.procedure: unknown procedure "sell-cac"/)
  })

  it('rejects an utterance taught to two intents', () => {
    const greeting = intents.find((i) => i.id === 'greeting')!
    const broken = intents.map((i) => (i.id === 'thanks' ? { ...i, utterances: [...i.utterances, greeting.utterances[0]!] } : i))

    expect(() => checkIntents(broken, procedures)).toThrow(/is also in "greeting"/)
  })

  it('rejects an intent with too few utterances', () => {
    const broken = intents.map((i) => (i.id === 'thanks' ? { ...i, utterances: ['thanks'] } : i))

    expect(() => checkIntents(broken, procedures)).toThrow(/intent "thanks".*at least 25/s)
  })
})
