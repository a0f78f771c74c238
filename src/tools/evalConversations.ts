/**
 * `npm run eval:conversations [-- --dir DIR]`: runs every conversation file through the real help desk and prints
 * the pass rate per category, then each failure with its turn, what was expected and what the bot replied.
 */
import { parseArgs } from 'node:util'
import { CATEGORIES, createConversationRunner, loadConversations, type ConversationResult } from './conversationRunner.js'

const { values } = parseArgs({ options: { dir: { type: 'string', default: 'test/conversations' } } })
const dir = values.dir!
const loaded = loadConversations(dir)
const runner = await createConversationRunner()
const results: ConversationResult[] = []
try {
  for (const { conversation } of loaded) if (conversation) results.push(await runner.run(conversation))
} finally {
  await runner.close()
}

const out = (line = '') => process.stdout.write(`${line}\n`)
const pct = (n: number, d: number) => (d === 0 ? '   -' : `${((100 * n) / d).toFixed(1).padStart(5)}%`)
out(`Conversations in ${dir}: ${results.length}`)
out()
out('category             passed  total   rate')
for (const category of CATEGORIES) {
  const mine = results.filter((r) => r.category === category)
  if (mine.length === 0) continue
  const passed = mine.filter((r) => r.passed).length
  out(`${category.padEnd(20)} ${String(passed).padStart(6)} ${String(mine.length).padStart(6)}  ${pct(passed, mine.length)}`)
}
const passed = results.filter((r) => r.passed).length
out(`${'all'.padEnd(20)} ${String(passed).padStart(6)} ${String(results.length).padStart(6)}  ${pct(passed, results.length)}`)
const turns = results.reduce((n, r) => n + r.failures.length, 0)
out(`failed turns: ${turns}`)

const broken = loaded.filter((l) => l.error)
if (broken.length > 0) {
  out()
  out(`Unreadable files (${broken.length}):`)
  for (const { file, error } of broken) out(`  ${file}: ${error}`)
}
const failed = results.filter((r) => !r.passed)
if (failed.length > 0) {
  out()
  out('Failures:')
  for (const result of failed) {
    out(`- ${result.id} (${result.category})`)
    for (const failure of result.failures) {
      out(`    turn ${failure.turn}: "${failure.user}"`)
      for (const problem of failure.problems) out(`      ✗ ${problem}`)
      for (const reply of failure.replies) out(`      bot> ${reply.replace(/\n+/g, ' ').slice(0, 220)}`)
    }
  }
}
process.exitCode = broken.length > 0 ? 1 : 0
