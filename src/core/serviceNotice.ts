/**
 * The service notice: during an outage an agent tells everyone who comes to the help desk ("Many users are reporting
 * … right now; we are working on it"): a banner on the help page and the bot's first message on every channel, until
 * it expires by itself (15 minutes to a day) or an agent clears it.
 */
import { z } from 'zod'
import type { ServiceNotice, ServiceNotices } from './ports.js'

export const NOTICE_MAX_CHARS = 280
export const NOTICE_MINUTES = { min: 15, max: 24 * 60 } as const

/** What an agent sends to set a notice: one line of plain text (newlines and runs of spaces become one space). */
export const NoticeInputSchema = z.strictObject({
  text: z
    .string({ error: 'text is required' })
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(
      z
        .string()
        .min(10, 'Write the notice (at least 10 characters).')
        .max(NOTICE_MAX_CHARS, `A notice is at most ${NOTICE_MAX_CHARS} characters: people read it on a phone.`)
        // Control and formatting characters (bidi overrides, zero-width) could disguise what the notice says.
        .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), 'The notice holds invisible or control characters: type it again as plain text.'),
    ),
  minutes: z
    .number({ error: 'minutes is required' })
    .int('minutes is a whole number')
    .min(NOTICE_MINUTES.min, `A notice lasts at least ${NOTICE_MINUTES.min} minutes.`)
    .max(NOTICE_MINUTES.max, 'A notice lasts at most 24 hours (1440 minutes); set it again if the outage goes on.'),
})
export type NoticeInput = z.infer<typeof NoticeInputSchema>

/** The notice board: the store, read against the clock. */
export class NoticeBoard {
  constructor(
    private readonly store: ServiceNotices,
    private readonly now: () => number = Date.now,
  ) {}

  /** The notice in force now, if any (read on every call: another instance may have set or cleared it). */
  current(): Promise<ServiceNotice | undefined> {
    return this.store.current(this.now())
  }

  async set({ text, minutes }: NoticeInput, agentId: string): Promise<ServiceNotice> {
    const setAt = this.now()
    const notice = { text, setBy: agentId, setAt, expiresAt: setAt + minutes * 60_000 }
    await this.store.set(notice)
    return notice
  }

  clear(): Promise<void> {
    return this.store.clear()
  }
}
