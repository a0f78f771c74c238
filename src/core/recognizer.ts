// natural is imported through submodules: its package root loads .env, prints to stdout and costs ~150 MB.
import porterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js'
import spanishStemmer from 'natural/lib/natural/stemmers/porter_stemmer_es.js'
import Metaphone from 'natural/lib/natural/phonetics/metaphone.js'
import Fuse from 'fuse.js'
import { z } from 'zod'
import { IntentSchema, NONE, type Intent } from '../../intents/intent.js'
import { HelpDeskError } from './errors.js'
import { trainClassifier, type Classifier, type ClassifierOptions } from './classifier.js'
import { trainWithNetwork } from './mlp.js'
import { detectLanguage, stripAccents, type Language } from './language.js'
import type { Procedure } from './procedures.js'

/** Entities found in a message; values are canonical ids (e.g. browser "ie", "edge", "chrome", "firefox"). */
export interface Entities {
  browser?: string[]
  os?: string[]
  cardModel?: string[]
  errorCode?: string[]
  errorMessage?: string[]
}

/** The shape of botbuilder's RecognizerResult, so the Emulator and later tools read it as usual. */
export interface RecognizerResult {
  text: string
  /** Every intent with a score of at least 0.01, best first. */
  intents: Record<string, { score: number }>
  entities: Entities
  topIntent: string
  /** The message's language, when it says enough to tell (else the conversation's applies). */
  language?: Language
  /** The share of the message's words seen in training (0–1): low for text about something else entirely. */
  coverage?: number
  /**
   * When one part of the message is the problem meant: the part before a second matter is added ("…, also my
   * password…": the problem named first) or the part after a correction ("it's not my PIN, it's my password…").
   * Its best intent and score, read alone (routing.ts decides on it).
   */
  mainClause?: { intentId: string; score: number; correction?: boolean }
  /** The second matter of a message with two, read alone: kept for after the first (see otherClauseOf). */
  otherClause?: { intentId: string; score: number }
  /**
   * The out-of-scope topic the classifier leaned to most though the message has none of its words (see `vocabulary`
   * in intents/intent.ts), with its score before it was withdrawn from `intents`.
   */
  withdrawnTopic?: { intentId: string; score: number }
  /** The topics whose own words (their `vocabulary`) the message names ("wifi", "vpn"), whatever their scores. */
  namedTopics?: string[]
  /**
   * Whether the model was trained on out-of-scope examples. Without them a low score says only that two intents
   * are alike, not that the message is about something else (BANKING77 and Braun Chatbot have none).
   */
  knowsOutOfScope?: boolean
}

export interface Recognizer {
  recognize(text: string): RecognizerResult
}

export interface RecognizerOptions extends ClassifierOptions {
  /** Below this the top intent is `none`. */
  minScore?: number
  /** The procedures: their titles, steps and questions are extra examples for the intents they answer. */
  procedures?: ReadonlyMap<string, Procedure>
  features?: FeatureOptions
}

/** Lower case, straight quotes, apostrophes dropped ("doesn't" = "doesnt"), dashes unified, spaces folded. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[‘’`']/g, '')
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Words of a message: letters and digits, accents stripped ("contraseña" → "contrasena"). */
export function tokens(text: string): string[] {
  return stripAccents(normalise(text))
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}

