import type { Middleware, TurnContext } from 'botbuilder'
import { isOnlySecret, redactSecrets, type SecretKind } from '../src/core/secrets.js'
import { turnLogger } from './turnLogger.js'

const SECRETS = Symbol('secrets')

const NAMES: Record<SecretKind, string> = {
  pin: 'a PIN',
  password: 'a password',
  ssn: 'a Social Security number',
  edipi: 'a DoD ID number (EDIPI)',
}

/**
 * Runs before anything reads or stores the message: replaces PINs, passwords, SSNs and EDIPIs in the text,
 * warns the user without repeating the value, and marks messages that held nothing else.
 */
export function secretRedaction(): Middleware {
  return {
    async onTurn(context, next) {
      const { activity } = context
      if (activity.type === 'message' && typeof activity.text === 'string') {
        const { text, found } = redactSecrets(activity.text)
        if (found.length > 0) {
          activity.text = text
          context.turnState.set(SECRETS, { found, onlySecret: isOnlySecret(text) })
          turnLogger(context).warn({ kinds: found }, 'secret redacted')
          const what = found.map((kind) => NAMES[kind]).join(' and ')
          await context.sendActivity(
            `That looked like ${what}. Please never share your PIN, password, Social Security number or DoD ID number ` +
              `with anyone, including me or the help desk: nobody needs them to help you. I've removed it from this chat.`,
          )
        }
      }
      await next()
    },
  }
}

/** True when this turn's message held a secret and nothing else to act on. */
export function wasOnlySecret(context: TurnContext): boolean {
  return (context.turnState.get(SECRETS) as { onlySecret: boolean } | undefined)?.onlySecret ?? false
}

/** The kinds of secret removed from this turn's message (a typed PIN also tells us the user knows it). */
export function secretsFound(context: TurnContext): readonly SecretKind[] {
  return (context.turnState.get(SECRETS) as { found: SecretKind[] } | undefined)?.found ?? []
}
