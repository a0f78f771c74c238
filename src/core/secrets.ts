/** What a secret looked like; the bot names the kind in its warning, never the value. */
export type SecretKind = 'pin' | 'password' | 'ssn' | 'edipi'

export const REDACTED = '[redacted]'

/** What the conversation says around a message: the question it answers, if any. */
export interface RedactionContext {
  /** The last thing the bot or an agent asked: after "what is your ticket number?" a number is not a PIN. */
  question?: string
}

// No secret is longer; longer runs of digits are something else (and cost nothing to skip).
const MAX_RUN_DIGITS = 12

// ---------------------------------------------------------------------------------------------------------------
// Normalisation: people type on phones, so digits come full-width, in other scripts, spaced out or with dashes.

/** Each character of `text` as ASCII-ish lower case, with where it came from, so spans map back to the original. */
function normalise(text: string): { plain: string; origin: number[] } {
  let plain = ''
  const origin: number[] = []
  let index = 0
  for (const char of text) {
    let mapped = char
    if (char.charCodeAt(0) < 0x80) {
      // ASCII: as typed (the common case, kept cheap)
    } else if (/\p{Nd}/u.test(char)) {
      mapped = String(digitValue(char.codePointAt(0)!))
    } else if (char.charCodeAt(0) > 0x7f) {
      mapped = char.normalize('NFKC')
      if (/^[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]$/.test(char)) mapped = '-' // hyphens, en and em dashes, minus
    }
    for (const piece of mapped.toLowerCase()) {
      plain += piece
      origin.push(index)
    }
    index += char.length
  }
  origin.push(index)
  return { plain, origin }
}

/** The value of any Unicode decimal digit: digits come in runs of ten, 0 first (Arabic-Indic, full-width, ...). */
function digitValue(codePoint: number): number {
  let start = codePoint
  while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1)) && codePoint - start < 50) start--
  return (codePoint - start) % 10
}

// ---------------------------------------------------------------------------------------------------------------
// Context: the words around a number decide what it is.

