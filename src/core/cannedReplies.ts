import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { HelpDeskError } from './errors.js'
import { checkSource, normaliseSeed } from './procedures.js'

/**
 * Canned replies for agents (knowledge/canned-replies.json): data reviewed like the procedures, each quoting the
 * passage of the seed page it comes from. An agent picks one in the console and edits it before sending.
 */
export const CannedRepliesSchema = z
  .object({
    version: z.number().int().positive(),
    replies: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case'),
            title: z.string().min(1).max(60, 'a title is at most 60 characters (it is a menu entry)'),
            text: z.string().min(1).max(4000, 'a reply is at most 4000 characters (what the console sends)'),
            source: z.object({ seed: z.string().min(8) }).strict(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
export type CannedReplies = z.infer<typeof CannedRepliesSchema>
export type CannedReply = CannedReplies['replies'][number]

// Contact details the page does not give must never be invented: any phone number, e-mail or web address in a
// reply has to be on the page itself (it has none today).
const CONTACTS: readonly [string, RegExp][] = [
  ['a web address', /\b(?:https?:\/\/|www\.)\S+|\b[\w-]+\.(?:mil|gov|com|org|net)\b/gi],
  ['an e-mail address', /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g],
  ['a phone number', /(?:\+?\d[\s().-]*){7,}/g],
]

/** What is wrong with the replies: ids twice, passages not on the page, contact details not on the page. */
export function checkCannedReplies(replies: CannedReplies, seedText: string): string[] {
  const seed = normaliseSeed(seedText)
  const problems: string[] = []
  const ids = replies.replies.map((r) => r.id)
  for (const [i, reply] of replies.replies.entries()) {
    const where = `replies[${i}] (${reply.id})`
    if (ids.indexOf(reply.id) !== i) problems.push(`${where}.id: used twice`)
    problems.push(...checkSource(where, reply.source, seed))
    for (const [what, pattern] of CONTACTS) {
      for (const found of reply.text.match(pattern) ?? []) {
        if (!seed.includes(normaliseSeed(found))) problems.push(`${where}.text: ${what} not on the seed page ("${found.trim()}"): never invent contact details`)
      }
    }
  }
  return problems
}

/** Reads and checks the canned replies; throws one error naming the file and every field at fault. */
export function loadCannedReplies(file: string, seedText: string): CannedReplies {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${file}: ${(err as Error).message}`)
  }
  const parsed = CannedRepliesSchema.safeParse(json)
  if (!parsed.success) throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${file}: ${z.prettifyError(parsed.error)}`)
  const problems = checkCannedReplies(parsed.data, seedText)
  if (problems.length > 0) throw new HelpDeskError('HD_KNOWLEDGE_INVALID', `${file}: ${problems.join('; ')}`)
  return parsed.data
}
