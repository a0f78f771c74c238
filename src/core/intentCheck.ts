import { IntentSchema, NONE, type Intent } from '../../intents/intent.js'
import { HelpDeskError } from './errors.js'
import type { Procedure } from './procedures.js'
import { z } from 'zod'

/** The intents the dialogs handle themselves (no procedure). */
export const CONTROL_INTENTS = ['greeting', 'thanks', 'goodbye', 'help', 'cancel', 'start-over', 'human-agent'] as const

/** Checks intents against each other and against the procedures; throws naming the intent at fault. */
export function checkIntents(intents: readonly Intent[], procedures: ReadonlyMap<string, Procedure>): void {
  const seen = new Map<string, string>()
  for (const intent of intents) {
    const parsed = IntentSchema.safeParse(intent)
    const name = `intent "${String((intent as { id?: unknown }).id)}"`
    if (!parsed.success) throw new HelpDeskError('HD_INTENTS_INVALID', `${name}: ${z.prettifyError(parsed.error)}`)
    if (seen.has(intent.id)) throw new HelpDeskError('HD_INTENTS_INVALID', `${name}: duplicate id`)
    seen.set(intent.id, intent.id)
    if (intent.procedure && !procedures.has(intent.procedure)) {
      throw new HelpDeskError('HD_INTENTS_INVALID', `${name}.procedure: unknown procedure "${intent.procedure}"`)
    }
    const isControl = (CONTROL_INTENTS as readonly string[]).includes(intent.id) || intent.id === NONE
    if (intent.procedure && intent.refer) {
      throw new HelpDeskError('HD_INTENTS_INVALID', `${name}: has both a procedure and a refer line (refer is for out-of-scope topics)`)
    }
    if (!intent.procedure && !intent.refer && !isControl) {
      throw new HelpDeskError('HD_INTENTS_INVALID', `${name}: needs a procedure (only control intents and out-of-scope topics have none)`)
    }
    if (intent.refer && /(https?:|www\.|@|\d{3}[-. )]\d{3,4})/i.test(intent.refer)) {
      throw new HelpDeskError('HD_INTENTS_INVALID', `${name}.refer: no web address, e-mail or phone number (the page gives none)`)
    }
  }
  for (const id of [...CONTROL_INTENTS, NONE]) {
    if (!seen.has(id)) throw new HelpDeskError('HD_INTENTS_INVALID', `intent "${id}" is missing`)
  }
  const utterances = new Map<string, string>()
  for (const intent of intents) {
    for (const text of intent.utterances) {
      const key = text.toLowerCase().trim()
      const other = utterances.get(key)
      if (other && other !== intent.id) {
        throw new HelpDeskError('HD_INTENTS_INVALID', `intent "${intent.id}": utterance "${text}" is also in "${other}"`)
      }
      utterances.set(key, intent.id)
    }
  }
}
