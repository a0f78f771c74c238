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

// What each non-ASCII character maps to, computed once per character (Unicode tests cost, messages repeat them).
const mappedChars = new Map<string, string>()

function mapChar(char: string): string {
  let mapped = mappedChars.get(char)
  if (mapped !== undefined) return mapped
  if (/\p{Nd}/u.test(char)) mapped = String(digitValue(char.codePointAt(0)!))
  else if (/^[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]$/.test(char)) mapped = '-' // hyphens, en and em dashes, minus
  else mapped = char.normalize('NFKC')
  mapped = mapped.toLowerCase()
  if (mappedChars.size < 10_000) mappedChars.set(char, mapped)
  return mapped
}

/** Each character of `text` as ASCII-ish lower case, with where it came from, so spans map back to the original. */
function normalise(text: string): { plain: string; origin: ArrayLike<number> } {
  if (/^[\x00-\x7f]*$/.test(text)) {
    // ASCII, the common case: lower case keeps every index.
    const origin = new Int32Array(text.length + 1)
    for (let i = 0; i <= text.length; i++) origin[i] = i
    return { plain: text.toLowerCase(), origin }
  }
  let plain = ''
  const origin: number[] = []
  let index = 0
  for (const char of text) {
    const mapped = char.charCodeAt(0) < 0x80 ? char.toLowerCase() : mapChar(char)
    for (const piece of mapped) {
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
// Context: the words around a number decide what it is. The label nearest the value wins ("edipi: … pin: 551902").

// Every way people wrote "password" in the phrasings we saw: typos, abbreviations, Spanish.
const PW = String.raw`(?:pass ?words?|pass ?phrases?|pasw(?:or)?ds?|passw(?:o?r|ro)?ds?|passowrds?|pssw(?:or)?ds?|pswds?|pwds?|pws?|p\/w|pwords?|passcodes?|contrase(?:ñ|n)as?|claves?)`
const PIN = String.raw`(?:pin ?(?:number|code|#|no)|pins?|pincode|nip)`
const SSN = String.raw`(?:ssn|ss#|ss ?no|social ?security(?: ?(?:number|no|#))?|social|seguro social)`
const EDIPI = String.raw`(?:edipi|edi ?pi|dod ?id(?: ?(?:number|no|#))?|dodid|dod ?#|dod number|id number)`
// Labels that make the number after them plainly not a secret.
const SAFE = String.raw`(?:ticket|tickets|case|request|req|incident|inc|reference|ref|order|confirmation|tracking|phone|call|callback|cell|mobile|tel|telephone|fax|ext|extension|x(?=\s?\d)|dsn|reach me|text me|step|steps|error|errors|code|codes|status|http|version|ver|v|build|model|serial|sn|s\/n|date|dated|born|since|year|zip|zipcode|room|rm|bldg|building|site|suite|unit|floor|page|line|option|windows|win|ios|android|chrome|edge|firefox|activclient|hd|kb)`
const LABEL = new RegExp(String.raw`(?<![a-z])(?:(?<ssn>${SSN})|(?<edipi>${EDIPI})|(?<pin>${PIN})|(?<password>${PW})|(?<safe>${SAFE}))(?![a-z])`, 'g')
// Units right after a number: "30 minutes", "3 times", "15 characters".
const UNIT_AFTER = /^\s*(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|days?|weeks?|months?|years?|times|tries|attempts|percent|%|kb|mb|gb|bytes|bit|bits|users|people|characters|chars|digits|letters|words|pages|dollars|usd|euros?|yen|pounds|bucks|miles|km|points)\b/

const FULL_LABEL = new RegExp(String.raw`^(?:${PW}|${PIN}|${SSN}|${EDIPI})$`)
const SECRET_WORDS_ALL = new RegExp(String.raw`(?<![a-z])(?:${PIN}|${SSN}|${EDIPI}|${PW}|pass)(?![a-z])`, 'g')
const LABEL_GLUED = new RegExp(String.raw`^(?:${PIN}|${SSN}|${EDIPI}|${PW}|pass)[:=#-]`)
const PIN_WORDS = new RegExp(String.raw`(?<![a-z])${PIN}(?![a-z])`)
const SECRET_WORDS = new RegExp(String.raw`(?<![a-z])(?:${PIN}|${SSN}|${EDIPI}|${PW})(?![a-z])`)
// A question whose answer is a number that is not a secret (the bot and agents never ask for one).
// The bot's "how can the help desk reach you?" (dialogs/messages.ts contactQuestion) says this.
const CONTACT_QUESTION = /\be-?mail address or a phone number\b/
const SAFE_QUESTION =
  /\b(ticket|case|request|reference|incident|phone|call ?back|call you|reach you|contact|extension|number|error|code|step|version|build|model|date|when|how many|how long|which number|serial)\b/
// A message telling of a PIN typed and refused: a 4-8 digit number in it is the PIN.
const PIN_STORY = new RegExp(String.raw`(?<![a-z])(?:${PIN}|locked|lock|blocked|wrong|incorrect|invalid|tries|attempts|prompt|prompted|rejected|reader)(?![a-z])`)

type Label = SecretKind | 'safe'

interface LabelAt {
  start: number
  end: number
  kind: Label
}

/** Every label in the message and where each sentence begins, found once (a message may hold hundreds of numbers). */
function labelsOf(plain: string): { labels: LabelAt[]; breaks: number[] } {
  const labels: LabelAt[] = []
  for (const match of plain.matchAll(LABEL)) {
    const g = match.groups!
    const kind: Label = g.ssn ? 'ssn' : g.edipi ? 'edipi' : g.pin ? 'pin' : g.password ? 'password' : 'safe'
    labels.push({ start: match.index, end: match.index + match[0].length, kind })
  }
  const breaks = [...plain.matchAll(/[.!?;\n]\s|\n/g)].map((m) => m.index + m[0].length)
  return { labels, breaks }
}

/** The last index in ascending `items` whose `key` is at most `at`, or -1. */
function lastAtMost<T>(items: T[], key: (item: T) => number, at: number): number {
  let low = 0
  let high = items.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    if (key(items[mid]!) <= at) (found = mid), (low = mid + 1)
    else high = mid - 1
  }
  return found
}

/** The labels in the few words before `end`, in the same sentence, nearest first. */
function labelsBefore({ labels, breaks }: { labels: LabelAt[]; breaks: number[] }, end: number): Label[] {
  const sentenceStart = Math.max(end - 50, breaks[lastAtMost(breaks, (b) => b, end)] ?? 0)
  const nearest: Label[] = []
  for (let i = lastAtMost(labels, (l) => l.end, end); i >= 0 && labels[i]!.start >= sentenceStart; i--) nearest.push(labels[i]!.kind)
  return nearest
}

const AFTER_VALUE = /[\s:=-]*(?:(?:is|was|for|as|being|es|era)\s+)?(?:(?:my|the|your|our|a|new|old|current|mi|la|el)\s+)?([^\s.,!?;]+(?:\s+[^\s.,!?;]+)?)/y

/** "… is my pin", "… was my password": a label right after the value, joined by a small word or two. */
function labelAfter(plain: string, { labels }: { labels: LabelAt[] }, end: number): Label | undefined {
  AFTER_VALUE.lastIndex = end
  const after = AFTER_VALUE.exec(plain)
  if (!after) return undefined
  const from = end + after[0].length - after[1]!.length
  const to = end + after[0].length
  const i = lastAtMost(labels, (l) => l.start, from - 1) + 1
  const label = labels[i]
  if (!label || label.start >= to) return undefined
  return label.kind === 'safe' && label.start > from ? undefined : label.kind
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers: a run of digits with the separators people put between them.

// Glued to letters counts too ("ssn123456789"); the label is then the word it is glued to.
const DIGIT_RUN = /(?<!\d)\(?\+?\d(?:(?:[ \t]{1,2}|[ \t]?[-.\/_][ \t]?|\)[ \t]?)?\d){0,60}(?!\d)/g
// Digits spelled out: "eight four two nine one three".
const DIGIT_WORDS: Record<string, number> = {
  zero: 0, oh: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  cero: 0, uno: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9,
}
const DIGIT_WORD = Object.keys(DIGIT_WORDS).join('|')
const SPELLED_RUN = new RegExp(String.raw`(?<![a-z])(?:${DIGIT_WORD})(?:[\s,-]{1,3}(?:${DIGIT_WORD})){3,11}(?![a-z])`, 'g')

interface Finding {
  start: number
  end: number
  kind: SecretKind
}

interface NumberContext {
  labels: Label[] // nearest first
  glued: 'label' | 'word' | undefined // letters right against the digits: "pin551902", "SCR3500A"
  after: Label | undefined
  unitAfter: boolean
  safeQuestion: boolean
  pinQuestion: boolean
  /** The bot asked how to reach the user: a phone number is expected, and any shorter number is refused as a PIN. */
  contactQuestion: boolean
  pinStory: boolean
}

const validDate = (y: number, m: number, d: number) => y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31
const isDate = (digits: string) =>
  (digits.length === 8 && validDate(+digits.slice(0, 4), +digits.slice(4, 6), +digits.slice(6))) ||
  (digits.length === 8 && (validDate(+digits.slice(4), +digits.slice(0, 2), +digits.slice(2, 4)) || validDate(+digits.slice(4), +digits.slice(2, 4), +digits.slice(0, 2))))
const fits = (kind: SecretKind, n: number) =>
  kind === 'ssn' ? n === 9 || n === 4 : kind === 'edipi' ? n === 10 : kind === 'pin' ? n >= 4 && n <= 8 : false

/** What a run of digits is, from its shape, the words around it and the pending question. */
function classifyNumber(run: string, context: NumberContext): SecretKind | undefined {
  const digits = run.replace(/\D/g, '')
  const groups = run.split(/[^\d]+/).filter(Boolean)
  const sizes = groups.map((g) => g.length)
  const shape = sizes.join('-')
  const n = digits.length
  if (n < 4 || n > MAX_RUN_DIGITS) return undefined
  const separated = groups.length > 1
  if (/\./.test(run) && groups.length === 4 && sizes.every((g) => g <= 3)) return undefined // an IP address
  // A date written with separators (01/12/2024, 2024-01-15), or a reference that starts with a year (2024-0115-0042).
  if (separated && /^(4-2-2|2-2-4|1-1-4|1-2-4|2-1-4)$/.test(shape) && /[-./]/.test(run)) {
    const [a, b, c] = groups.map(Number) as [number, number, number]
    if (sizes[0] === 4 ? validDate(a, b, c) : validDate(c, a, b) || validDate(c, b, a)) return undefined
  }
  if (groups.length >= 3 && /^(19|20)\d\d$/.test(groups[0]!)) return undefined
  // With a two-digit year: 12/21/17, 3/6/24.
  if (/^\d{1,2}\/\d{1,2}\/\d\d$/.test(run)) {
    const [a, b] = groups.map(Number) as [number, number]
    if ((a <= 12 && b <= 31) || (b <= 12 && a <= 31)) return undefined
  }
  const spacedOut = groups.length >= 4 && sizes.every((g) => g === 1) && /^[\d \t]+$/.test(run) // "5 5 1 9 0 2"
  const { labels, after } = context
  if (context.glued === 'word') return undefined // part of a model or a name: SCR3500A, 22H2
  const nearest = labels[0] ?? after
  if (nearest === 'safe') return shape === '3-2-4' ? 'ssn' : undefined
  // Each label applies to a value of its own shape: "SSN and EDIPI: 123456789 / 1234567890".
  const candidates = [...labels, ...(after ? [after] : [])].filter((l): l is SecretKind => l !== 'safe' && l !== 'password')
  for (const kind of candidates) if (fits(kind, n)) return kind
  if (shape === '3-2-4') return 'ssn' // unmistakable, whatever the words say
  if (/\./.test(run)) return undefined // a version or a decimal ("12.04"), unless a label said otherwise
  const phoneShaped = shape === '3-4' || shape === '3-3-4' || shape === '1-3-3-4' || /^\(|^\+/.test(run)
  // Asked for a phone number, a number too short for one (4 to 9 digits) is what a stressed user types by mistake: a PIN.
  if (context.contactQuestion && !phoneShaped && n <= 9) return n === 9 ? 'ssn' : 'pin'
  if (context.unitAfter || context.safeQuestion || phoneShaped || (n === 8 && !separated && isDate(digits))) return undefined
  if (n === 9) return 'ssn'
  if (n === 10) return 'edipi'
  if (n >= 6 && n <= 8) return 'pin' // CAC PINs are 6 to 8 digits
  const year = n === 4 && /^(19|20)\d\d$/.test(digits)
  if ((context.pinQuestion || candidates.includes('pin') || (context.pinStory && !year)) && n >= 4) return 'pin'
  if (spacedOut) return 'pin'
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Passwords: a string next to a password word, in either order, or what "it" was changed to, or a token that
// looks like one in a message about signing in. A redacted non-secret costs little; a leaked password costs a lot.

// Words that follow "password is" in complaints, not passwords ("my password is expired").
const NOT_A_PASSWORD = new Set(
  (
    'not wrong expired expiring locked incorrect correct invalid working broken reset still too no the my a an bad same ' +
    'old new blocked disabled required needed asking rejected refused changed lost forgotten gone missing fine ok okay ' +
    'right different case sensitive long short weak strong and or but for to of on in it is was be been that this what ' +
    'which when where why how i me you your we our they their there here just only also never always again now then ' +
    'doesnt dont cant wont isnt wasnt didnt hasnt field box prompt screen page dialog window expire expires ' +
    'change changing update updated work works please help thanks thank being getting keeps keep showing shown saying says ' +
    'denied failing failed accepted taken stuck messed asked prompting ' +
    'forgot forget forgetting must should needs need has have had can could will would may might does did do done ' +
    'characters chars digits letters numbers symbols empty blank error issue issues problem problems reset resets ' +
    'at least more less exactly about over under with without from into after before since until because so if ' +
    'policy rules requirements complexity history length expiration expired. manager page portal link email mail ' +
    'account accounts login logon sign signin ako dko cac pin pins ssn edipi card reader one ones thing stuff ' +
    'something anything nothing everything nope yes yeah yep unknown same. mine yours his hers theirs its ' +
    'too. either neither both all any some none every each other another ' +
    'es mi la el no sé se nueva nuevo vieja viejo actual incorrecta incorrecto correcta correcto bloqueada ' +
    'caducada caducó expiró olvidé olvidada olvidado funciona sirve para por con que ' +
    'yesterday today tomorrow tonight morning week weekend were are later earlier ' +
    'really very pretty probably definitely super so kinda like literally totally actually basically usually mine ' +
    'case-sensitive up-to-date out-of-date self-service log-in sign-in e-mail'
  ).split(/\s+/),
)
const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '`': '`', '“': '”', '”': '”', '‘': '’', '’': '’', '«': '»', '‹': '›', '„': '“' }

interface Token {
  start: number
  end: number
  token: string
  quoted: boolean
}

/** The value at `start`: a quoted string (spaces and all), else the next word without closing punctuation. */
function tokenAt(plain: string, start: number): Token | undefined {
  const close = QUOTE_PAIRS[plain[start] ?? '']
  if (close) {
    const end = plain.indexOf(close, start + 1)
    if (end > start + 1 && end - start <= 65 && !plain.slice(start + 1, end).includes('\n')) {
      return { start: start + 1, end, token: plain.slice(start + 1, end), quoted: true }
    }
  }
  // A closing '!' may be the password's own ("Sol2024!"): redacting it costs nothing.
  const match = /^\(?(\S+?!*)["'`”’»)]?[.,?;:]*(?=\s|$)/.exec(plain.slice(start, start + 80))
  if (!match) return undefined
  const lead = match[0].indexOf(match[1]!)
  return { start: start + lead, end: start + lead + match[1]!.length, token: match[1]!, quoted: false }
}

const CONTRACTION = /^[a-z]+['’](?:s|t|re|ll|ve|d|m)$/
/** Could this be a password at all (not a word of the complaint around it)? */
const looksLikePassword = (t: Token) => {
  if (t.quoted) return t.token.trim().length >= 3
  const word = t.token.replace(/!+$/, '') // "my password is wrong!"
  return (
    t.token.length >= 4 &&
    !NOT_A_PASSWORD.has(word) &&
    !(/^[a-z]{4,12}$/.test(word) && /(?:ed|ing|ly)$/.test(word)) && // "is saved", "is expiring", "is really"
    !FULL_LABEL.test(word) &&
    !CONTRACTION.test(word) &&
    !/^\[redacted\]$/.test(t.token) &&
    !/^(https?:|www\.)/.test(t.token) &&
    !/^\d{1,3}$/.test(word) &&
    !/^[*•●·x]+$/.test(word) // typed masked: "********"
  )
}
/** Does it look made up (digits or symbols among letters), not a plain word? */
const looksComplex = (t: string) => t.length >= 6 && /[a-z]/i.test(t) && /[\d\W_]/.test(t) && !/^[a-z]+[.,!?]+$/.test(t)

/** The typed characters' classes: lower, upper, digit, symbol. */
function classesOf(original: string): number {
  return (/[a-z]/.test(original) ? 1 : 0) + (/[A-Z]/.test(original) ? 1 : 0) + (/\d/.test(original) ? 1 : 0) + (/[^A-Za-z\d]/.test(original) ? 1 : 0)
}

// Words of our own domain that mix cases, digits and symbols and are not passwords.
const DOMAIN_TOKEN =
  /^(?:(?:sm@rtcafe|activclient|activid|installroot|dod_?root|g\+d|iphone|ipad|windows|win\d|macos|ios\d|android|chrome|edge|firefox|x64|x86|arm64|tls|sha\d|rsa\d|scr\d|gx\d|0x[\da-f]|https?:|www\.)\S*|(?:ctrl|alt|shift|cmd|win)\+\S+|\S+@\S+\.\S+|\S*\.(?:mil|com|gov|org|net|edu|us|exe|msi|dll|cer|crt|p7b|pdf)(?:[/:]\S*)?)$/i

/** A token that looks like a password from its shape alone: 8+ characters, three of lower/upper/digit/symbol. */
function strongToken(original: string): boolean {
  if (original.length < 8 || original.length > 64 || /\s/.test(original)) return false
  if (classesOf(original) < 3) return false
  if (DOMAIN_TOKEN.test(original)) return false
  if (LABEL_GLUED.test(original.toLowerCase())) return false // "pin=123456": a label and its value, each read on its own
  if (!/[a-z]/.test(original) && /^[A-Z\d]+(?:[-_.#:/][A-Z\d]+)*$/.test(original)) return false // HD-1A2B3C4D, INC-0042
  if (/^v?\d+(?:[.\-_]\w+)+$/i.test(original)) return false // versions, builds
  if (/^[a-z]+[-_ ]?v?\d+(?:\.\d+)+$/i.test(original)) return false // a product and its version: InstallRoot5.5
  // Words joined by punctuation, no digit: Re-Enter, Share/Sync, AKO/DKO, and "correct?I" typed without a space.
  if (/^[a-z]+(?:[-'’./,?;:&+][a-z]+)+$/i.test(original)) return false
  // A word inside a separator line: "-----Original Message-----", "=====Forwarded=====".
  if (/^[-_=*~#]*[a-z]+[-_=*~#]*$/i.test(original) && /^[-_=*~#]{2,}|[-_=*~#]{2,}$/.test(original)) return false
  return true
}

const SAFE_WORD = new RegExp(String.raw`(?<![a-z])${SAFE}(?![a-z])`)
/** A quoted string in a message about signing in: one word made up, or a few words, one with digits, all four kinds of character. */
function quotedPassword(typed: string, aboutPasswords: boolean): boolean {
  if (!/\s/.test(typed)) return aboutPasswords ? looksComplex(typed) : strongToken(typed)
  const words = typed.trim().split(/\s+/)
  // Quoted error messages ("403 – Access Forbidden") are words and numbers; a password has a word with digits in it.
  const leet = words.some((w) => /[a-z]/i.test(w) && /\d/.test(w) && !DOMAIN_TOKEN.test(w))
  return words.length <= 4 && leet && classesOf(words.join('')) === 4 && !SAFE_WORD.test(typed.toLowerCase())
}

// A message about signing in: where a strong-looking token is a password even with no password word.
const LOGIN_TOPIC = new RegExp(
  String.raw`(?<![a-z])(?:${PW}|log ?in|logging in|logon|log on|sign ?in|signing in|sign on|credentials?|creds|invalid|incorrect|wrong|denied|locked out|authenticat\w*|account|ako|dko|owa|username|user ?name|iniciar sesi[oó]n|acceso|cuenta|tried|typed|entered)(?![a-z])`,
)
const PASSWORD_TOPIC = new RegExp(String.raw`(?<![a-z])(?:${PW}|pass)(?![a-z])`)

// "password is X", "pw: X", "PW-> X", "contraseña es X", "pass = X", "password (case sensitive): X".
const PASSWORD_CUE = new RegExp(
  String.raw`(?<![a-z])(?<word>${PW}|pass(?=\s+(?:is|was|es)\s|\s*(?:[:=]|->|=>)))(?![a-z])(?:\s*\([^)\n]{0,40}\))?` +
    // "password for my AKO account is", "contraseña de AKO es"
    String.raw`(?:\s+(?:for|de|del|on|para|in|to)\s+(?:(?:the|my|mi|el|la)\s+)?[^\s:=]+(?:\s+(?:account|cuenta|site|portal|login))?(?=\s*(?:(?:is|are|was|were|es|era)\s|[:=]|->)))?` +
    String.raw`(?<link>(?:\s*(?:\b(?:is|are|was|were|now|reads|would be|should be|to|became|will be|es|era|son|eran|ser[ií]a|ser[aá]|of|de|nueva|nuevo|actual|temporal|vieja|viejo|anterior|still|currently)\b|[:=]|->|=>|→|-))*)\s*`,
  'g',
)
// "temporary password they gave me: X": a few words, then a colon or an arrow.
const PASSWORD_GAP_CUE = new RegExp(String.raw`(?<![a-z])${PW}(?![a-z])[^:=\n.!?>→]{1,40}?(?::|=|->|=>|→)\s*`, 'g')
const CHANGED_TO =
  /\b(?:changed|change|set|reset|updated|update|made|switched|cambi[eé]|puse)\s+(?:it|my password|my pw|the password|my pin|that|mine|la|mi contraseña)\s+(?:to|as|a|en)\s+/g
// "I set X", "I even tried X", "typed X": a made-up looking value after them, in a message about signing in.
const VERB_CUE =
  /\b(?:(?:i|we) )?(?:also |even |then |just )?(?:set|tried|try|typed|type|entered|enter|used|use|put in|input|keyed in|made)(?: in)?(?: both)?\s+|\b(?:probé|puse|intenté con)\s+/g
// Cues that name a password without saying so: "the new one is X", "they gave me X".
const ONE_IS_CUE = /\b(?:(?:new|old|current|temp|temporary|other|last|first) one (?:is|was|=|:)|gave me|assigned me|me dieron)\s+/g
const TRAILING_PASSWORD = new RegExp(
  String.raw`(?<!\S)(\S{1,64})\s+(?:is|was|=|being|as|es|era|fue)\s+(?:my|the|our|a|mi|la)?\s*(?:new\s+|old\s+|current\s+|nueva\s+|vieja\s+)?${PW}(?![a-z])`,
  'g',
)
// "old passwords X and Y": more values joined to the first.
const AND_MORE = /^\s*(?:,\s*(?:and|or|y|o)?|and|or|y|o|&|\/|then|,\s*then)\s+/

function findPasswords(text: string, plain: string, origin: ArrayLike<number>, findings: Finding[]): void {
  const add = (t: Token, kind: SecretKind = 'password') => findings.push({ start: t.start, end: t.end, kind })
  /** A value and the ones joined to it ("X and Y", "X, Y or Z"). */
  const addWithMore = (first: Token, accept: (t: Token) => boolean) => {
    add(first)
    let at = first.end + (first.quoted ? 1 : 0)
    for (let i = 0; i < 4; i++) {
      const joint = AND_MORE.exec(plain.slice(at, at + 12))
      if (!joint) return
      const next = tokenAt(plain, at + joint[0].length)
      if (!next || !accept(next)) return
      add(next)
      at = next.end + (next.quoted ? 1 : 0)
    }
  }
  const original = (t: Token) => text.slice(origin[t.start], origin[t.end])
  const madeUp = (t: Token) => t.quoted || ((looksComplex(t.token) || strongToken(original(t))) && !DOMAIN_TOKEN.test(original(t)))

  for (const match of plain.matchAll(PASSWORD_CUE)) {
    const token = tokenAt(plain, match.index + match[0].length)
    if (!token || !looksLikePassword(token)) continue
    // "password is sunshine" names a value; after a bare "password" only a made-up string does ("password expired").
    const named = /\b(?:is|are|was|were|es|era|son|eran|reads|became|be|ser[ií]a|ser[aá])\b|[:=>→-]/.test(match.groups!.link!)
    if (!named && !madeUp(token) && !/^\d{4,12}$/.test(token.token)) continue
    if (/^passcode/.test(match.groups!.word!) && /^\d{4,8}$/.test(token.token)) {
      add(token, 'pin') // a card's passcode is its PIN
      continue
    }
    const several = /[^s]s$/.test(match.groups!.word!) // "old passwords X and Y" (not "pass")
    addWithMore(token, (t) => looksLikePassword(t) && (several || madeUp(t)))
  }
  for (const match of plain.matchAll(PASSWORD_GAP_CUE)) {
    const token = tokenAt(plain, match.index + match[0].length)
    if (token && looksLikePassword(token) && madeUp(token)) addWithMore(token, (t) => looksLikePassword(t) && madeUp(t))
  }
  for (const match of plain.matchAll(CHANGED_TO)) {
    const token = tokenAt(plain, match.index + match[0].length)
    const pinChange = /pin/.test(match[0])
    if (!token) continue
    if (pinChange && /^\d{4,8}$/.test(token.token)) findings.push({ ...token, kind: 'pin' })
    else if (!pinChange && looksLikePassword(token) && (madeUp(token) || /password|pw|contraseña/.test(match[0]))) {
      add(token)
    }
  }
  const aboutPasswords = PASSWORD_TOPIC.test(plain)
  const aboutSigningIn = aboutPasswords || LOGIN_TOPIC.test(plain)
  if (aboutSigningIn) {
    for (const match of plain.matchAll(VERB_CUE)) {
      const token = tokenAt(plain, match.index + match[0].length)
      if (token && looksLikePassword(token) && madeUp(token) && !/^[\d\s./-]+$/.test(token.token)) {
        addWithMore(token, (t) => looksLikePassword(t) && madeUp(t))
      }
    }
  }
  for (const match of plain.matchAll(ONE_IS_CUE)) {
    const token = tokenAt(plain, match.index + match[0].length)
    if (token && looksLikePassword(token) && (token.quoted || strongToken(original(token)))) add(token)
  }
  for (const match of plain.matchAll(TRAILING_PASSWORD)) {
    const value = match[1]!.replace(/^["'`“‘«]|["'`”’»]$/g, '')
    const start = match.index + match[0].indexOf(value)
    const token = { start, end: start + value.length, token: value, quoted: false }
    if (!looksLikePassword(token) || /^(it|this|that|what|which|mine|eso|esa)$/.test(value)) continue
    add(token)
  }
  // A message that is nothing but a password-shaped token was typed into the wrong box.
  const alone = /^\s*(\S+?)[.?]?\s*$/.exec(plain)
  if (!aboutSigningIn && alone && findings.length === 0) {
    const start = alone.index + alone[0].indexOf(alone[1]!)
    const token = { start, end: start + alone[1]!.length, token: alone[1]!, quoted: false }
    if (strongToken(original(token))) add(token)
  }
  if (!aboutSigningIn) return
  // With no cue at all: a quoted made-up value, or a token that looks like a password from its shape.
  for (const match of plain.matchAll(/(?<!\S)\S{8,80}(?!\S)|["'`“‘«][^"'`”’»\n]{3,64}["'`”’»]/g)) {
    const quoted = /^["'`“‘«]/.test(match[0]) && /["'`”’»]$/.test(match[0]) && match[0].length > 2
    const bare = /^[(\["'`“‘«]?(.+?)[)\]"'`”’».,;:?]*$/.exec(match[0])![1]! // closing punctuation is the sentence's; '!' may be the password's
    const lead = quoted ? 1 : match[0].indexOf(bare)
    const token = quoted
      ? { start: match.index + 1, end: match.index + match[0].length - 1, token: match[0].slice(1, -1), quoted }
      : { start: match.index + lead, end: match.index + lead + bare.length, token: bare, quoted }
    if (!token || findings.some((f) => f.start < token.end && f.end > token.start)) continue
    const typed = original(token)
    const named = /(?:user ?name|user|login|id|e-?mail|usuario)\s*(?:is|:|=)?\s*$/.test(plain.slice(Math.max(0, token.start - 20), token.start))
    if (named) continue // a user name, not a password
    // "Access Denied. Reference #18.2f4c1b17.1718809123.9a7e2": an error page's reference, not a password.
    if (/(?:reference|ref|error|incident|request|ticket|case|trace|correlation|session|activity)\s*(?:id|no|number)?\s*(?:#|:|=)?\s*$/.test(plain.slice(Math.max(0, token.start - 24), token.start))) continue
    if (quoted ? quotedPassword(typed, aboutPasswords) : strongToken(typed)) add(token)
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Removes anything that looks like a PIN, password, SSN or EDIPI; says which kinds it removed. */
export function redactSecrets(text: string, context: RedactionContext = {}): { text: string; found: SecretKind[] } {
  const { plain, origin } = normalise(text)
  const question = (context.question ?? '').toLowerCase()
  const safeQuestion = SAFE_QUESTION.test(question) && !SECRET_WORDS.test(question)
  const pinQuestion = PIN_WORDS.test(question)
  const contactQuestion = CONTACT_QUESTION.test(question)
  const pinStory = PIN_STORY.test(plain)
  const findings: Finding[] = []
  const labelIndex = labelsOf(plain)

  findPasswords(text, plain, origin, findings)
  const passwordSpans = findings.length
  const inPassword = (start: number, end: number) => {
    for (let i = 0; i < passwordSpans; i++) if (findings[i]!.start <= start && findings[i]!.end >= end) return true
    return false
  }
  /** Classifies one number, records it if it is a secret, says whether it was. */
  const number = (run: string, start: number, end: number): boolean => {
    if (inPassword(start, end)) return true // inside a password already found
    const before = labelsBefore(labelIndex, start)
    const letterBefore = /[a-z]/.test(plain[start - 1] ?? '')
    // Letters right after are a model's ("3500A"), unless a small word lost its space ("551902is my pin").
    const letterAfter = /^[a-z]+/.exec(plain.slice(end, end + 8))?.[0]
    const glueWord = letterAfter !== undefined && !/^(?:is|was|and|for|as|my|es|y)$/.test(letterAfter)
    const gluedLabel = letterBefore && labelIndex.labels.some((l) => l.end === start && l.kind !== 'safe')
    const kind = classifyNumber(run, {
      glued: gluedLabel ? 'label' : letterBefore || glueWord ? 'word' : undefined,
      labels: before,
      after: labelAfter(plain, labelIndex, end),
      unitAfter: UNIT_AFTER.test(plain.slice(end, end + 12)),
      safeQuestion,
      pinQuestion,
      contactQuestion,
      pinStory,
    })
    if (kind) findings.push({ start: run.startsWith('(') && !run.includes(')') ? start + 1 : start, end, kind }) // "(551902"
    return kind !== undefined
  }
  for (const match of plain.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/\D/g, '').length
    if (digits < 4) continue // too short to be a secret
    if (digits <= MAX_RUN_DIGITS && number(match[0], match.index, match.index + match[0].length)) continue
    // Two values side by side ("1029384756 / 5519"): each part on its own.
    if (digits > 40) continue
    let at = match.index
    for (const part of match[0].split(/(\s+[-/.]\s*|\s*[-/.]\s+|\s{2,})/)) {
      if (/\d/.test(part) && part !== match[0] && part.replace(/\D/g, '').length >= 4) number(part, at, at + part.length)
      at += part.length
    }
  }
  if (/(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve)\W/.test(plain)) {
    for (const match of plain.matchAll(SPELLED_RUN)) {
      const digits = match[0].split(/[\s,-]+/).map((word) => DIGIT_WORDS[word]).join(' ')
      number(digits, match.index, match.index + match[0].length)
    }
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
  const rest = normalise(redacted.split(REDACTED).join(' '))
    .plain.replace(SECRET_WORDS_ALL, ' ')
    .replace(/(?<![a-z])(?:my|the|is|was|are|were|new|old|here|it|its|this|and|or|number|dod|id|ako|dko|cac|card|account|mi|es|la|el|de|y|o|nueva|nuevo|cuenta)(?![a-z])/g, ' ')
    .replace(/[^a-zñ]/g, '')
  return rest.length < 3
}

// ---------------------------------------------------------------------------------------------------------------
// Offers: "I can just give it to you", "do you need his PIN?", "te paso mi contraseña". Nothing typed yet, but the
// user is about to: the reply says plainly not to, before anything else.

// Verbs of handing a value over, to anyone (no one needs it); typing verbs count only towards this chat (typing a PIN
// into ActivClient or the card reader is how it is used).
const HAND_OVER = String.raw`(?:give|send|tell|share|text|pass|forward|e-?mail|dm|message|read (?:out|you|it out|them out)|spell(?: out)?|provide|hand over)`
const TYPE_HERE = String.raw`(?:type|enter|put|paste|post|write|drop)(?:\s+(?:it|them|that|this|mine|his|hers|my|the|his|her|their)){0,2}(?:\s+\S+){0,2}?\s+(?:here|in here|in (?:the |this )?chat|(?:in|into) this|to you|for you|in(?=\s*(?:$|[.,!?]|so |and |for |if |then |now )))`
const OFFER_LEAD = String.raw`(?:i can|i could|can i|could i|shall i|should i|may i|i will|i ll|ill|i would|i d|i am happy to|i m happy to|im happy to|happy to|let me|i want to|i wanna|i need to|i have to|want me to|i don t mind|i dont mind|i do not mind|if i|i just|i might as well|i m going to|im going to|im gonna|i m gonna|gonna)`
const OFFER = new RegExp(
  String.raw`(?<![a-z])(?:` +
    // "I can just give it to you", "should I type his PIN here?", "let me send you the password"
    String.raw`${OFFER_LEAD}\s+(?:(?:just|simply|quickly|also|even|maybe)\s+)?(?:${HAND_OVER}|${TYPE_HERE})` +
    // "do you need my PIN?", "if you need his SSN", "want my password?"
    String.raw`|(?:do|would|will|did|if)\s+(?:you|u)\s+(?:need|want|require|like)(?:\s+to\s+(?:have|see|know))?\s+(?:my|his|her|their|the|our)\s+(?:cac\s+)?(?:${PIN}|${PW}|${SSN}|${EDIPI})` +
    // "she can send it to you", "my husband could just tell you his PIN"
    String.raw`|(?:she|he|they|we|my [a-z]+)\s+(?:can|could|will|would|ll|is going to|s going to|s gonna|is gonna|wants to)\s+(?:just\s+)?${HAND_OVER}\s+(?:(?:it|them|that)\s+(?:to\s+)?)?(?:you|u|it|them|his|her|their)` +
    String.raw`|(?:here s|heres|here is|this is)\s+(?:my|his|her|their|the)\s+(?:cac\s+)?(?:${PIN}|${PW}|${SSN}|${EDIPI})\s*[:=-]?\s*$` +
    // Spanish: "te paso mi PIN", "puedo darte su contraseña", "¿quiere que le escriba el PIN?"
    String.raw`|(?:te|le|se lo|se la)\s+(?:puedo\s+)?(?:doy|paso|mando|envio|escribo|digo|dar|pasar|mandar|enviar|escribir|decir)` +
    String.raw`|(?:puedo|quiere que|quieres que|quiere|quieres)\s+(?:dar|pasar|mandar|enviar|escribir|decir|darte|pasarte|mandarte|enviarte|escribirte|decirte|darle|pasarle|mandarle|enviarle|escribirle|decirle|le |te )` +
    String.raw`)(?![a-z])`,
)
// What stands for the secret named just before: "it", "mine", "my old one" (after "Were you able to reset your password?").
const THE_ONE = String.raw`(?:it|that|them|mine|(?:my|his|her|their|the)\s+(?:old\s+|current\s+|new\s+|real\s+|actual\s+)?one)`
// "I can just send it to you": the secret is the one the conversation was about (the bot's last words named it).
const OFFER_PRONOUN = new RegExp(
  String.raw`(?<![a-z])(?:${OFFER_LEAD}|(?:she|he|they|my [a-z]+)\s+(?:can|could|will|would|ll))\s+(?:(?:just|simply|quickly|also|even|maybe)\s+)?` +
    String.raw`(?:${HAND_OVER}\s+(?:${THE_ONE}\s+(?:over\s+)?(?:to\s+)?(?:you|u|here)|(?:you|u)\s+${THE_ONE})|(?:type|enter|put|paste|post|write)\s+${THE_ONE}\s+(?:here|in here|in (?:the |this )?chat|for you|in(?=\s*(?:$|[.,!?]|so |and |for |if |then |now ))))(?![a-z])`,
)
const OFFER_KINDS: [SecretKind, RegExp][] = [
  ['pin', new RegExp(String.raw`(?<![a-z])${PIN}(?![a-z])`)],
  ['password', new RegExp(String.raw`(?<![a-z])${PW}(?![a-z])`)],
  ['ssn', new RegExp(String.raw`(?<![a-z])${SSN}(?![a-z])`)],
  ['edipi', new RegExp(String.raw`(?<![a-z])${EDIPI}(?![a-z])`)],
]

const plainWords = (text: string) => normalise(text.slice(0, 600)).plain.replace(/['’`]/g, ' ').replace(/\s+/g, ' ')

/** The kinds of secret a text names ("PIN", "contraseña", "social"), whether or not it holds one. */
export function secretsNamed(text: string): SecretKind[] {
  const plain = plainWords(text)
  return OFFER_KINDS.filter(([, pattern]) => pattern.test(plain)).map(([kind]) => kind)
}

/**
 * The kinds of secret a message offers to hand over, none typed yet: "he told me his PIN, I can just give it to you
 * and you fix it" names it; "i can send it to you" means the one the bot's last words were about (`before`: the
 * kinds they named). Empty when it offers none.
 */
export function offeredSecrets(text: string, { before = [] }: { before?: readonly SecretKind[] } = {}): SecretKind[] {
  // "he'll", "I'd", "don't" keep their two words apart ("he ll give"): "can't" is then never "can".
  const plain = plainWords(text)
  const named = OFFER_KINDS.filter(([, pattern]) => pattern.test(plain)).map(([kind]) => kind)
  if (named.length > 0) return OFFER.test(plain) ? named : []
  return before.length > 0 && OFFER_PRONOUN.test(plain) ? [...before] : []
}
