import { z } from 'zod'

/**
 * The `webchat/join` event the help page sends once per conversation. It comes from the user's browser, so it is
 * a hint only: unknown values are dropped, never echoed, and only these known ids reach the dialogs.
 */
const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value)

export const JoinValueSchema = z
  .object({
    // "Edge" or "iOS" from another page script is the same hint: ids are compared in lower case.
    browser: z.preprocess(lower, z.enum(['ie', 'edge', 'chrome', 'firefox', 'safari', 'other']).catch('other').optional()),
    os: z.preprocess(lower, z.enum(['windows', 'macos', 'linux', 'ios', 'android', 'other']).catch('other').optional()),
  })
  .catch({})
export type JoinValue = z.infer<typeof JoinValueSchema>

export const JOIN_EVENT = 'webchat/join'
