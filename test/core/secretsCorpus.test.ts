import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { redactSecrets } from '../../src/core/secrets.js'

// Phrasings as people type them, secrets and look-alikes that are not secrets (issue 10, point 2).
const PhrasingSchema = z.object({
  text: z.string().min(1),
  question: z.string().optional(), // what the bot or an agent asked just before
  kinds: z.array(z.enum(['pin', 'password', 'ssn', 'edipi'])),
  secrets: z.array(z.string().min(1)), // as typed: none may survive
})
const corpus = readFileSync('test/fixtures/secrets.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => PhrasingSchema.parse(JSON.parse(line)))

function judge(row: z.infer<typeof PhrasingSchema>) {
  const { text, found } = redactSecrets(row.text, { question: row.question })
  const leaked = row.secrets.filter((secret) => text.includes(secret))
  const kindsRight = [...found].sort().join() === row.kinds.join()
  return { text, found, ok: leaked.length === 0 && kindsRight && (row.kinds.length > 0 || text === row.text) }
}

describe('the redaction corpus (test/fixtures/secrets.jsonl)', () => {
  it('has at least 300 phrasings, secrets and non-secrets', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300)
    expect(corpus.filter((r) => r.kinds.length > 0).length).toBeGreaterThanOrEqual(120)
    expect(corpus.filter((r) => r.kinds.length === 0).length).toBeGreaterThanOrEqual(120)
  })

  it('removes every secret and leaves every non-secret as typed', () => {
    const results = corpus.map((row) => ({ row, ...judge(row) }))
    const secrets = results.filter((r) => r.row.kinds.length > 0)
    const others = results.filter((r) => r.row.kinds.length === 0)
    const failures = results.filter((r) => !r.ok).map((r) => `${JSON.stringify(r.row.text)} → ${JSON.stringify(r.text)} [${r.found.join()}] expected [${r.row.kinds.join()}]`)

    process.stdout.write(
      `redaction corpus: ${secrets.filter((r) => r.ok).length}/${secrets.length} secrets removed, ` +
        `${others.filter((r) => r.ok).length}/${others.length} non-secrets left alone\n`,
    )
    expect(failures).toEqual([])
  })
})

describe('the help page itself', () => {
  // It holds no secret, but plenty that looks like one: error codes, card models, quoted error messages.
  const page = readFileSync('knowledge/seed/cac-ako-help.txt', 'utf8')

  it('is left as typed, line by line and each of its words in a message about signing in', () => {
    const lines = page.split('\n').filter((line) => line.trim())
    const words = [...new Set(page.split(/\s+/).filter(Boolean))]
    const changed = [
      ...lines.filter((line) => redactSecrets(line).found.length > 0),
      ...words.filter((word) => redactSecrets(`login fails with ${word} again`).found.length > 0),
    ]
    expect(lines.length).toBeGreaterThan(20)
    expect(changed).toEqual([])
  })
})