/**
 * How people abbreviate and misspell the domain, and the Spanish words of it, mapped to the words the training
 * data uses. Applied to features only: tokens() stays literal for matching answers.
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  cert: 'certificate', certs: 'certificates', certificat: 'certificate', certifcate: 'certificate', cerificate: 'certificate',
  pw: 'password', pwd: 'password', pword: 'password', passwd: 'password', passwrd: 'password', pasword: 'password',
  passowrd: 'password', psswd: 'password', passcode: 'password',
  acct: 'account', acount: 'account', accnt: 'account',
  ssl2: 'ssl 2', ssl3: 'ssl 3', tls: 'ssl',
  login: 'log in', logon: 'log in', logging: 'log in', signin: 'log in', logins: 'log in',
  u: 'you', ur: 'your', r: 'are', pls: 'please', plz: 'please', thx: 'thanks', thnx: 'thanks', ty: 'thanks',
  msg: 'message', err: 'error', pg: 'page', browsr: 'browser', comp: 'computer', pc: 'computer', laptop: 'computer',
  cacs: 'cac', ckac: 'cac', cak: 'cac',
  helpdesk: 'help desk', servicedesk: 'help desk', ppl: 'people', sb: 'somebody', smth: 'something',
  // Spanish (accents already stripped)
  tarjeta: 'card', contrasena: 'password', clave: 'password', cuenta: 'account', certificado: 'certificate',
  certificados: 'certificates', olvide: 'forgot', olvido: 'forgot', bloqueado: 'locked', bloqueada: 'locked',
  bloqueo: 'locked', cambiar: 'change', restablecer: 'reset', lector: 'reader', pagina: 'page', registrar: 'register',
  registro: 'registration', comprar: 'buy', nueva: 'new', nuevo: 'new', funciona: 'works', sirve: 'works',
  ayuda: 'help', ayudame: 'help me', persona: 'person', agente: 'agent', humano: 'human', gracias: 'thanks',
  hola: 'hello', adios: 'bye', cancelar: 'cancel', navegador: 'browser', borrar: 'clear', limpiar: 'clear',
  revocado: 'revoked', revocados: 'revoked', coincide: 'match', iniciar: 'log', sesion: 'in', usuario: 'username',
  requisitos: 'requirements', aparece: 'shows', muestra: 'shows', prohibido: 'forbidden', acceso: 'access',
  entrar: 'log in', cargar: 'load', numero: 'number', telefono: 'phone', llamar: 'call',
}

/** Words that turn what follows into its opposite ("I do NOT know my PIN", "never registered"). */
const NEGATORS = new Set(['not', 'no', 'never', 'cant', 'cannot', 'dont', 'doesnt', 'didnt', 'wont', 'isnt', 'aint', 'nothing', 'without', 'havent', 'hasnt', 'wasnt', 'arent', 'couldnt', 'nunca', 'sin'])
const NEGATION_REACH = 3

/** Stems are remembered (natural's stemmers are the costliest part of a message); bounded, as users type anything. */
function memoised(stem: (token: string) => string, limit = 20_000): (token: string) => string {
  const cache = new Map<string, string>()
  return (token) => {
    let stemmed = cache.get(token)
    if (stemmed === undefined) {
      if (cache.size >= limit) cache.clear()
      cache.set(token, (stemmed = stem(token)))
    }
    return stemmed
  }
}
const stemEnglish = memoised((token) => porterStemmer.stem(token))
const stemSpanish = memoised((token) => spanishStemmer.stem(token))

// editDistance's three rows (i - 2, i - 1, i), grown as needed and reused: no allocation per call.
let rows = [new Int32Array(32), new Int32Array(32), new Int32Array(32)]

/** Optimal string alignment distance (Damerau-Levenshtein without multi-edits), enough for one-typo words. */
export function editDistance(a: string, b: string): number {
  if (rows[0]!.length < b.length + 1) rows = rows.map(() => new Int32Array(2 * (b.length + 1)))
  let [before, above, row] = rows as [Int32Array, Int32Array, Int32Array]
  for (let j = 0; j <= b.length; j++) above[j] = j
  for (let i = 1; i <= a.length; i++) {
    row[0] = i
    const ai = a.charCodeAt(i - 1)
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1)
      let best = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (ai === bj ? 0 : 1))
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) best = Math.min(best, before[j - 2]! + 1)
      row[j] = best
    }
    ;[before, above, row] = [above, row, before]
  }
  return above[b.length]!
}

/**
 * Whether `a` and `b` are exactly one edit apart as editDistance counts (one letter changed, added or dropped, or two
 * neighbours swapped): the same answer as `editDistance(a, b) === 1`, in one pass.
 */
