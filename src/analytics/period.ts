import { parseArgs } from 'node:util'
import { z } from 'zod'

const UNIT_MS = { h: 60 * 60 * 1000, d: 24 * 60 * 60 * 1000 } as const
const MAX_DAYS = 3650

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'an ISO date, e.g. 2026-11-24 or 2026-11-24T08:00Z')
  .transform((s) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s))
  .refine((ms) => Number.isFinite(ms), 'not a real date')

const ArgsSchema = z
  .object({
    since: z
      .string()
      .regex(/^\d{1,5}[hd]$/, 'a number of hours or days, e.g. 24h or 7d')
      .transform((s) => Number(s.slice(0, -1)) * UNIT_MS[s.at(-1) as 'h' | 'd'])
      .refine((ms) => ms > 0 && ms <= MAX_DAYS * UNIT_MS.d, `more than 0 and at most ${MAX_DAYS} days`)
      .optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .refine((a) => !(a.since !== undefined && a.from !== undefined), { message: 'give --since or --from, not both' })

export const USAGE = 'usage: npm run report -- --since 7d | --since 24h | --from 2026-11-01 [--to 2026-11-08]'

/** The report's period `[from, to)` (ms) from its command line; throws with a message a person can act on. */
export function periodFromArgs(args: readonly string[], now = Date.now()): { from: number; to: number } {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: [...args], options: { since: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, strict: true }).values
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`)
  }
  const parsed = ArgsSchema.safeParse(values)
  if (!parsed.success) throw new Error(`${z.prettifyError(parsed.error)}\n${USAGE}`)
  const { since, from, to = now } = parsed.data
  const start = since !== undefined ? to - since : (from ?? to - 7 * UNIT_MS.d)
  if (start >= to) throw new Error(`the period is empty: --from must be before --to\n${USAGE}`)
  return { from: start, to }
}
