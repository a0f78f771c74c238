import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger }

/** Paths that could hold what a user typed; pino replaces them wherever they appear. */
export const REDACTED_PATHS = [
  'text',
  'activity.text',
  'value',
  'activity.value',
  'body.text',
  'req.body',
  '*.text',
  'utterance',
]

/** The one JSON logger. People paste passwords into help-desk chats, so user text is never logged. */
export function createLogger(
  { level = 'info', destination }: { level?: string; destination?: DestinationStream } = {},
): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { app: 'cac-helpdesk' } }
  return destination ? pino(options, destination) : pino(options)
}