export function oneEditApart(a: string, b: string): boolean {
  if (a.length < b.length) [a, b] = [b, a] // a is the longer (or as long)
  if (a.length - b.length > 1) return false
  let i = 0
  while (i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++ // the common start
  if (a.length === b.length) {
    if (i === a.length) return false // the same word
    // One letter changed: the rest is the same; or two neighbours swapped, then the rest.
    if (a.slice(i + 1) === b.slice(i + 1)) return true
    return i + 1 < a.length && a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && a.slice(i + 2) === b.slice(i + 2)
  }
  return a.slice(i + 1) === b.slice(i) // one letter of the longer dropped
}

/**
 * Words spelled by ear ("sertifikit dosnt sho up wen the sight asks me to pik one"): the word of `words` that sounds
 * the same (Metaphone) and is at most one edit per `lettersPerEdit` letters away, if any.
 */
export function soundAlike(words: Iterable<string>, { lettersPerEdit = 2.5 } = {}): (token: string) => string | undefined {
  const metaphone = new Metaphone()
  const bySound = new Map<string, string[]>()
  for (const word of words) {
    if (word.length < 3 || /\d/.test(word)) continue
    const code = metaphone.process(word)
    bySound.set(code, [...(bySound.get(code) ?? []), word])
  }
  return (token) => {
    if (token.length < 3 || /\d/.test(token)) return undefined
    const reach = Math.max(1, Math.floor(token.length / lettersPerEdit))
    let best: [string, number] | undefined
    for (const word of bySound.get(metaphone.process(token)) ?? []) {
      const distance = editDistance(token, word)
      if (distance <= reach && (best === undefined || distance < best[1])) best = [word, distance]
    }
    return best?.[0]
  }
}

/** Messages respelled by ear to the training words; a word the training data uses keeps its meaning. */
function soundAlikeSpeller(known: ReadonlySet<string>): (text: string) => string {
  const near = soundAlike(known)
  const respelled = memoised((token) => (known.has(token) || SYNONYMS[token] !== undefined ? token : (near(token) ?? token)))
  return (text) => tokens(text).map(respelled).join(' ')
}

/** Words after synonym expansion and their stems, with the language they were read in. */
function wordsOf(text: string): { words: string[]; stems: string[]; language: Language | undefined } {
  const raw = tokens(text)
  const language = detectLanguage(raw, text)
  const words: string[] = []
  const stems: string[] = []
  for (const [i, token] of raw.entries()) {
    // "sign in", "signing on" are logging in; "sign my email" is not.
    const mapped = /^sign(ing|ed)?$/.test(token) && /^(in|on|into|onto)$/.test(raw[i + 1] ?? '') ? 'log' : SYNONYMS[token]
    for (const word of mapped ? mapped.split(' ') : [token]) {
      words.push(word)
      // A Spanish word the synonyms did not translate is stemmed as Spanish; everything else as English.
      stems.push(language === 'es' && !mapped ? stemSpanish(word) : stemEnglish(word))
    }
  }
  return { words, stems, language }
}

/** Which features a message gives: character n-gram lengths, and how often each stem counts. */
export interface FeatureOptions {
  charMin?: number
  charMax?: number
  wordRepeat?: number
  /**
   * Character n-grams of this length that cross a word boundary ("n my ca": the join of two words); 0: off. They
   * help on large corpora (BANKING77, CLINC150) and not on the CAC intents, so `npm run eval` chooses them per corpus.
   */
  phraseChars?: number
}

/**
 * Features of a message: stems (counted twice, so the many character n-grams do not drown them), stem bigrams,
 * stems under a negation ("dont know my pin" ≠ "know my pin"), character n-grams (they catch typos such as
 * "regester" or "forbiden") and optionally character n-grams across word boundaries (phrases). Spanish words no synonym maps are stemmed by natural's Spanish stemmer.
 */
export function featuresOf(text: string, { charMin = 3, charMax = 4, wordRepeat = 2, phraseChars = 0 }: FeatureOptions = {}): string[] {
  const { words, stems } = wordsOf(text)
  const features: string[] = []
  for (const s of stems) for (let r = 0; r < wordRepeat; r++) features.push(`w:${s}`)
  for (let i = 0; i + 1 < stems.length; i++) features.push(`b:${stems[i]}_${stems[i + 1]}`)
  let negated = 0
  for (let i = 0; i < words.length; i++) {
    if (NEGATORS.has(words[i]!)) negated = NEGATION_REACH
    else if (negated-- > 0) features.push(`n:${stems[i]}`)
  }
  for (const word of words) {
    const padded = `<${word}>`
    for (let n = charMin; n <= charMax; n++) {
      for (let i = 0; i + n <= padded.length; i++) features.push(`c:${padded.slice(i, i + n)}`)
    }
  }
  if (phraseChars > 0) {
    const phrase = ` ${stems.join(' ')} `
    for (let i = 0; i + phraseChars <= phrase.length; i++) {
      const gram = phrase.slice(i, i + phraseChars)
      if (gram.includes(' ', 1) && gram.indexOf(' ', 1) < phraseChars - 1) features.push(`p:${gram}`)
    }
  }
  if (words.length === 0) features.push('empty')
  return features
}

/** The texts of a procedure a user might echo: its title, what each step says and asks. */
export function procedureTexts(procedure: Procedure): string[] {
  const texts = [procedure.title]
  for (const step of procedure.steps) {
    texts.push(step.say)
    if (step.check) texts.push(step.check)
    if (step.ask) texts.push(step.ask.question)
    if (step.list) texts.push(...step.list)
  }
  return texts
}

const ENTITY_PATTERNS: Record<keyof Omit<Entities, 'errorMessage'>, [RegExp, string][]> = {
  browser: [
    [/\b(internet explorer|explorer|ie ?(6|7|8|9|10|11)?|msie)\b/, 'ie'],
    [/\b(microsoft |ms )?edge\b/, 'edge'],
    [/\b(google )?chrome\b/, 'chrome'],
    [/\b(firefox|mozilla)\b/, 'firefox'],
    [/\bsafari\b/, 'safari'],
  ],
  os: [
    [/\bwindows ?(xp|vista|7|8|10|11)\b/, 'windows $1'],
    [/\bvista\b/, 'windows vista'],
    [/\b(windows|win10|win11)\b/, 'windows'],
    [/\b(mac ?os|macbook|os x|mac)\b/, 'macos'],
    [/\b(linux|ubuntu)\b/, 'linux'],
  ],
  cardModel: [
    [/\b(gemalto|top dl gx4|gx4 ?144)\b/, 'gemalto-top-dl-gx4-144'],
    [/\b(oberthur|id one 128|v5\.?5 dual)\b/, 'oberthur-id-one-128-v5.5-dual'],
  ],
  errorCode: [[/\b(403|404|500|503)\b/, '$1']],
}

function findEntities(text: string): Entities {
  const lower = normalise(text)
  const entities: Entities = {}
  for (const [name, patterns] of Object.entries(ENTITY_PATTERNS) as [keyof typeof ENTITY_PATTERNS, [RegExp, string][]][]) {
    for (const [pattern, value] of patterns) {
      const match = pattern.exec(lower)
      if (!match) continue
      const found = value.replace('$1', match[1] ?? '')
      if (!entities[name]?.some((v) => v.startsWith(found) || found.startsWith(v))) {
        ;(entities[name] ??= []).push(found)
      }
    }
  }
  return entities
}

interface ErrorString {
  intentId: string
  text: string
  words: string[]
  trigrams?: ReadonlySet<string>
  /** Its words joined, and a Fuse searcher kept for it (Fuse keeps the bitap pattern of its last query): built once. */
  phrase?: string
  fuse?: Fuse<string>
  /** The pieces Fuse cuts the phrase into, with their letters: built once. */
  pieces?: FusePiece[]
}

function trigramsOf(text: string): Set<string> {
  const padded = ` ${text} `
  const grams = new Set<string>()
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3))
  return grams
}

