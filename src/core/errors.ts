/** Stable codes that tests and alerts match on. */
export type ErrorCode =
  | 'HD_CONFIG_INVALID'
  | 'HD_KNOWLEDGE_INVALID'
  | 'HD_INTENTS_INVALID'
  | 'HD_PROCEDURE_UNKNOWN'
  | 'HD_CORPUS_INVALID'
  | 'HD_STATE_CONFLICT'
  | 'HD_STORAGE_UNAVAILABLE'

/** An error with a code; the message says which thing failed. Users never see it. */
export class HelpDeskError extends Error {
  override name = 'HelpDeskError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
