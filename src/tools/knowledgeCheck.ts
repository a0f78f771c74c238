/** `npm run knowledge:check [DIR]`: validates every procedure and every intent; names the file and field at fault. */
import { readFileSync } from 'node:fs'
import { loadProcedures } from '../core/procedures.js'
import { checkIntents } from '../core/intentCheck.js'
import { intents } from '../../intents/index.js'
import { HelpDeskError } from '../core/errors.js'
import { loadCannedReplies } from '../core/cannedReplies.js'

const dir = process.argv[2] ?? 'knowledge/procedures'
try {
  const seedText = readFileSync('knowledge/seed/cac-ako-help.txt', 'utf8')
  const procedures = loadProcedures(dir, { seedText })
  checkIntents(intents, procedures)
  // The agents' canned replies sit beside the procedures (knowledge/canned-replies.json for the default folder).
  const canned = loadCannedReplies(process.argv[3] ?? `${dir.replace(/\/procedures\/?$/, '')}/canned-replies.json`, seedText)
  process.stdout.write(`knowledge ok: ${procedures.size} procedures, ${intents.length} intents, ${canned.replies.length} canned replies\n`)
} catch (err) {
  const message = err instanceof HelpDeskError ? `${err.code}: ${err.message}` : String(err)
  process.stderr.write(`knowledge check failed\n${message}\n`)
  process.exit(1)
}