const FUZZY_WINDOWS = 2

/** The `count` windows sharing the largest part of their trigrams with `grams` (ties: the earlier window). */
function mostAlike(windows: readonly string[], grams: ReadonlySet<string>, count: number): string[] {
  const scored = windows.map((window, index) => {
    const own = trigramsOf(window)
    let shared = 0
    for (const gram of own) if (grams.has(gram)) shared++
    return { window, index, score: shared / Math.max(own.size, grams.size) }
  })
  return scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .map((s) => s.window)
}

/** A quoted error counts at this score or above: 1 said exactly, else 1 - Fuse's score of the closest window. */
const MIN_ERROR_SCORE = 0.7
// Fuse as set up below scores a window thus: the pattern is cut into pieces of at most 32 letters (the last piece is
// the pattern's last 32); bitap finds a piece with k edits (scored k / its length, at least 0.001) or, past 0.3 of
// its length, not at all (scored 1); the window's score is the pieces' mean raised to its field norm (1 / √words,
// to three decimals). Lower is closer.
const FUSE_THRESHOLD = 0.3
const FUSE_PIECE = 32

export interface FusePiece {
  length: number
  letters: Map<string, number>
}

function letterCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = 0; i < text.length; i++) counts.set(text[i]!, (counts.get(text[i]!) ?? 0) + 1)
  return counts
}

