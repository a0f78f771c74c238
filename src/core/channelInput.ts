import { z } from 'zod'

/**
 * The `webchat/join` event the help page sends once per conversation. It comes from the user's browser, so it is
 * a hint only: unknown values are dropped, never echoed, and only these known ids reach the dialogs.
 */
export const JoinValueSchema = z
  .object({
    browser: z.enum(['ie', 'edge', 'chrome', 'firefox', 'safari', 'other']).catch('other').optional(),
    os: z.enum(['windows', 'macos', 'linux', 'ios', 'android', 'other']).catch('other').optional(),
  })
  .catch({})
export type JoinValue = z.infer<typeof JoinValueSchema>

export const JOIN_EVENT = 'webchat/join'
