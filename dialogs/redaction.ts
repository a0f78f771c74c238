import type { BotState, Middleware, TurnContext } from 'botbuilder'
import { StoredConversationState } from '../src/conversationState.js'
import type { ConversationStateStore } from '../src/core/ports.js'
import { isOnlySecret, offeredSecrets, redactSecrets, secretsNamed, type SecretKind } from '../src/core/secrets.js'
import { turnLogger } from './turnLogger.js'

const SECRETS = Symbol('secrets')
const MAX_QUESTION = 300

const NAMES: Record<SecretKind, string> = {
  pin: 'a PIN',
  password: 'a password',
  ssn: 'a Social Security number',
  edipi: 'a DoD ID number (EDIPI)',
}
/** What an offered secret is called in "please don't send …" (the one they have in mind, theirs or someone else's). */
const OFFERED: Record<SecretKind, string> = {
  pin: 'PIN',
  password: 'password',
  ssn: 'Social Security number',
  edipi: 'DoD ID number',
}
const OFFERS = Symbol('offers')

interface Found {
  found: SecretKind[]
  onlySecret: boolean
}

/**
 * The last question said in a conversation, by the bot or by an agent, in a record of its own: an agent's message
 * is sent outside the user's turn, and saving it there must not overwrite the dialog state of a turn in flight.
 */
export class LastAskedState extends StoredConversationState {
  constructor(store: ConversationStateStore) {
    super(store, { key: (context) => `${context.activity.channelId}/redaction/${context.activity.conversation.id}` })
  }
}

/** A bare 4 to 8 digit number (not part of a date, version or other number): what a PIN looks like. */
const BARE_PIN = /(?<![\d.,:/-])\d{4,8}(?![\d.,:/-])/g

/**
 * Runs before anything reads or stores the message: replaces PINs, passwords, SSNs and EDIPIs in the text and marks
 * messages that held nothing else. With `lastAsked`, it reads a message against the question the bot or an agent
 * asked last (after "what is your ticket number?" a number is not a PIN), and keeps that question up to date.
 */
export function secretRedaction({ lastAsked }: { lastAsked?: BotState } = {}): Middleware {
  const question = lastAsked?.createProperty<string>('question')
  // The secrets the last words named ("… no one should share a PIN"): what "i can send it to you" offers next.
  const named = lastAsked?.createProperty<SecretKind[]>('named')
  return {
    async onTurn(context, next) {
      const { activity } = context
      if (activity.type === 'message' && typeof activity.text === 'string') {
        let { text, found } = redactSecrets(activity.text, { question: question ? await question.get(context, '') : undefined })
        // "its 1357 if that helps" just after words about a PIN: a bare 4 to 8 digit number in a short reply is that PIN.
        const kinds = named && found.length === 0 ? await named.get(context, []) : []
        const bare = kinds.includes('pin') && text.split(/\s+/).length <= 10 ? text.replace(BARE_PIN, '[redacted]') : text
        if (bare !== text) {
          text = bare
          found = ['pin']
        }
        if (found.length > 0) {
          activity.text = text
          context.turnState.set(SECRETS, { found, onlySecret: isOnlySecret(text) } satisfies Found)
          turnLogger(context).warn({ kinds: found }, 'secret redacted')
        } else {
          // "I can just give you his PIN": nothing typed yet, and the reply must say not to.
          const offered = offeredSecrets(activity.text, { before: named ? await named.get(context, []) : [] })
          if (offered.length > 0) context.turnState.set(OFFERS, offered)
        }
      }
      if (!lastAsked || !question || !activity.conversation?.id) return next()
      // Only the turn's last words count: kept as replies go and saved once when the turn ends (a record written per
      // reply cost a state write each). A reply sent after the turn's own work (a failed turn's apology) is saved as sent.
      let said: string | undefined
      let over = false
      const remember = async (ctx: TurnContext, words: string) => {
        await question.set(ctx, words.includes('?') ? words.slice(0, MAX_QUESTION) : '')
        await named?.set(ctx, secretsNamed(words))
        await lastAsked.saveChanges(ctx)
      }
      context.onSendActivities(async (ctx, activities, nextSend) => {
        const responses = await nextSend()
        const words = activities.filter((a) => a.type === 'message' && typeof a.text === 'string').at(-1)?.text
        if (words !== undefined) {
          if (over) await remember(ctx, words)
          else said = words
        }
        return responses
      })
      try {
        await next()
      } catch (err) {
        over = true
        if (said !== undefined) await remember(context, said).catch(() => {}) // the turn's own error is the one to report
        throw err
      }
      over = true
      if (said !== undefined) await remember(context, said)
    },
  }
}

/**
 * Warns the user without repeating the value. A middleware of its own, after the transcript logger, so the warning
 * is in the transcript like every other reply.
 */
export function secretWarning(): Middleware {
  return {
    async onTurn(context, next) {
      const secrets = context.turnState.get(SECRETS) as Found | undefined
      if (secrets) {
        const what = secrets.found.map((kind) => NAMES[kind]).join(' and ')
        await context.sendActivity(
          `That looked like ${what}. Please never share your PIN, password, Social Security number or DoD ID number ` +
            `with anyone, including me or the help desk: nobody needs them to help you. I've removed it from this chat.`,
        )
      }
      const offered = context.turnState.get(OFFERS) as SecretKind[] | undefined
      if (offered) {
        const what = offered.length <= 2 ? `that ${offered.map((kind) => OFFERED[kind]).join(' or ')}` : 'it'
        await context.sendActivity(
          `Please don't send or type ${what} here, and never share it with anyone, including the help desk: ` +
            `nobody needs a PIN, password, Social Security number or DoD ID number to help you.`,
        )
      }
      await next()
    },
  }
}

/** True when this turn's message held a secret and nothing else to act on. */
export function wasOnlySecret(context: TurnContext): boolean {
  return (context.turnState.get(SECRETS) as Found | undefined)?.onlySecret ?? false
}

/** The kinds of secret removed from this turn's message (a typed PIN also tells us the user knows it). */
export function secretsFound(context: TurnContext): readonly SecretKind[] {
  return (context.turnState.get(SECRETS) as { found: SecretKind[] } | undefined)?.found ?? []
}

/** The kinds of secret this turn's message offered to send, none typed ("I can just give you his PIN"). */
export function secretsOffered(context: TurnContext): readonly SecretKind[] {
  return (context.turnState.get(OFFERS) as SecretKind[] | undefined) ?? []
}