/** The pieces Fuse cuts `phrase` into, as it cuts them. */
export function fusePieces(phrase: string): FusePiece[] {
  const pattern = phrase.toLowerCase()
  const starts: number[] = []
  if (pattern.length <= FUSE_PIECE) starts.push(0)
  else {
    for (let i = 0; i + FUSE_PIECE <= pattern.length; i += FUSE_PIECE) starts.push(i)
    if (pattern.length % FUSE_PIECE) starts.push(pattern.length - FUSE_PIECE)
  }
  return starts.map((start) => {
    const piece = pattern.slice(start, start + FUSE_PIECE)
    return { length: piece.length, letters: letterCounts(piece) }
  })
}

/** Fuse's field norm of a text: 1 / √(its words), to three decimals. */
function fieldNorm(text: string): number {
  let words = 0
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const separator = (c >= 9 && c <= 13) || c === 32 || c === 160
    if (!separator && !inWord) words++
    inWord = !separator
  }
  return Math.round(1000 / Math.sqrt(Math.max(1, words))) / 1000
}

/**
 * A floor under the score Fuse gives `phrase` (cut into `pieces`) in `window`. Each edit supplies at most one letter
 * of a piece, so a piece with n letters the window does not have (counting repeats) needs at least n edits. Above
 * 1 - MIN_ERROR_SCORE, whatever Fuse found would not count, so it need not run.
 */
export function fuseScoreFloor(phrase: string, pieces: readonly FusePiece[], window: string): number {
  const text = window.toLowerCase()
  if (text === phrase.toLowerCase()) return 0 // Fuse's exact shortcut
  const have = letterCounts(text)
  let sum = 0
  for (const { length, letters } of pieces) {
    let missing = 0
    for (const [letter, count] of letters) missing += Math.max(0, count - (have.get(letter) ?? 0))
    sum += missing / length > FUSE_THRESHOLD ? 1 : Math.max(0.001, missing / length)
  }
  return Math.pow(sum / pieces.length, fieldNorm(text))
}

/** The page's quoted error messages inside what the user typed, exactly or nearly (score at least 0.7), best first. */
function matchErrors(errors: readonly ErrorString[], words: readonly string[]): { error: ErrorString; score: number }[] {
  const said = words.join(' ')
  const joined = ` ${said} `
  const textGrams = trigramsOf(said)
  const found: { error: ErrorString; score: number }[] = []
  for (const error of errors) {
    const phrase = (error.phrase ??= error.words.join(' '))
    if (joined.includes(` ${phrase} `)) {
      found.push({ error, score: 1 })
      continue
    }
    if (error.text.length < 8 || words.length === 0) continue // too short to match fuzzily without false alarms
    // Cheap pre-filter: a text sharing under half the error's letter trigrams cannot be a near-copy of it.
    const grams = (error.trigrams ??= trigramsOf(phrase))
    let shared = 0
    for (const gram of grams) if (textGrams.has(gram)) shared++
    if (shared < grams.size * 0.5) continue
    const windows: string[] = []
    for (let size = Math.max(1, error.words.length - 1); size <= error.words.length + 1; size++) {
      for (let i = 0; i + size <= words.length; i++) windows.push(words.slice(i, i + size).join(' '))
    }
    if (windows.length === 0) windows.push(words.join(' '))
    // Fuse's bitap search is the costly part: give it only the few windows that share the most trigrams, and none
    // when no window has the letters a match that counts would need.
    const likeliest = windows.length <= FUZZY_WINDOWS ? windows : mostAlike(windows, grams, FUZZY_WINDOWS)
    const pieces = (error.pieces ??= fusePieces(phrase))
    if (likeliest.every((window) => fuseScoreFloor(phrase, pieces, window) > 1 - MIN_ERROR_SCORE + 1e-9)) continue
    const fuse = (error.fuse ??= new Fuse<string>([], { includeScore: true, threshold: FUSE_THRESHOLD, ignoreLocation: true }))
    fuse.setCollection(likeliest)
    const best = fuse.search(phrase)[0]
    if (best?.score !== undefined && 1 - best.score >= MIN_ERROR_SCORE) found.push({ error, score: 1 - best.score })
  }
  return found.sort((a, b) => b.score - a.score)
}

