/**
 * npm run eval:secrets [-- FILE]: how redaction does on a corpus of phrasings (default: the held-out one, written
 * apart from the code and from test/fixtures/secrets.jsonl). Prints totals only; `--show` lists the misses, which
 * turns a held-out corpus into one you have read: use it on your own corpora.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { redactSecrets } from '../core/secrets.js'

const RowSchema = z.object({
  text: z.string().min(1),
  question: z.string().optional(),
  kinds: z.array(z.enum(['pin', 'password', 'ssn', 'edipi'])),
  secrets: z.array(z.string().min(1)),
})

const args = process.argv.slice(2)
const file = args.find((a) => !a.startsWith('--')) ?? 'heldout/secrets/secrets-independent.jsonl'
const show = args.includes('--show')
let rows: z.infer<typeof RowSchema>[]
try {
  rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = RowSchema.safeParse(JSON.parse(line))
      if (!parsed.success) throw new Error(`line ${i + 1}: ${z.prettifyError(parsed.error)}`)
      return parsed.data
    })
} catch (err) {
  process.stderr.write(`eval:secrets: ${file}: ${(err as Error).message}\n`)
  process.exit(2)
}

let secretsOk = 0
let othersOk = 0
const misses: string[] = []
for (const row of rows) {
  const { text } = redactSecrets(row.text, { question: row.question })
  if (row.kinds.length > 0) {
    const leaked = row.secrets.filter((secret) => text.includes(secret))
    if (leaked.length === 0) secretsOk++
    else misses.push(`leaked: ${JSON.stringify(row.text)} -> ${JSON.stringify(text)}`)
  } else if (text === row.text) othersOk++
  else misses.push(`changed: ${JSON.stringify(row.text)} -> ${JSON.stringify(text)}`)
}
const secretRows = rows.filter((r) => r.kinds.length > 0).length
process.stdout.write(
  `${file}: secrets removed in ${secretsOk}/${secretRows} messages; look-alikes left as typed ${othersOk}/${rows.length - secretRows}\n`,
)
if (show) process.stdout.write(misses.join('\n') + '\n')
