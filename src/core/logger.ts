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

type ConsoleLike = Pick<Console, 'error' | 'warn' | 'log' | 'info'>

/**
 * botbuilder reports some failures with `console.error` (a rejected token, an error in a turn it could not hand
 * back): routed through the logger they are JSON events with the error under `err`, not plain-text stack traces in
 * the JSON log stream. Only the composition root calls it.
 */
export function captureConsole(logger: Logger, target: ConsoleLike = console): void {
  const route = (level: 'error' | 'warn' | 'info') => (...args: unknown[]) => {
    const err = args.find((a): a is Error => a instanceof Error)
    const first = args.find((a) => typeof a === 'string')
    logger[level]({ err, source: 'console' }, typeof first === 'string' ? first.slice(0, 200) : 'library error')
  }
  target.error = route('error')
  target.warn = route('warn')
  target.log = route('info')
  target.info = route('info')
}