/** "…page cannot be displayed, cleared stuff, now it's 403": what follows the last of these words is what happens now. */
const NOW_SAYS = /\b(?:now|this time|instead|anymore|these days|today|changed (?:in)?to|turned (?:in)?to|switched to|then it)\b/g

/**
 * Two of the page's errors quoted in one story: the one said after "now" ("…then it changed to 403") is the one to fix,
 * so only it counts as quoted. With no such word, or none of the errors after it, all of them do.
 */
function latestErrors(errors: readonly ErrorString[], text: string, found: { error: ErrorString; score: number }[]): typeof found {
  if (new Set(found.map((m) => m.error.intentId)).size < 2) return found
  const plain = normalise(text)
  // The last such word with one of the errors after it ("…now it's saying 403 forbidden instead": "now", not "instead").
  for (const at of [...plain.matchAll(NOW_SAYS)].reverse()) {
    const later = new Set(matchErrors(errors, tokens(plain.slice(at.index + at[0].length))).map((m) => m.error.intentId))
    const now = found.filter((m) => later.has(m.error.intentId))
    if (now.length > 0) return now
  }
  return found
}

/** Words that add a second matter to a message: what precedes the first of them is the first-named problem. */
const ANOTHER_MATTER = /(?:^|[,.;:!?]|\s)\s*(?:and\s+)?(?:also|plus|btw|by the way|another thing|one more thing|on top of that|oh and|separately|tambien|ademas)\b/
/** "(it's) not my PIN, it's my password …": what follows the correction is what is meant. */
const CORRECTION = /\bnot (?:my|the|a|an|about|about my|about the)\b[^,.;!?]{1,40}[,.;!?]\s*(?:[^,.;!?]{1,40}[,.;!?]\s*)?(?:but |its |it is |thats |that is |rather |just |im |i )(.+)$/

/** "It's the password, not the PIN": the meant thing named first, then the one denied. */
const CORRECTION_BEFORE = /^(?:(?:its|it s|it is|thats|that s|that is|i mean|i meant|no)\s+)+((?:the |my |our |an? )?[a-z0-9 ]{2,40}?),?\s+not\s+(?:the|my|a|an|about)\s+\w+/

/**
 * The part of a message that names the problem meant, when another part is about something else: what comes
 * before a second matter is added, or after a correction. Both parts must say something (3+ words).
 */
export function mainClauseOf(text: string): string | undefined {
  const plain = stripAccents(normalise(text))
  // "it's the password, not the PIN, isn't it?": the part before "not" is what is meant.
  const meantFirst = CORRECTION_BEFORE.exec(plain)
  if (meantFirst && !CORRECTION.test(plain)) return meantFirst[1]!
  const correction = CORRECTION.exec(plain)
  if (correction) {
    const meant = correction[1]!.replace(/^(its|it is|thats|that is|rather|just)\s+/, '')
    return tokens(meant).length >= 3 ? meant : undefined
  }
  const match = ANOTHER_MATTER.exec(plain)
  if (!match || match.index === 0) return undefined
  const before = plain.slice(0, match.index)
  return tokens(before).length >= 3 && tokens(plain.slice(match.index + match[0].length)).length >= 3 ? before : undefined
}