const PIN_WORDS = /\b(pin|pins|pin ?(number|code|#)|passcode|pincode)\b/
const PASSWORD_WORDS = /\b(password|passwords|passwd|pwd|pw|pword|pass ?phrase|pass ?word|passcode)\b/
const SSN_WORDS = /\b(ssn|ss#|ss ?no|social ?security( ?(number|no|#))?|social)\b/
const EDIPI_WORDS = /\b(edipi|edi ?pi|dod ?id( ?(number|no|#))?|dodid|dod ?#|dod number|dod id#|id number)\b/
// Labels that make a number plainly not a secret.
const SAFE_WORDS =
  /\b(ticket|tickets|case|request|req|incident|inc|reference|ref|order|confirmation|tracking|phone|call|cell|mobile|tel|telephone|fax|ext|extension|number to call|reach me|text me|step|steps|error|errors|code|codes|status|http|version|ver|v|build|model|serial|sn|s\/n|date|dated|born|on|since|year|years|zip|zipcode|room|rm|bldg|building|suite|unit|floor|page|line|option|windows|win|ios|android|chrome|edge|firefox|activclient|minutes|mins|hours|hrs|seconds|secs|days|times|tries|attempts|percent|kb|mb|gb|usd|dollars|\$|hd|ext\.)\b/
// A question whose answer is a number that is not a secret.
const SAFE_QUESTION =
  /\b(ticket|case|request|reference|incident|phone|call you|reach you|extension|error|code|step|version|build|model|date|when|how many|how long|which number|serial)\b/

/** The kind a label names, if `words` (the few words next to a number or string) carry one. */
function labelIn(words: string): SecretKind | 'safe' | undefined {
  if (SSN_WORDS.test(words)) return 'ssn'
  if (EDIPI_WORDS.test(words)) return 'edipi'
  if (PIN_WORDS.test(words)) return 'pin'
  if (PASSWORD_WORDS.test(words)) return 'password'
  if (SAFE_WORDS.test(words)) return 'safe'
  return undefined
}

/** The last `count` words before `end` (up to a sentence end), and the first words after `start`. */
function wordsBefore(plain: string, end: number, count: number): string {
  const before = plain.slice(Math.max(0, end - 60), end)
  const sentence = before.split(/[.!?;\n]\s|[\n]/).at(-1) ?? ''
  return sentence.split(/\s+/).filter(Boolean).slice(-count).join(' ')
}
function wordsAfter(plain: string, start: number, count: number): string {
  const after = plain.slice(start, start + 60)
  const sentence = after.split(/[.!?;\n]\s|[\n]/)[0] ?? ''
  return sentence.split(/\s+/).filter(Boolean).slice(0, count).join(' ')
}

/** The label nearest a span: a word right before it ("pin 1234", "ssn: ..."), else one after ("4471 is my pin"). */
function labelAround(plain: string, start: number, end: number): SecretKind | 'safe' | undefined {
  const near = wordsBefore(plain, start, 3)
  const far = wordsBefore(plain, start, 6)
  // "... is my pin", "... was my password": a label right after the value, joined by a small word or two.
  const after = /^[\s:=-]*(?:(?:is|was|for|as|being)\s+)?(?:(?:my|the|your|our|a|new|old|current)\s+)?([^\s.,!?;]+)(?:\s+([^\s.,!?;]+))?/.exec(
    plain.slice(end, end + 60),
  )
  const trailing = labelIn(`${after?.[1] ?? ''} ${after?.[2] ?? ''}`)
  const trailingLabel = trailing === 'safe' ? (labelIn(after?.[1] ?? '') === 'safe' ? 'safe' : undefined) : trailing
  const nearLabel = labelIn(near)
  if (nearLabel && nearLabel !== 'safe') return nearLabel
  if (trailingLabel && trailingLabel !== 'safe') return trailingLabel
  return nearLabel ?? trailingLabel ?? labelIn(far)
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers: a run of digits with the separators people put between them.

// Glued to letters counts too ("ssn123456789"); the label is then the word it is glued to.
const DIGIT_RUN = /(?<!\d)\(?\+?\d(?:(?:[ \t]{1,2}|[ \t]?[-.\/_][ \t]?|\)[ \t]?)?\d){0,60}(?!\d)/g

interface Finding {
  start: number
  end: number
  kind: SecretKind
}

const isDate = (digits: string) => {
  const iso = /^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(digits)
  const us = /^(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(19|20)\d\d$/.test(digits)
  return iso || us
}

/** What a run of digits is, from its shape, the words around it and the pending question. */
function classifyNumber(run: string, label: SecretKind | 'safe' | undefined, safeQuestion: boolean, pinQuestion: boolean): SecretKind | undefined {
  const digits = run.replace(/\D/g, '')
  const groups = run.split(/[^\d]+/).filter(Boolean).map((g) => g.length)
  const shape = groups.join('-')
  const n = digits.length
  if (n < 4 || n > MAX_RUN_DIGITS) return undefined
  const spacedOut = groups.length >= 4 && groups.every((g) => g === 1) // "5 5 1 9 0 2"
  if (label === 'ssn') return n === 9 || n === 4 ? 'ssn' : undefined
  if (label === 'edipi') return n === 10 ? 'edipi' : undefined
  if (label === 'pin') return n >= 4 && n <= 8 ? 'pin' : undefined
  if (label === 'password') return 'password'
  if (/\./.test(run) && groups.length === 4 && groups.every((g) => g <= 3)) return undefined // an IP address
  const phoneShaped = shape === '3-4' || shape === '3-3-4' || shape === '1-3-3-4' || /^\(|^\+/.test(run)
  const dateShaped = /^(4-2-2|2-2-4|1-1-4|1-2-4|2-1-4)$/.test(shape) || (n === 8 && groups.length === 1 && isDate(digits))
  if (shape === '3-2-4') return 'ssn' // unmistakable, whatever the words say
  if (label === 'safe' || safeQuestion || phoneShaped || dateShaped) return undefined
  if (n === 9) return 'ssn'
  if (n === 10) return 'edipi'
  if (n >= 6 && n <= 8) return 'pin' // CAC PINs are 6 to 8 digits
  if (pinQuestion && n >= 4) return 'pin'
  if (spacedOut && n >= 4) return 'pin'
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Passwords: a string next to a password word, in either order, or what "it" was changed to.

// Words that follow "password is" in complaints, not passwords ("my password is expired").
const NOT_A_PASSWORD = new Set(
  (
    'not wrong expired expiring locked incorrect correct invalid working broken reset still too no the my a an bad same ' +
    'old new blocked disabled required needed asking rejected refused changed lost forgotten gone missing fine ok okay ' +
    'right different case sensitive long short weak strong and or but for to of on in it is was be been that this what ' +
    'which when where why how i me you your we our they their there here just only also never always again now then ' +
    'doesnt dont cant wont isnt wasnt didnt hasnt field box prompt screen page dialog window expire expires ' +
    'change changing update updated work works please help thanks thank being getting keeps keep showing shown saying says ' +
    'denied failing failed accepted taken stuck messed asked prompting'
  ).split(/\s+/),
)
const PASSWORD_CUE = new RegExp(
  String.raw`\b(?:password|passwd|pwd|pw|pword|pass ?phrase|passcode)\b(?:\s+(?:is|was|=|:|-|of|now|reads|would be|should be|to|became|will be))*\s*[:=]?\s*`,
  'g',
)
const CHANGED_TO = /\b(?:changed|change|set|reset|updated|update|made|switched)\s+(?:it|my password|my pw|the password|my pin|that)\s+to\s+/g
const TRAILING_PASSWORD = /(?<!\S)(\S{1,64})\s+(?:is|was|=|being|as)\s+(?:my|the|our|a)?\s*(?:new\s+|old\s+|current\s+)?(?:password|passwd|pwd|pw|pass ?phrase)\b/g

const looksLikePassword = (token: string) =>
  token.length >= 4 && !NOT_A_PASSWORD.has(token) && !/^\[redacted\]$/.test(token) && !/^(https?:|www\.)/.test(token)
const looksComplex = (token: string) => token.length >= 6 && /\d/.test(token) && /[a-z]/.test(token)

/** Trims quotes and closing punctuation people put around a password. */
function tokenAt(plain: string, start: number): { start: number; end: number; token: string } | undefined {
  const match = /^["'`“‘(]?(\S+?)["'`”’)]?[.,!?;]*(?=\s|$)/.exec(plain.slice(start))
  if (!match) return undefined
  const lead = match[0].indexOf(match[1]!)
  return { start: start + lead, end: start + lead + match[1]!.length, token: match[1]! }
}

function findPasswords(plain: string, findings: Finding[]): void {
  for (const match of plain.matchAll(PASSWORD_CUE)) {
    const token = tokenAt(plain, match.index + match[0].length)
    if (token && looksLikePassword(token.token) && !/^\d{1,3}$/.test(token.token)) findings.push({ ...token, kind: 'password' })
  }
  for (const match of plain.matchAll(CHANGED_TO)) {
    const token = tokenAt(plain, match.index + match[0].length)
    const pinChange = /pin/.test(match[0])
    if (!token) continue
    if (pinChange && /^\d{4,8}$/.test(token.token)) findings.push({ ...token, kind: 'pin' })
    else if (!pinChange && looksLikePassword(token.token) && (looksComplex(token.token) || /password|pw/.test(match[0]))) {
      findings.push({ ...token, kind: 'password' })
    }
  }
  for (const match of plain.matchAll(TRAILING_PASSWORD)) {
    const value = match[1]!.replace(/^["'`“‘]|["'`”’]$/g, '')
    if (!looksLikePassword(value) || /^(it|this|that|what|which|mine)$/.test(value)) continue
    const start = match.index + match[0].indexOf(value)
    findings.push({ start, end: start + value.length, kind: 'password' })
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Removes anything that looks like a PIN, password, SSN or EDIPI; says which kinds it removed. */
export function redactSecrets(text: string, context: RedactionContext = {}): { text: string; found: SecretKind[] } {
  const { plain, origin } = normalise(text)
  const question = (context.question ?? '').toLowerCase()
  const safeQuestion = SAFE_QUESTION.test(question) && !PIN_WORDS.test(question)
  const pinQuestion = PIN_WORDS.test(question)
  const findings: Finding[] = []

  findPasswords(plain, findings)
  for (const match of plain.matchAll(DIGIT_RUN)) {
    const run = match[0]
    const start = match.index
    const end = start + run.length
    const digits = run.replace(/\D/g, '').length
    if (digits < 4 || digits > MAX_RUN_DIGITS) continue // too short to be a secret, or not a number people type as one
    if (findings.some((f) => f.start <= start && f.end >= end)) continue // inside a password already found
    const kind = classifyNumber(run, labelAround(plain, start, end), safeQuestion, pinQuestion)
    if (kind) findings.push({ start, end, kind })
  }

  if (findings.length === 0) return { text, found: [] }
  // Back to the typed characters.
  const spans = findings
    .map((f) => ({ kind: f.kind, start: origin[f.start]!, end: origin[f.end]! }))
    .sort((a, b) => a.start - b.start || b.end - a.end)
  let result = ''
  let at = 0
  const found = new Set<SecretKind>()
  for (const span of spans) {
    if (span.end <= at) continue // overlaps a span already removed
    result += text.slice(at, Math.max(at, span.start)) + REDACTED
    at = span.end
    found.add(span.kind)
  }
  result += text.slice(at)
  return { text: result, found: [...found] }
}

/** True when nothing but secrets, punctuation and filler is left after redaction. */
export function isOnlySecret(redacted: string): boolean {
  const rest = redacted
    .split(REDACTED)
    .join(' ')
    .toLowerCase()
    .replace(/\b(my|the|is|was|pin|password|pw|pwd|ssn|edipi|dod|id|number|here|it|its|this|and|:)\b/g, ' ')
    .replace(/[^a-z]/g, '')
  return rest.length < 3
}
