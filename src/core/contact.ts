import { z } from 'zod'
import { REDACTED } from './secrets.js'

/** How the help desk can reach a user who left a message: an e-mail address, a phone number, or back in the chat. */
export type Contact = { kind: 'email'; value: string } | { kind: 'phone'; value: string } | { kind: 'chat' }

/** What a reply to "how can the help desk reach you?" was. */
export type ContactReading =
  | { ok: true; contact: Contact }
  /** A secret was removed from it (a PIN-shaped number, a password...): never a way to reach anyone. */
  | { ok: false; why: 'secret' }
  /** Digits, but too few for a phone number with its area code. */
  | { ok: false; why: 'short-phone' }
  | { ok: false; why: 'unreadable' }

const EMAIL_TOKEN = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/
const Email = z.email()
// A phone number as people type it: +, digits, spaces, dots, dashes, brackets; an extension after it.
const PHONE = /\+?\(?\d[\d\s().-]{5,}\d(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?/i
const CHECK_BACK = /\b(check back|come back|here|this chat|the chat|in chat|wait(ing)?|no (e-?mail|phone)|none|neither|no thanks)\b/i

/**
 * Reads a contact detail, checking its shape only: an e-mail address zod accepts, or a phone number of 10 to 15
 * digits (an area code included; DSN numbers are 10 digits written out too). Runs on the redacted text, so a
 * PIN-shaped answer arrives here as [redacted] and is refused.
 */
export function readContact(text: string): ContactReading {
  if (text.includes(REDACTED)) return { ok: false, why: 'secret' }
  const email = EMAIL_TOKEN.exec(text)?.[0]?.replace(/[.!?]+$/, '')
  if (email && Email.safeParse(email).success) return { ok: true, contact: { kind: 'email', value: email.slice(0, 254) } }
  const phone = PHONE.exec(text)?.[0]?.trim()
  if (phone) {
    const digits = phone.split(/x|ext|extension/i)[0]!.replace(/\D/g, '').length
    if (digits >= 10 && digits <= 15) return { ok: true, contact: { kind: 'phone', value: phone.slice(0, 40) } }
    if (digits >= 7) return { ok: false, why: 'short-phone' }
  }
  if (CHECK_BACK.test(text)) return { ok: true, contact: { kind: 'chat' } }
  return { ok: false, why: 'unreadable' }
}

/** The contact as an agent reads it. */
export function describeContact(contact: Contact | undefined): string | undefined {
  if (!contact) return undefined
  if (contact.kind === 'chat') return 'Will check back in the chat'
  return `${contact.kind === 'email' ? 'E-mail' : 'Phone'}: ${contact.value}`
}