/** The second matter of a message ("new cac won't work, also I forgot my password": the password), when there is one. */
export function otherClauseOf(text: string): string | undefined {
  const plain = stripAccents(normalise(text))
  if (CORRECTION.test(plain)) return undefined
  const match = ANOTHER_MATTER.exec(plain)
  if (!match || match.index === 0) return undefined
  const after = plain.slice(match.index + match[0].length)
  return tokens(plain.slice(0, match.index)).length >= 3 && tokens(after).length >= 3 ? after : undefined
}

/** Sets an intent's score to 0 and spreads it over the others in proportion, so the scores still sum to 1. */
function withdraw(scores: Record<string, number>, id: string): void {
  const rest = 1 - scores[id]!
  scores[id] = 0
  if (rest <= 0) return
  for (const other of Object.keys(scores)) scores[other] = scores[other]! / rest
}

/** A labelled utterance; `none` (or a corpus's `oos`) marks out-of-scope text. */
export interface LabelledText {
  text: string
  intent: string
}

/** Builds the local recognizer from intent data alone (no cloud service, deterministic). */
export function createRecognizer(intents: readonly Intent[], { procedures, ...options }: RecognizerOptions = {}): Recognizer {
  const parsed = intents.map((intent) => {
    const result = IntentSchema.safeParse(intent)
    if (!result.success) {
      throw new HelpDeskError('HD_INTENTS_INVALID', `intent "${String((intent as { id?: unknown }).id)}": ${z.prettifyError(result.error)}`)
    }
    return result.data
  })
  const examples = parsed.flatMap((intent) => intent.utterances.map((text) => ({ text, intent: intent.id })))
  // A question about one step ("where is Tools > Internet Options?") finds the procedure that has the step.
  for (const intent of parsed) {
    const procedure = intent.procedure ? procedures?.get(intent.procedure) : undefined
    if (procedure) examples.push(...procedureTexts(procedure).map((text) => ({ text, intent: intent.id })))
  }
  const errors = parsed.flatMap((intent) =>
    intent.errors.map((text) => ({ intentId: intent.id, text: normalise(text), words: tokens(text) })),
  )
  const vocabulary = new Map<string, RegExp>()
  for (const intent of parsed) {
    if (!intent.vocabulary) continue
    try {
      vocabulary.set(intent.id, new RegExp(`(?:^| )(?:${intent.vocabulary.join('|')})(?= |$)`))
    } catch (error) {
      throw new HelpDeskError('HD_INTENTS_INVALID', `intent "${intent.id}".vocabulary: ${(error as Error).message}`)
    }
  }
  return createRecognizerFromExamples(examples, { ...options, errors, vocabulary })
}

/** The same recognizer trained on any labelled corpus (used by `npm run eval -- --corpus FILE`). */
export function createRecognizerFromExamples(
  examples: readonly LabelledText[],
  {
    minScore = 0.5,
    errors = [],
    vocabulary = new Map(),
    features: featureOptions,
    ...training
  }: Omit<RecognizerOptions, 'procedures'> & {
    errors?: readonly ErrorString[]
    vocabulary?: ReadonlyMap<string, RegExp>
  } = {},
): Recognizer {
  const labelled = examples.map((e) => ({ features: featuresOf(e.text, featureOptions), label: e.intent === 'oos' ? NONE : e.intent }))
  const { network } = training
  const classifier: Classifier = network ? trainWithNetwork(labelled, { ...training, network }) : trainClassifier(labelled, training)
  /**
   * The classifier's probabilities for a message. A topic first or second whose own words are absent cannot be the
   * reading ("new cac isnt working on my work laptop" reads like the network topic but names no network): it is
   * withdrawn, with every other topic whose words are absent, and their share goes to the rest in proportion. Only
   * when such a topic leads: lower down one decides nothing, and spreading its share would only raise the scores of
   * short answers past the dialog's thresholds.
   */
  const classify = (text: string, features: readonly string[]): { scores: Record<string, number>; withdrawn?: { intentId: string; score: number } } => {
    const probabilities = classifier.predict(features)
    const scores: Record<string, number> = {}
    classifier.labels.forEach((label, i) => (scores[label] = probabilities[i]!))
    if (vocabulary.size === 0) return { scores }
    const words = tokens(text).join(' ')
    const unnamed = (id: string) => vocabulary.has(id) && !vocabulary.get(id)!.test(words)
    const leading = Object.keys(scores).sort((a, b) => scores[b]! - scores[a]!).slice(0, 2).find(unnamed)
    if (!leading || scores[leading]! >= 1) return { scores }
    const withdrawn = { intentId: leading, score: Math.round(scores[leading]! * 1000) / 1000 }
    for (const id of vocabulary.keys()) if (scores[id] && unnamed(id) && scores[id]! < 1) withdraw(scores, id)
    return { scores, withdrawn }
  }
  const knowsOutOfScope = classifier.labels.includes(NONE)
  const heard = soundAlikeSpeller(new Set(examples.flatMap((e) => tokens(e.text))))
  return {
    recognize(text) {
      // Read as respelled (words spelled by ear); errors, entities and language are matched as typed.
      const respelled = heard(text)
      const features = featuresOf(respelled, featureOptions)
      const { scores, withdrawn } = classify(respelled, features)
      const entities = findEntities(text)
      const typed = tokens(text) // the message's words, read once for errors, topics and language
      const errorMatches = latestErrors(errors, text, matchErrors(errors, typed))
      for (const { error, score } of errorMatches) {
        // A quoted error message is the strongest evidence there is: it outranks the classifier. The others
        // shrink in proportion, so the scores still sum to 1 and margins stay comparable.
        const old = scores[error.intentId] ?? 0
        const boosted = Math.max(old, 0.6 + 0.4 * score)
        if (boosted > old) {
          const shrink = old < 1 ? (1 - boosted) / (1 - old) : 0
          for (const id of Object.keys(scores)) scores[id] = id === error.intentId ? boosted : scores[id]! * shrink
        }
        ;(entities.errorMessage ??= []).includes(error.text) || entities.errorMessage.push(error.text)
      }
      const ranked = Object.entries(scores)
        .filter(([, score]) => score >= 0.01)
        .sort((a, b) => b[1] - a[1])
      const [top, topScore] = ranked[0] ?? [NONE, 1]
      const stems = [...new Set(features.filter((f) => f.startsWith('w:')))]
      const said = typed.join(' ')
      const named = [...vocabulary].filter(([, words]) => words.test(said)).map(([id]) => id)
      const language = detectLanguage(typed, text)
      const clause = mainClauseOf(text)
      let mainClause: RecognizerResult['mainClause']
      if (clause !== undefined) {
        const [intentId, score] = Object.entries(classify(clause, featuresOf(clause, featureOptions)).scores).reduce((a, b) => (b[1] > a[1] ? b : a))
        const plain = stripAccents(normalise(text))
        mainClause = { intentId, score: Math.round(score * 1000) / 1000, ...((CORRECTION.test(plain) || CORRECTION_BEFORE.test(plain)) && { correction: true }) }
      }
      const other = clause !== undefined ? otherClauseOf(text) : undefined
      let otherClause: RecognizerResult['otherClause']
      if (other !== undefined) {
        const [intentId, score] = Object.entries(classify(other, featuresOf(other, featureOptions)).scores).reduce((a, b) => (b[1] > a[1] ? b : a))
        otherClause = { intentId, score: Math.round(score * 1000) / 1000 }
      }
      return {
        text,
        intents: Object.fromEntries(ranked.map(([id, score]) => [id, { score: Math.round(score * 1000) / 1000 }])),
        entities,
        topIntent: topScore >= minScore ? top : NONE,
        ...(language && { language }),
        coverage: stems.length === 0 ? 0 : Math.round((classifier.known(stems) / stems.length) * 1000) / 1000,
        ...(mainClause && { mainClause }),
        ...(otherClause && { otherClause }),
        ...(withdrawn && { withdrawnTopic: withdrawn }),
        ...(named.length > 0 && { namedTopics: named }),
        knowsOutOfScope,
      }
    },
  }
}
