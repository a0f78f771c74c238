import { normalise, oneEditApart, soundAlike, tokens } from './recognizer.js'

import type { Slot } from './procedures.js'

/**
 * One reading of one message, made once per turn against everything it could mean (STYLE.md section 11): an
 * answer to the pending question, facts about the user's set-up, a request, a question about the current step, a
 * new problem, thanks. The dialogs act on the reading; asking again is the last resort.
 *
 * Everything here is plain text work, with no botbuilder: the dialogs hand in the pending question and the route
 * the recognizer chose, and get back what to do.
 */

/** What the bot knows of the user's situation. Values are canonical ids (browser "edge", branch "contractor"...). */
export type Facts = Partial<Record<Slot, string>>

/** Where a fact came from: said by the user, or only hinted by the device showing the help page. */
export type FactSource = 'said' | 'hint'

/** Facts found in one message, and whether the user was correcting something said before. */
export interface FactsFound {
  facts: Facts
  /** Procedures the user says they already tried ("I already cleared my cache"). */
  tried: string[]
  correction: boolean
}

/** A question waiting for its answer, as the dialogs describe it. */
export type PendingQuestion =
  | { kind: 'check'; question: string; worked?: readonly string[]; failed?: readonly string[] }
  /** `unsure`: answers that say too little to pick an option ("I'm a civilian" to Army / other branch / contractor). */
  | { kind: 'ask'; question: string; slot?: Slot; options: readonly AskOption[]; unsure?: readonly string[] }
  | { kind: 'yes-no'; question: string }
  | { kind: 'choose'; question: string; options: readonly AskOption[] }
  /** An instruction waiting to be done: "done" goes on. */
  | { kind: 'done'; question: string }

/** One option of an asked question: its button label, phrases that mean it, slot values that pick it, and what a plain yes/no means. */
export interface AskOption {
  label: string
  synonyms?: readonly string[]
  values?: readonly string[]
  means?: 'yes' | 'no' | 'unsure'
}

/** How sure a reading of an answer is: a phrase or fact that names the option, or only yes/no polarity. */
export type AnswerReading =
  | { kind: 'option'; index: number; by: 'button' | 'phrase' | 'fact' | 'polarity' }
  | { kind: 'worked'; by?: 'phrase' }
  | { kind: 'failed'; alreadyTried: boolean; by?: 'phrase' }
  /** "ok did that": the step was done, but whether it helped was not said. */
  | { kind: 'done-unverified' }
  | { kind: 'unsure' }

// ---------------------------------------------------------------------------------------------- typo tolerance

/** Words the answer patterns below rely on: a one-letter slip in one of them ("wroked", "dosent") is corrected. */
const VOCABULARY = [
  'worked', 'works', 'working', 'fixed', 'solved', 'sorted', 'doesnt', 'didnt', 'still', 'nothing', 'changed',
  'thanks', 'thank', 'cleared', 'already', 'tried', 'internet', 'explorer', 'chrome', 'firefox', 'edge', 'contractor',
  'army', 'navy', 'force', 'marines', 'registered', 'locked', 'forgot', 'forgotten', 'remember', 'know', 'again',
  'person', 'human', 'agent', 'someone', 'ridiculous', 'frustrating', 'perfect', 'awesome', 'great', 'helped',
  'opens', 'opened', 'certificate', 'certificates', 'cache', 'cookies', 'please', 'never', 'nope', 'yeah', 'sure',
  'isnt', 'wasnt', 'cant', 'wont', 'havent', 'page', 'loads', 'loading', 'error', 'same', 'gemalto', 'oberthur', 'shows',
]

const IN_VOCABULARY = new Set(VOCABULARY)

/** Real words one letter away from a vocabulary word: never "corrected" ("mixed that up" is not "fixed", "tired" not "tried"). */
const REAL_WORDS = new Set([
  'mixed', 'think', 'thinks', 'tired', 'looked', 'looking', 'charged', 'loans', 'roads', 'leads', 'words', 'forks', 'shoes',
  'shops', 'slows', 'snows', 'skill', 'stall', 'treat', 'greet', 'cried', 'fried', 'lever', 'fever', 'newer', 'ported',
  'worded', 'noting', 'explored', 'yelped', 'wording', 'sported', 'shown', 'chose', 'force', 'forge', 'worse', 'forced',
  'pages', 'games', 'tries', 'knows', 'agents', 'persons', 'worker', 'workers',
])

/**
 * "firefoks", "showz": a word spelled by ear, read as the vocabulary word it sounds like. Long words and few edits
 * only, as every word of a message is tried: "want" is no "wont", "thing" no "thank", "place" no "please".
 */
const soundsLikeVocabulary = soundAlike(VOCABULARY.filter((word) => word.length >= 5), { lettersPerEdit: 3 })

/**
 * A message is understood from its first this-many characters, as the recognizer reads only its first
 * RECOGNIZER_MAX_CHARS: a 4,000-character paste costs what a long sentence does (it cost ~35 ms a turn).
 */
export const MAX_UNDERSTOOD_CHARS = 600

// A turn cleans its message a dozen times: the last result is kept (only the last: user text is not held in memory
// across conversations). The knowledge's labels and phrases are cleaned once each, on first use.
let last = { text: '', said: '' }
const phrases = new Map<string, string>()

const DICTATED = /(?<=\w\s+)(period|full stop|question mark|exclamation (point|mark)|comma|new line)(?=\s*$|\s+\w)/gi

/** Lower case, apostrophes dropped, each word corrected to the vocabulary when it is one edit away. */
export function clean(text: string): string {
  const bounded = text.length > MAX_UNDERSTOOD_CHARS ? text.slice(0, MAX_UNDERSTOOD_CHARS) : text
  if (bounded === last.text) return last.said
  // Voice dictation spells punctuation out ("thank you period", "how do i do that question mark"): it is punctuation.
  const spoken = bounded.replace(DICTATED, ' ')
  const words = tokens(spoken.replace(/[\u{1F300}-\u{1FAFF}\u{2600}-\u{27BF}]/gu, ' '))
  const said = words
    .map((word) => {
      if (word.length < 5 || IN_VOCABULARY.has(word) || REAL_WORDS.has(word) || /\d/.test(word)) return word
      const near = VOCABULARY.find((v) => Math.abs(v.length - word.length) <= 1 && oneEditApart(v, word))
      return near ?? soundsLikeVocabulary(word) ?? word
    })
    .join(' ')
  last = { text: bounded, said }
  return said
}

/** `clean` of a label or phrase from knowledge/ (a fixed set), remembered. */
function cleanPhrase(phrase: string): string {
  let said = phrases.get(phrase)
  if (said === undefined) {
    const keep = last
    said = clean(phrase)
    last = keep // the message stays the one remembered
    phrases.set(phrase, said)
  }
  return said
}

// ---------------------------------------------------------------------------------------------- facts

const NOT = String.raw`(?:not|never|isnt|arent|dont|no longer|wasnt)`

// The icons as people describe them (the which-browser help describes them so): "whatever the blue e is".
const BROWSERS: [RegExp, string][] = [
  [/\b(internet explorer|explorer|ie ?(6|7|8|9|10|11)?|msie|blue e|e with (a |the )?(gold|yellow) ring)\b/, 'ie'],
  [/\b((microsoft |ms )?edge|(blue )?(and )?green (and )?(blue )?(wave|swirl)|(blue )?swirl|wave one)\b/, 'edge'],
  [/\b((google )?chrome|red (yellow|and yellow) (and )?green( circle| ball| one)?)\b/, 'chrome'],
  [/\b(firefox|mozilla|ff|orange fox|the fox( one)?)\b/, 'firefox'],
  [/\bsafari\b/, 'safari'],
]
const SYSTEMS: [RegExp, string][] = [
  [/\b(iphone|ipad|ios)\b/, 'ios'],
  [/\bandroid\b/, 'android'],
  [/\b(windows|win ?10|win ?11)\b/, 'windows'],
  [/\b(mac ?os|macbook|os x|mac|imac)\b/, 'macos'],
  [/\b(linux|ubuntu)\b/, 'linux'],
]
// How people write who they work for: "AF civ", "DA civilian", "USN", "coastie", "ctr", a rank only one branch uses
// ("SPC", "TSgt"), a defense firm they work for. A contractor supporting a branch ("army contractor", "af ctr") is a
// contractor for the page (local IT), so that reading starts where the branch does and wins the tie. "slow af" is
// slang: "af" counts only as "af civ/member/here...", "i'm af" or at the very start.
const BRANCH_WORDS = String.raw`army|af|usaf|air force|airforce|daf|navy|usn|marine|marines|usmc|coast guard|uscg|space force|ussf|contractor`
const FIRMS = String.raw`leidos|saic|caci|booz allen|gdit|general dynamics|lockheed|raytheon|northrop|peraton|mantech|accenture federal|deloitte`
const BRANCHES: [RegExp, string][] = [
  [new RegExp(String.raw`\b((${BRANCH_WORDS}|dod|gov|govt|government|defense|federal) (contractor|ctr)|contractor|contractors|contratista|ctr|(i m|im|i am) a vendor|vendor (employee|rep)|contract (employee|worker)|work for a (contractor|vendor)|(work|working|am|im|i m) (for|at|with) (${FIRMS})|(${FIRMS}) (employee|here))\b`), 'contractor'],
  [/\b(navy|usn|usnr|sailor|seaman|petty officer|don (civ|civilian)|(dept|department) of the navy|air force|airforce|usaf|daf|(dept|department) of the air force|airman|airmen|air national guard|af (civ|civilian|civvie|civil servant|employee|member|personnel|reservist|reserve|guard|active duty|retiree|retired|here|side|user|person|guy|gal|spouse|dependent)|(im|i m|i am|were|we re) (an? )?(af|usaf)|a1c|sra|ssgt|tsgt|msgt|smsgt|cmsgt|marines?|marine corps|usmc|usmcr|coast guard|uscg|coastie|coasties|space force|ussf|guardian|(la )?marina|fuerza a[eé]rea|infanter[ií]a de marina|guardia costera)\b|^(af|usaf)\b/, 'other-branch'],
  [/\b(army|soldier|usar|national guard|arng|da (civ|civilian|employee)|dac|(dept|department) of the army|army civilian|army reserve|spc|sfc|ssg|(soy|estoy) (del|en el) ej[eé]rcito|ej[eé]rcito)\b/, 'army'],
]
/**
 * Words that name a branch without saying it is the user's: AKO's own name ("Army Knowledge Online", "the army
 * website"), or someone else's ("my army buddy", "her husband is navy"). Taken out before the branch is read.
 */
const NOT_MY_BRANCH = new RegExp(String.raw`\barmy knowledge online\b|\b(the|an?) (${BRANCH_WORDS}) (website|web site|site|portal|page|app)\b|\b(my|his|her|their|our|a|an|the|this) (${BRANCH_WORDS}) (buddy|buddies|friend|coworker|co worker|colleague|husband|wife|spouse|son|daughter|dad|father|mom|mother|brother|sister|boss|supervisor|guy|people|folks|unit|recruiter|neighbor|roommate)s?\b|\b(husband|wife|spouse|son|daughter|dad|father|mom|mother|brother|sister|boss|friend|buddy|he|she) (is|s|was) (in the |an? )?(${BRANCH_WORDS})\b`, 'g')

// The card models the page names, and makers whose name on the back means it is neither ("IDEMIA", "Thales").
const CARD_MODELS: [RegExp, string][] = [
  [/\b(gemalto|top dl|gx4)\b/, 'gemalto-top-dl-gx4-144'],
  [/\b(oberthur|id one 128|v5 5 dual)\b/, 'oberthur-id-one-128-v5.5-dual'],
]
/** Typing for the card holder: their facts are the ones the steps need. */
const ON_BEHALF = /\b(typing|asking|writing|messaging|chatting|here|on here) (this )?(for|on behalf of) (my|a|our) \w+|\b(helping|help) (my|a|our) (husband|wife|spouse|son|daughter|dad|father|mom|mother|brother|sister|soldier|coworker|colleague)\b/
const OTHER_MAKER = /\b(idemia|morpho|giesecke|devrient|g d mobile|thales|safran|sagem|hid global|infineon|nxp)\b/
/** "doesn't say gemalto or oberthur", "not the oberthur one": a model named only to be denied. */
const MODEL_DENIED = /\b(not|isnt|doesnt|dont|didnt|no|neither|nor|never|without)\b( (say|says|said|show|shows|have|has|read|reads|see|saw|the|a|an|one|of|those|either|gemalto|oberthur|top|dl|gx4|144|id|128|v5|5|dual|or|nor|it|its|mine|that|is|any))* $/
/** "not the two names on your page", "neither of the ones listed", "a different brand": neither model, in other words. */
const NEITHER_MODEL = /\b(not|neither|none|nothing like)( of)? (the |those |these |either of the |any of the |either of |one of the |one of )?(two |2 )?(names|models|ones|brands|makers|listed|(those|these)(?! (steps?|instructions?|options?|things?|errors?|messages?|problems?|fixes))|you (listed|mentioned|named|said))\b|\bneither (one|of (those|them|these|the))\b|\b(doesnt|does not|dont|do not|didnt) (match|say|show|have|read) (either|any|one|both) of (those|them|these|the)\b|\b(another|some other|other|different|a different) (model|brand|maker|manufacturer|company|name)\b/
/** Words that put a "neither" about the card's print, not about anything else. */
const CARD_CONTEXT = /\b(back|yellow|print|printed|writing|written|text|says|reads|model|brand|maker|names?|gemalto|oberthur|strip)\b/

/** The card model a message states: one the page names, or "other" when it is said to be neither. */
function cardModelOf(said: string): string | undefined {
  const named: { at: number; value: string; denied: boolean }[] = []
  for (const [pattern, value] of CARD_MODELS) {
    for (const match of said.matchAll(globalOf(pattern))) {
      named.push({ at: match.index, value, denied: MODEL_DENIED.test(said.slice(Math.max(0, match.index - 40), match.index)) })
    }
  }
  const stated = named.filter((n) => !n.denied).sort((a, b) => a.at - b.at)[0]
  if (stated) return stated.value
  if (OTHER_MAKER.test(said)) return 'other'
  // Both named and both denied ("it's not gemalto or oberthur"), or neither said in other words.
  const denied = new Set(named.map((n) => n.value))
  if (denied.size === CARD_MODELS.length) return 'other'
  if (NEITHER_MODEL.test(said) && CARD_CONTEXT.test(said)) return 'other'
  return undefined
}

const NEGATED_BEFORE = new RegExp(String.raw`\b(?:${NOT}|doesnt|didnt|hasnt|havent)\b(?: even| really)?(?: (?:using|use|on|in|with|the|a|an|running|have|has|got|my))? $`)
/** Words that settle between a value said and one denied ("not the army... go with army", "actually"). */
const DECIDED = /\b(actually|now|switched|instead|meant|go with|going with|pick|picking|choose|lets say|ill say|i ll say|put it as|put down)\b/
/** Each pattern's global twin, built once (matchAll needs the g flag and copies the regex, so sharing is safe). */
const globals = new Map<RegExp, RegExp>()
const globalOf = (pattern: RegExp) => globals.get(pattern) ?? globals.set(pattern, new RegExp(pattern.source, 'g')).get(pattern)!

/** The first value whose pattern matches and is not negated just before ("not on chrome", "i dont use ie"). */
/** A browser told by its icon ("the blue e", "the orange fox"), not by name. */
const DESCRIBED = /\b(blue|green|red|orange|yellow|wave|swirl|fox|ring|circle|ball)\b/

function firstUnnegated(text: string, patterns: readonly [RegExp, string][]): string | undefined {
  let found: { at: number; value: string; described: boolean }[] = []
  const denied = new Set<string>()
  for (const [pattern, value] of patterns) {
    for (const match of text.matchAll(globalOf(pattern))) {
      const before = text.slice(Math.max(0, match.index - 24), match.index)
      if (NEGATED_BEFORE.test(before)) {
        denied.add(value)
        continue
      }
      found.push({ at: match.index, value, described: DESCRIBED.test(match[0]) })
    }
  }
  // "how do i do it with internet explorer, this computer doesnt even have IE": said and denied at once, so not known.
  if (!DECIDED.test(text)) found = found.filter((f) => !denied.has(f.value))
  if (found.length === 0) return undefined
  // "umm the blue e one? edge i think": a name said outright beats an icon described.
  if (new Set(found.map((f) => f.value)).size > 1 && found.some((f) => !f.described)) found = found.filter((f) => !f.described)
  // "actually im on edge, chrome is my home pc": the one said as in use wins.
  const inUse = found.filter((f) => /\b(on|using|use|in|with|its|it s|im on|i m on)\s*$/.test(text.slice(Math.max(0, f.at - 12), f.at)))
  if (inUse.length === 1) return inUse[0]!.value
  // "not chrome, edge" → edge; "tried chrome, now edge" → the last one said is the one in use.
  if (/\b(actually|now|switched|instead|meant)\b/.test(text)) return found.sort((a, b) => b.at - a.at)[0]!.value
  return found.sort((a, b) => a.at - b.at)[0]!.value
}

const PIN_LOCKED = /\b(pin (is |got |was |has been |has |)(locked|blocked|lock|block)|(try|tried|trying|typed|put) too many (time|times|tries)|(card|cac) (is |got |was |has been |s |now |)(locked|blocked)|(typed|entered|put in|tried) (it|the pin|my pin|pin|the code) (in )?wrong (\w+ )?(times|tries)|locked (my |the |his |her |their |out of my |out of his |out of her )?(cac )?pin|too many (wrong |bad |incorrect )?(attempts|tries)|locked (myself |me )?out|pin\b.{0,40}\b(its|it s|it is|now|got|gets) (locked|blocked)|pin (esta |está |se |)(bloqueado|bloqueó|bloqueo)|bloqu(e|é|ee|eé) (mi |el )?pin|pin\b.{0,60}\b((is|was|has) (it|that) (been |got |gotten |now |already )?(locked|blocked)|(did|have|could|might) i (just |already )?(lock|locked|block|blocked)( it| myself out)?|(lo|la|se|esta|está) bloque\w*))\b/ // Spanish too: the policy line must reach a Spanish speaker mid-steps
/** "my pin is … and it keeps saying its wrong", "pin not accepted", "no funciona": the PIN typed is refused, so the right one is not known. */
const PIN_REFUSED =
  /\bpin\b.{0,50}\b(rejected|refused|declined|(not|isnt|wasnt|never) (being )?(accepted|taken|recognized|recognised)|(keeps |still |always )?(says|said|saying|shows|showing|comes back|came back|reads)( as| that)?( its| it s| it is| the pin is| pin is| it was)? (wrong|incorrect|invalid|bad)|no (funciona|sirve)|(es )?incorrect[oa])\b(?! (password|username|user name|page|site|url|certificate|cert|browser|one))|\bpin( (is|was|number|code|redacted|and|but|it|just|still|now|anymore|simply|i|typed|type|enter|entered|use|\d+|times|twice|again|already|always|like)){0,6} (doesnt|does not|wont|will not|isnt|is not|not) (work|working|accepted|valid)\b|\bpin (is |was )?(wrong|incorrect|invalid)\b|\b(says|said|saying|shows|showing|error|get|getting|got) (an? )?(wrong|incorrect|invalid|bad) pin\b|\b(wrong|incorrect|invalid|bad) pin (error|message|warning|prompt)\b|\b(rejects|rejected|rejecting|refuses|refused|refusing|wont (take|accept)|doesnt (take|accept)|not (taking|accepting)) (my |the |his |her |their )?(cac )?pin\b/
const PIN_UNKNOWN = new RegExp(
  String.raw`\b(forgot|forgotten|(dont|do not|cant|cannot|no longer) (know|remember|recall)|never (knew|set|had|got|received|made|set up)|no idea (what )?(my |the )?(current |old )?pin|lost)\b.{0,20}\bpin\b|\bpin\b.{0,25}\b(forgot|forgotten|dont (know|remember)|cant remember|never (knew|set))\b|\b(olvide|olvidé|no recuerdo|no me acuerdo de)\b.{0,10}\bpin\b`,
)
const PIN_KNOWN_DENIED = new RegExp(String.raw`\b${NOT}\b.{0,6}\b(know|remember)`)
const PIN_KNOWN = /\b(i (do )?(know|remember) (my |the |what my )?(current |old )?(pin|one)|i (do )?(remember|know) it\b(?! (worked|working|was|were|being|used|said|says|saying|showed|showing|is|did|had|would|will))|pin (works|is fine|is ok|is good)|i have my pin|know it|i do know)\b/

const REGISTERED_UNSURE = /\b(not sure|dont know|no idea|unsure|idk)\b.{0,25}\bregist/
const REGISTERED_NO = new RegExp(String.raw`\b(${NOT}|havent|didnt|never|not yet)\b.{0,15}\bregist|\bunregistered\b|\bregist\w* (it )?(yet|at all)\b`)
const REGISTERED_YES = /\bya (la |lo )?registr(e|é|ado|ada)\b|\b(esta|está) registrad[ao]\b|\b(is|was|got|already|it s|its|i|ive|have|already been|been) (definitely |def |totally |already |100 |for sure )?regist(ered)?\b|\b(did|he|she|they|we) (did |has |have |had )?regist(er|ered)( it| his| her| their| the)?\b|\bregistered (it|my cac|already|fine|ok)\b/

const PASSWORD_FORGOTTEN = /\b(password|passwd|pw|pwd)\b.{0,30}\b(which|that) (i ve |ive |i )?(forgot|forgotten|lost|dont remember|cant remember)\b|\b(forgot|forgotten|forget|dont remember|don t remember|cant remember|can t remember|do not remember|lost)\b( \w+){0,4} (ako |dko |account |my )?(password|passwd|pw|pwd)\b|\b(password|passwd|pw|pwd)\b.{0,50}\b(dont|don t|do not|cant|can t|no longer) remember( it| what it is)?\b/
const ASKS_ABOUT_OTHER = /\b(his|her|their) (ako |dko )?(password|pw)\b/

const TRIED: [RegExp, string][] = [
  [/\b(cleared|clear|deleted|emptied|wiped|did|tried)\b.{0,25}\b(cache|cookies|temp(orary)? (internet )?files|browsing (data|history)|history)\b/, 'clear-cache'],
  [/\b(cleared|clear|did|tried|reset)\b.{0,15}\bssl( state| cache)?\b/, 'clear-ssl-state'],
  [/\b(installed|updated|reinstalled|have|got)\b.{0,20}\bactivclient\b/, 'activclient'],
  // "i already reset my password and still cant get in", "cant reset my pw": the reset was tried (not "i need to reset it").
  [/\b(i|ive|i ve|already|just|we|he|she|they|did)( already| just| did| have| had)? (reset|changed|tried (to reset|resetting|reseting|changing))\b.{0,20}\b(password|passwd|pw|pwd)\b|\b(password|passwd|pw|pwd) (was|got|has been|is) (already )?(reset|changed)\b|\b(cant|can t|couldnt|unable to|not able to) (reset|change)\b.{0,20}\b(password|passwd|pw|pwd)\b|\btried (the |a )?(password reset|reset password|reset)( password)?( link| page| option| button| site)?\b/, 'password-reset'],
]

/** A message that starts as a question ("how do i reset it", "is it registered?"): it asks, it doesn't tell. */
const ASKS = /^(how|what|where|why|when|which|can|could|do|does|did|should|is|will|would)\b/

/** Browser, OS, branch, PIN, registration, card model and steps tried, from any message. */
export function extractFacts(text: string, { typedPin = false }: { typedPin?: boolean } = {}): FactsFound {
  const said = clean(text)
  const facts: Facts = {}
  if (typedPin) facts.pin = 'known' // they typed it (we removed it), so they know it
  const browser = firstUnnegated(said, BROWSERS)
  if (browser) facts.browser = browser
  const os = firstUnnegated(said, SYSTEMS)
  if (os) facts.os = os
  // Someone else's branch is not the user's: unless the card is theirs ("typing for my husband, he is Navy, his new CAC…").
  const mine = ON_BEHALF.test(said) ? said : said.replace(NOT_MY_BRANCH, (m) => ' '.repeat(m.length))
  const branch = firstUnnegated(mine, BRANCHES)
  // "I support the Army as a contractor": the page goes by account type, so a contractor is one whichever branch comes
  // first, unless the message says which one is past or meant ("used to be a contractor, now DA civ").
  const contractor = branch !== 'contractor' && !/\b(actually|now|switched|instead|meant|used to|former|formerly|previously|no longer|ex)\b/.test(mine) && firstUnnegated(mine, BRANCHES.slice(0, 1))
  if (branch) facts.branch = contractor || branch
  if (/\b(not|isnt|its not) (my|the|a|about( my)?) pin\b/.test(said)) {
    // "it's not my PIN, it's my password": nothing about the PIN
  } else if (PIN_LOCKED.test(said)) facts.pin = 'locked'
  else if (PIN_UNKNOWN.test(said)) facts.pin = 'unknown'
  else if (PIN_KNOWN.test(said) && !PIN_KNOWN_DENIED.test(said)) facts.pin = 'known'
  else if (PIN_REFUSED.test(said)) facts.pin = 'unknown'
  // "how do I check if it's registered?" asks; it says nothing of whether it is.
  const asksIfRegistered = /\b(if|whether)\b.{0,30}\bregist/.test(said) || ASKS.test(said)
  if (/\bregist/.test(said) && /\b(cac|card|it|its|account|mine|i|la|lo|ya)\b/.test(said)) {
    if (REGISTERED_UNSURE.test(said)) facts.registered = 'unsure'
    else if (asksIfRegistered) {
      // a question about it: nothing known
    } else if (REGISTERED_NO.test(said)) facts.registered = 'no'
    else if (REGISTERED_YES.test(said)) facts.registered = 'yes'
  } else if (/\b(brand new|brand spanking new|just (got|issued|picked up)( a| my| the)?( new)?) (cac|card|one|common access card)\b/.test(said) && !ASKS.test(said)) {
    facts.registered = 'no' // a card just issued hasn't been registered yet: "is it registered?" would ask what they said
  }
  // "the old one was registered yeah": each CAC is registered on its own, so the current one (renewed, new) is not yet.
  if (/\b(old|previous|last|expired|other) (one|card|cac)\b.{0,25}\b(was|is|got|been|s) (already )?regist/.test(said) && !asksIfRegistered) facts.registered = 'no'
  const cardModel = cardModelOf(said)
  if (cardModel) facts.cardModel = cardModel
  // "it wants my ako password and i dont remember it": a forgotten password (the reset is the page's way), not a PIN.
  if (PASSWORD_FORGOTTEN.test(said) && !ASKS_ABOUT_OTHER.test(said)) facts.password = 'forgotten'
  // "oops sorry. so how do i reset it": a question about doing it, anywhere in the message, is not having done it.
  // "did the client authentication box and cleared the temp files": "did" there tells (no question mark).
  const tells = !text.includes('?') && /^did (the|that|this|it|both|all|everything|those|them|each)\b/.test(said)
  const tried = (ASKS.test(said) && !tells) || /\b(how (do|can|would|should|could|to|am)|where (do|can) i|what do i do to)\b/.test(said) ? [] : TRIED.filter(([pattern]) => pattern.test(said) && /\b(already|tried|did|cleared|installed|updated|reinstalled|deleted|emptied|wiped|reset|changed)\b/.test(said)).map(([, id]) => id)
  const correction = /^(actually|sorry|oops|wait|hold on|hang on|correction|no wait|i meant|my bad|scratch that)\b|\b(actually|i meant|not .{1,20} but|correction)\b/.test(said)
  return { facts, tried, correction }
}

// ---------------------------------------------------------------------------------------------- answers

// "loaded the module", "opened internet options": a step done, not the problem gone (so those words count only alone).
const WORKED =
  /\b(lets me in|it lets me|it registered|registered (fine|ok|okay|this time|successfully)|got (it )?registered|let me in|works|worked|working|(it|that|does|did|now|should|will) work|fixed|solved|sorted|resolved|good now|all good|all set|(?:opens|opened|loads|loaded)(?! (?:the|a|an|my|it|that|this|its|internet|settings|tools|security|module|firefox|chrome|edge|ie|explorer|up|in)\b)|that did it|did the trick|(that s|thats|that has|that) (got|fixed|sorted|cracked) it|registered fine|it registered|(its|it s|it is|they re|theyre|they are|its all|it s all) there now|(it|they) (shows?|showing) now|(it|that|activclient) (took|accepted) (it|the new (one|pin|code)|my new (one|pin|code))|success(ful)?|i see it|i can see it|shows up|it changed|pin changed|changed it|i m in|im in|got in|logged in|perfect|awesome|great|yay|finally|helped|it did|funciona|ya funciona)\b/
// Spanish users answer the English buttons in Spanish too: "si", "no se" (I don't know), "ya funciona".
const YES = /^(yes|yep|yeah|yup|ya|yea|y|si|claro|sure|correct|affirmative|absolutely|definitely|of course|it does|it is|i do|i am|i have|that s right|thats right|right|yes please|please|ok(ay)? please|go ahead|ok sure)\b/
const NEGATION =
  /\b(no|nope|nah|not|never|didnt|doesnt|dont|isnt|wasnt|cant|couldnt|wont|still|same|nothing|fail(s|ed)?|broken|no luck|negative|neither|nada|worse|error|errors|wrong|invalid|incorrect|denied|rejected|keeps (saying|telling|giving|showing))\b|^n$/ // "n" alone is no; in a sentence it is "and" ("did it n it went thru")
const UNSURE = /\b(kinda|kind of|sort of|sorta|partly|partially|somewhat|hit or miss|on and off|no (lo )?se|ni idea|no estoy segur[oa]|not sure|unsure|dunno|idk|no idea|no clue|maybe|dont know|don t know|i guess|not certain|cant tell|can t tell|how would i know|how do i (know|tell|check)|how can i (tell|check|know)|how (am|was|is|are|should|would|could|can|do|does) (i|one|anyone|a person|we|someone) (supposed to |meant to |ever |even |going to |gonna )*(know|tell|check|find out|figure( that| it)? out)|beats me|no way (to|of) (know|tell)\w*)\b/
const DONE = /\b(done|did (it|that|this|them|those|all)|i did|ok(ay)?|k|finished|cleared( it| them)?|completed|followed|went through|tried (it|that))\b/
const ALREADY = /\b(already (did|done|tried|cleared|do|have)|(was|is|were|are|s) already (unchecked|checked|disabled|enabled|off|cleared|done|set|installed|ticked|unticked)|did (that|it|this) already|done that already|tried (that|it|this) already|done it before|did (that|it) before|tried (that|it) before|been there)\b/
/** "went right back to the error", "then 403 again": it failed, told as what happened (no negation in it). */
const FAILING_AGAIN =
  /\b(still (a |the )?(403|404|forbidden|error|page cannot|blank|nothing)|(went|goes|going|sent me|took me|kicked me|put me) (right |straight )?back to (the )?(same )?(error|403|page cannot)|(then|and|but|now) (the )?(same )?(403|error|forbidden)( message| page)? again|(403|error|forbidden) (again|came back|is back))\b/
/** "it loads but it's blank", "white screen": still failing, said as what is seen. */
const BLANK = /\b((blank|empty|white) (page|screen)|(loads|opens|loaded|opened|comes up|came up) but (it s |its |it is |is |just |only )?(blank|empty|white))\b/
/** Negative words that say the problem is gone, not that the step failed: "no more errors". */
const GONE = /\b((the |that |this )?(box|pop ?up|popup|prompt|login box|password box|username box|window) (didnt|did not|doesnt|does not|hasnt|has not|never|wont) (come|pop|show|came)( up)? (back|again|anymore)|(the |that |this )?(error|message|error message|403|warning) (didnt|did not|doesnt|does not|hasnt|has not|never|wont) (come|pop|show|came)( up)?( back| again| anymore)?|(dont|do not|no longer|not) (get|getting|see|seeing) (the|that|this|any) (error|box|pop ?up|popup|prompt|message)( anymore| now| again| this time)|no (more )?(box|pop ?up|popup|prompt|login box|password box|username box)( this time| anymore| now)|no (more|longer) (errors?|problems?|issues?)|no errors?( now)?|not anymore|error (is )?gone|(errors?|problems?) (is |are )?gone|nothing wrong now)\b/

/**
 * "ok cleared the ssl state, it works", "found it, pin changed": the problem is gone, said along with the step
 * done. Only plain statements: a negation, a question or a past that ended ("it was working until...") is not it.
 */
const SOLVED =
  /\b(it works|works now|working now|it s working|its working|(that|it|this|which) (just |finally |suddenly |magically |now )?(worked|did it|did the trick|fixed it)|fixed|solved|registered fine( now| this time)?|(its|it s|it is|they re|theyre|they are) there now|(page|it|site|ako|dko) (?:loads|loaded|opens|opened)(?! (?:the|a|an|my|it|that|this|its|internet|settings|tools|security|module|firefox|chrome|edge|ie|explorer|up|in)\b)|loads now|opens now|((cac )?login|log ?in|sign ?in|it|cac) works|let me in|lets me in|im in|i m in|got in|logged in|i (can )?see it now|(now )?i can see it|(now )?i (can )?see (my|the) (cac )?(certs?|certificates?)( now)?|shows up now|(it|they|(my )?(cac )?(certs?|certificates?)) (shows|show|appears|appear|is there|are there|is listed|are listed) now|pin (is )?changed|changed it|(now )?(it|they|(my )?(cac |the )?(certs?|certificates?)) (shows?|appears?) up( now)?|i can (pick|select|choose|click) (it|them|my cert\w*)( now)?|(it|that|this|registration|login|log in|it all) went (through|thru)|(the )?(box|pop ?up|prompt|window|message|warning|error) (is |has |went )?(gone|disappeared|went away)|(my )?(cac|card) (got )?registered)\b/
const NOT_SOLVED = /\b(until|till|used to|was working|were working|yesterday|last (week|month|time)|before (i|the|my)|if|whether|when it|but|except|blank|white|empty|loop|(?<!(?:^|anyway|ok|okay|so|now|lets|go|come|get) )back to|login (page|screen)|spins|spinning|hangs|freezes|crash\w*|403|404|forbidden|ago|months|years|last year)\b|\?/
export function saysSolved(text: string): boolean {
  const said = clean(text)
  if (!SOLVED.test(said) || NOT_SOLVED.test(said + (text.includes('?') ? ' ?' : ''))) return false
  const rest = said.replace(GONE, ' ')
  return !NEGATION.test(rest.replace(/\b(no problem|no worries)\b/g, ' ')) && !UNSURE.test(rest) && !/^(does|did(?! (that|this|them|those|all|everything)\b)|will|should|would|is|can|could|how|what|why|where)\b/.test(said) // "did that, ..." tells
}

const ASKS_IF_OK = /\b(is|was) (that|this|it|mine) (ok|okay|good|fine|right|alright|correct|allowed|enough|a good (one|pin))\b|\b(would|will|does|should) (that|this) (be )?(work|ok|okay|fine|do)\b/
/** Whether a "did it work?" answer says it worked, failed, was only done, or could not tell. */
export function readCheck(said: string, { worked = [], failed = [] }: { worked?: readonly string[]; failed?: readonly string[] } = {}): AnswerReading | undefined {
  const phrase = (list: readonly string[]) => list.some((p) => ` ${said} `.includes(` ${cleanPhrase(p)} `))
  // "how do i reset it" holds "i reset it": a question about the step says nothing of how it went.
  const asks = ASKS.test(said)
  // "yeah i want to reset it": what they mean to do, not how it went.
  if (/\bi (want|need|would like|d like|wanna|have|m going|am going|m trying|am trying) to\b/.test(said) && !WORKED.test(said) && !NEGATION.test(said)) return undefined
  // "i change it to [redacted] is that ok?": asking whether it is right, not saying how it went.
  if (ASKS_IF_OK.test(said)) return { kind: 'unsure' }
  if (!asks && phrase(failed)) return { kind: 'failed', alreadyTried: false, by: 'phrase' }
  if (!asks && phrase(worked)) return { kind: 'worked', by: 'phrase' }
  if (ALREADY.test(said)) return { kind: 'failed', alreadyTried: true }
  const gone = GONE.test(said)
  const rest = gone ? said.replace(GONE, ' ') : said
  // "partially, the page loads but it's blank": a blank page is the failure, however hedged.
  if (BLANK.test(rest)) return { kind: 'failed', alreadyTried: false }
  if (UNSURE.test(rest)) return { kind: 'unsure' }
  // "yes please" accepts an offer; it doesn't say the step worked: better ask again than guess.
  if (/\b(please|pls|plz|plse|pleas)\b/.test(rest) && !WORKED.test(rest)) return { kind: 'unsure' }
  if (NEGATION.test(rest) || FAILING_AGAIN.test(rest)) return { kind: 'failed', alreadyTried: false }
  if (gone || WORKED.test(rest) || YES.test(rest)) return { kind: 'worked' }
  if (DONE.test(rest)) return { kind: 'done-unverified' }
  return undefined
}

/** Yes, no or unsure for a plain yes/no question ("Shall I connect you?"). */
export function readPolarity(said: string): 'yes' | 'no' | 'unsure' | undefined {
  if (UNSURE.test(said)) return 'unsure'
  if (/^(no|nope|nah|n|no thanks|not now|not yet|never|negative)\b/.test(said) || /\b(dont|do not|not|no thanks|no need)\b/.test(said)) return 'no'
  // "ok" counts only first ("ok sure"): "the cac just doesnt work ok" is no yes.
  if (YES.test(said) || /^ok(ay)?\b/.test(said) || /\b(yes|yeah|yep|sure|please|go ahead|do it|that would be great)\b/.test(said)) return 'yes'
  return undefined
}

const ORDINALS = ['first', 'second', 'third', 'fourth'].map((o) => new RegExp(`^(the )?${o}( one)?$`))

/** The option an answer names: a button number, a label or phrase, a fact for the question's slot, then yes/no. */
export function readOption(
  text: string,
  options: readonly AskOption[],
  { slot, facts, said: saidFacts, unsure }: { slot?: Slot; facts?: Facts; said?: Facts; unsure?: readonly string[] } = {},
): AnswerReading | undefined {
  const said = clean(text)
  if (said.length === 0) return undefined
  const number = /^\(?(\d)\)?$/.exec(said) ?? /^(?:option|number|the)? ?(\d)(?:st|nd|rd|th)?( one)?$/.exec(said)
  if (number) {
    const index = Number(number[1]) - 1
    return index >= 0 && index < options.length ? { kind: 'option', index, by: 'button' } : undefined
  }
  const ordinal = ORDINALS.findIndex((o) => o.test(said))
  if (ordinal >= 0 && ordinal < options.length) return { kind: 'option', index: ordinal, by: 'button' }
  const exact = options.findIndex((o) => [o.label, ...(o.synonyms ?? [])].some((s) => cleanPhrase(s) === said))
  if (exact >= 0) return { kind: 'option', index: exact, by: 'button' }
  // A fact for this question's slot ("i use chrome", "no, I never knew it", "im a contractor").
  const value = slot ? ((saidFacts ?? extractFacts(text).facts)[slot] ?? facts?.[slot]) : undefined
  if (value) {
    const index = options.findIndex((o) => o.values?.includes(value))
    if (index >= 0) return { kind: 'option', index, by: 'fact' }
  }
  // The longest label or synonym found as whole words wins: "not sure" beats "no".
  const words = ` ${said} `
  let best: { index: number; length: number; phrase: string } | undefined
  options.forEach((option, index) => {
    for (const phrase of [option.label, ...(option.synonyms ?? [])]) {
      const wanted = cleanPhrase(phrase)
      if (wanted && words.includes(` ${wanted} `) && wanted.length > (best?.length ?? 0)) best = { index, length: wanted.length, phrase: wanted }
    }
  })
  // "registered?? how would i know" is unsure, though it names an option's word; "dont know" as an option's own phrase is that option.
  if (UNSURE.test(said) && !(best && UNSURE.test(best.phrase))) {
    const index = options.findIndex((o) => o.means === 'unsure')
    return index >= 0 ? { kind: 'option', index, by: 'phrase' } : { kind: 'unsure' }
  }
  // "is it registered?" to "Is your CAC registered?": the question asked back, not a yes; the user doesn't know.
  const askedBack = best && /^(is|was|are|does|did|do|has|have) (it|mine|my|the|that|this)\b/.test(said) && text.includes('?') && ['yes', 'no'].includes(options[best.index]?.means ?? '')
  if (askedBack) {
    const index = options.findIndex((o) => o.means === 'unsure')
    return index >= 0 ? { kind: 'option', index, by: 'phrase' } : { kind: 'unsure' }
  }
  // "how do i do it with internet explorer, this computer doesnt even have IE": the option named is also denied.
  if (best && !DECIDED.test(said)) {
    const denied = [options[best.index]!.label, ...(options[best.index]!.synonyms ?? [])].some((phrase) => {
      const wanted = cleanPhrase(phrase)
      if (!wanted) return false
      for (let at = words.indexOf(` ${wanted} `); at >= 0; at = words.indexOf(` ${wanted} `, at + 1)) {
        if (NEGATED_BEFORE.test(words.slice(Math.max(0, at - 23), at + 1))) return true
      }
      return false
    })
    if (denied) return undefined
  }
  if (best) return { kind: 'option', index: best.index, by: 'phrase' }
  // "i'm a civilian" to "Army, another branch or contractor?": no option yet, so the question's help, not "didn't catch that".
  if (unsure?.some((p) => words.includes(` ${cleanPhrase(p)} `))) return { kind: 'unsure' }
  // A bare "ok" acknowledges; it doesn't say "yes, it says Gemalto".
  const polarity = /^(ok|okay|k|kk|ok ok|alright|fine)\b/.test(said) && !YES.test(said.replace(/^(ok|okay|k|kk|alright|fine) /, '')) ? undefined : readPolarity(said)
  if (polarity) {
    const index = options.findIndex((o) => o.means === polarity)
    if (index >= 0) return { kind: 'option', index, by: 'polarity' }
    if (polarity === 'unsure') return { kind: 'unsure' }
  }
  return undefined
}

const COMMON = new Set(['the', 'one', 'your', 'my', 'with', 'and', 'for', 'that', 'this', 'browser', 'cac', 'clear', 'when', 'its', 'not', 'a'])

/** "the ssl one": a word found in exactly one option's label or phrases picks it. */
function readByDistinctWord(text: string, options: readonly AskOption[]): AnswerReading | undefined {
  const said = clean(text).split(' ').filter((w) => w.length >= 3 && !COMMON.has(w))
  const texts = options.map((o) => ` ${[o.label, ...(o.synonyms ?? [])].map(clean).join(' ')} `)
  const hits = new Set<number>()
  for (const word of said) {
    const having = texts.flatMap((t, i) => (t.includes(` ${word} `) ? [i] : []))
    if (having.length === 1) hits.add(having[0]!)
  }
  return hits.size === 1 ? { kind: 'option', index: [...hits][0]!, by: 'phrase' } : undefined
}

/** "Did your PIN change?" "changed, thanks!": the question's own verb said back (alone, or with thanks) is a yes. */
function echoesCheck(said: string, question: string): boolean {
  // Not clean(): its typo correction would read the question's "change" as "changed".
  const verb = /\b(?:did|does|do) .* (\w+)$/.exec(question.toLowerCase().replace(/[^a-z ]/g, '').trim().replace(/ now$/, ''))?.[1]
  if (!verb || verb.length < 3) return false
  const rest = said.replace(/\b(thanks|thank you|thx|ty|now|yes|yep|yeah|yup|it|did|finally)\b/g, ' ').trim()
  return [`${verb}d`, `${verb}ed`, `${verb}s`, `${verb}es`].includes(rest)
}

/** Reads a message as an answer to `pending`, or undefined when it is no answer to it; `said`: its facts, if read already. */
export function readAnswer(text: string, pending: PendingQuestion, facts?: Facts, said?: Facts): AnswerReading | undefined {
  switch (pending.kind) {
    case 'check': {
      // A thumbs-up to "does it work now?" is a yes; a thumbs-down or a sad face is a no.
      if (isOnlyEmoji(text)) {
        // "👍🙏" is thanks, "👋" goodbye: polite words, not a report that it works (the close says how to come back).
        if (/[🙏👋]/u.test(text)) return undefined
        if (/[👍👌✅🎉🙌💯😀😃😄😁🙂😊]/u.test(text)) return { kind: 'worked' }
        if (/[👎😞😢😭😩😫😡🤬❌]/u.test(text)) return { kind: 'failed', alreadyTried: false }
      }
      const said = clean(text)
      if (/^\(?1\)?$/.test(said)) return { kind: 'worked' }
      if (/^\(?2\)?$/.test(said)) return { kind: 'failed', alreadyTried: false }
      if (echoesCheck(said, pending.question)) return { kind: 'worked', by: 'phrase' }
      // "I change to [redacted] is OK?": a question whether it is right (the sentence's own "is that ok" is in readCheck).
      if (text.includes('?') && /\b(is|s) (it |that |this )?(ok|okay|good|fine|alright|right|correct)$/.test(said)) return { kind: 'unsure' }
      return readCheck(said, pending)
    }
    case 'yes-no': {
      const said = clean(text)
      if (/^\(?1\)?$/.test(said)) return { kind: 'option', index: 0, by: 'button' }
      if (/^\(?2\)?$/.test(said)) return { kind: 'option', index: 1, by: 'button' }
      const polarity = readPolarity(said)
      if (polarity === 'yes') return { kind: 'option', index: 0, by: 'polarity' }
      if (polarity === 'no') return { kind: 'option', index: 1, by: 'polarity' }
      return polarity === 'unsure' ? { kind: 'unsure' } : undefined
    }
    case 'ask':
      return readOption(text, pending.options, { slot: pending.slot, facts, said, unsure: pending.unsure })
    case 'done': {
      const said = clean(text)
      if (/^\(?1\)?$/.test(said)) return { kind: 'option', index: 0, by: 'button' }
      const reading = readCheck(said)
      if (reading?.kind === 'worked' && !WORKED.test(said) && !GONE.test(said)) return { kind: 'option', index: 0, by: 'polarity' } // "yes", "ok"
      if (reading?.kind === 'done-unverified' || /\b(checked|ticked|clicked|next|then what|whats next|what now|got it|ready|did that)\b/.test(said)) {
        return { kind: 'option', index: 0, by: 'polarity' }
      }
      return reading?.kind === 'unsure' ? undefined : reading
    }
    case 'choose':
      return readOption(text, pending.options) ?? readByDistinctWord(text, pending.options)
  }
}

// ---------------------------------------------------------------------------------------------- the rest

/** Requests and moods that mean the same at any step. */
export type Signal =
  | 'person'
  | 'repeat'
  | 'resume'
  | 'step-help'
  | 'thanks'
  | 'bye'
  | 'worked'
  | 'still-broken'
  | 'vent'
  | 'push-back'
  | 'other-person'
  | 'something-else'
  | 'contact'
  | 'no-admin'
  | 'undo'
  | 'about-bot'
  | 'own-info'
  | 'apology'
  | 'hurry'

/** "go back, I picked wrong": the user's last answer was a mistake. A bare "back" is a request to resume. */
const UNDO =
  /\b(i (picked|clicked|chose|choose|pressed|hit|tapped|selected|answered|said|put) (the )?wrong|wrong (button|answer|option|choice)|mis ?(clicked|tapped|typed)|fat fingered|pressed the wrong|didnt mean (to (say|pick|click|press|tap|choose|hit)|that( one)?)|meant to (say|pick|click|press|tap|choose|hit)|(go |went )?back (a|one) (step|question)|(previous|last) question|undo( that| it)?(?! (the|a|my|his|her|their|this|that|it)\b)|change my (answer|choice)|can i change (that|my answer))\b/

/** "say that again slower pls", "can you repeat the steps": the step again, wherever it is said in the message. */
const SAY_AGAIN =
  /\b((say|read|show|give|send|type) (me )?(that|it|this|the (last )?(step|steps|instructions?|part)) (again|once more|one more time|slower|more slowly)|repeat (that|it|this|the (last )?(step|steps|instructions?|part))|slow(er)? (down|please|pls)|one more time|missed (that|it)|didnt (catch|get|see) (that|it|the (step|steps))|what (was|were|is|are) (the|that|my|those) (last )?(step|steps|instructions?)( again)?|what (was|is) (step|part) (\d|one|two|three|four)( again)?|(step|part) (\d|one|two|three|four) again|where were we|where was i|what was i supposed to (do|be doing)|what was i doing)\b/

/** "back to the pin thing", "lets go back to the other problem", "ok back to mine": the problem left for this one. */
const BACK_TO = /\b(go |get |come |lets go )?back to (the|my|that) (\w+ )?(thing|one|problem|issue|stuff|steps?|question)\b|\bback to (the )?(other|first|previous|earlier|old) \w+|\bback to (mine|my own|my (new |old )?(card|cac))\b|\b(get back|go back|return|returning|as for) (to )?(mine|my own|my (new |old )?(card|cac|problem|issue))\b/
/** Whether a message asks for the problem left for this one ("back to mine", "as for my card"), not the steps on screen. */
export const backToPaused = (text: string): boolean => BACK_TO.test(clean(text))

const SIGNALS: [Signal, RegExp][] = [
  // "did you get my info?", "do you need my ssn": about personal details, which nobody here needs or keeps.
  // "can you check his account? his name is …": nobody's account is visible here. "is this secure?" gets the same truth.
  // "a guy called saying hes from the help desk and asked for my ssn and pin, is that legit?": nobody needs them.
  ['own-info', /\b(asked|asking|asks|wants|wanted|want|needs|needed) (me )?(for |to (give|send|tell|read) (him|her|them) )?(my |his |her )?(ssn|social( security( number)?)?|pin|password|passwd|dod id|edipi)\b.{0,80}\b(legit|legitimate|real|scam|phishing|safe|okay|ok|normal|right)\b|\b(is (that|this|it)|sounds like a) (legit|a scam|phishing|real)\b/],
  ['own-info', /\b(is|are) (this|it|the|my) (chat|conversation|bot|site|thing)? ?(secure|safe|private|encrypted|monitored|recorded|logged)\b|\bcan (other|others|anyone|someone|people) (see|read) (what|this|my)\b|\b(can|could|will|would) (you|u) (please )?(check|look at|look up|pull up|verify|see|access|find) (my|his|her|their|our|the|this) (account|profile|records?|registration|status|info)\b|\b(why )?(cant|can t|couldnt|cannot|wont|can|could) (you|u) (just |please |not )?(check|look at|look up|see|verify|confirm|compare) (my |the |this |that |which )?(account|profile|records?|registration|status|serial( number)?|edipi)\b|\b(did|have|do|will|can) (you|u) (get|got|see|receive|received|save|keep|store|need|want)\b.{0,20}\b(info|information|details|data|number|ssn|social|dod id|edipi|dob|birthday|date of birth|address)\b|\b(need|want) (my|his|her) (ssn|social|dod id|edipi|info|information|details)\b/],
  ['repeat', SAY_AGAIN],
  // "is this a real person or a bot?": a question about who answers, not a request for a person.
  ['about-bot', /\b(are (you|u)|is (this|it)|am i (talking|chatting|speaking) (to|with)|r u)( just)? (a |an )?(real |actual |live )?(person|human|bot|robot|machine|ai|computer|automated)\b.{0,30}\??$/],
  ['person', /\b((talk|speak|chat|connect|transfer|put) (me )?(to|with) (a |an |the |some )?(real |live |actual )?(person|human|agent|someone|somebody|people|representative|rep|tech|technician|help ?desk)|(real|live|actual) (person|human|agent)|human please|agent please|need (a )?(human|person)|get me (a )?(human|person|agent)|(dont|do not|dont even) want (a |to (talk|chat|speak) (to|with) (a |the |this )?)?(bot|robot|machine|computer|chat ?bot)|no (more )?(bots?|robots?)( please| pls)?$|not (a|another|this) (stupid )?(bot|robot|chat ?bot)|stop being a bot)\b/],
  ['repeat', /^((sorry|pardon|wait|hm+|uh+|um+|ok|okay|huh|so|and|then|but|nope|no|nah|still nope|still no) )*((can|could) (u|you) )?(please )?(say (that|it) again|repeat (that|it|the step|please)|(say|repeat) (that|it) again|repeat( that| it| the step| please)?|come again|(can you |could you )?(say|repeat) (that|it)( again)?( please)?|what (was|is) (the|that) step( again)?|whats the step( again)?|what (do|should) i do( again| now| next| then| first)?|what now|now what|whats next|what next|where (do|should) i go( now| then| next)?|who (do|should|can) i (see|contact|go to|ask|talk to|speak to|call|ask about (it|this|that))( now| then| instead)?|what was that( again)?|sorry what|huh|what|again|what step( am i on| were we on)?)\??$/],
  // "ok back to the page thing": the steps we were on, whatever "back to" + a word resembles ("kicked back to the login page").
  ['resume', /^(ok(ay)? |so |alright |now )*(lets )?(go )?back to (the|my|mine|that|it|what|where)\b(?! login)/],
  ['resume', /^((ok |okay )?(go )?back( to (where we were|the steps?|it|that|before|my problem|the other (one|problem|thing)))?|where were we|continue|carry on|resume|lets continue|keep going|lets go back|back to it|ok back to (it|that|my problem))\W*$/],
  ['step-help', /\b(is|was) (that|it|this|the \w+) (under|in|on|inside) (the )?(internet options|tools|settings|advanced|content|security|privacy|general|start menu|control panel)\b/],
  ['step-help', /^(but |ok |so )?why( tho| though| so| exactly| is that| that| this)?\W*$|^why (that|this)( step| one)?\W*$|\bwhy (does|do|is|would|should) (that|this|it) (matter|needed|necessary|important|help)\b|\bwhy do (i|you) (need|have) (that|this|to know)\b|\b(what s|whats|what is|wats) the (shortcut|keyboard shortcut|keys|key combo)( again)?\b|\b(isnt|is not|not|aint) (even )?(in|on|under|there in) (edge|chrome|firefox|my browser|this browser)\b/],
  ['step-help', /\b(how (do|can|would|should) i (do|finish|get through|follow) (step|part|number|no) ?\d+|(explain|help (me )?with|stuck on|confused (by|about)|lost on|what does) (step|part|number) ?\d+|which (tab|menu|button|box|option|setting) (again|was it|is it|do i)|what does (that|the|this) (box|window|button|tab|menu|screen|option|setting) look like|how (do|can|would|should|am) i (supposed to )?[a-z]+( (up|in|to|into|on|out))? (that|this|it|those|them|there)|how (do|can|would|should) i (get to|find|open|get into) (the )?(settings|tools|menu|options|internet options|advanced|privacy|content( tab)?|user console|activclient|security devices|certificates|start menu)|how do i do (that|this|it)|((where|wher|whre|were) (is|are|do i find|can i find|would i find)|wheres|where s|wheres) (the |that |this |it |tools|internet options|user console|activclient|advanced)|(is|does) (it|that|this) supposed to (ask|say|show|want|do|pop|come)|(should|will|does|would) it ask (me )?(for )?(my )?(pin|password)|where (do|can|would|should) i (get|find|download) (that|this|it|one|those|them)|where (do|can|would|should) i (even )?(find|get to|open|see) (the )?(internet options|tools|settings|advanced|content( tab)?|user console|activclient|security devices|certificates|start menu|control panel)|i (cant|can t|dont|don t|do not) (find|see) (it|the|that|tools|internet options|advanced|user console|activclient|any|all)|what does (that|this|it) mean|what do (you|u) mean( by (that|this|it))?|i dont (get|understand) (it|what you mean)|what am i (looking|supposed to look) for|(explain|walk me through) (that|this|it)|more detail|i dont understand (the step|that step|this step|that|this)|which (menu|button|tab)|how\?*$|where\?*$|where is that|step by step|dont know what (any of |all of )?(that|this|it) means|(its|it s|it is) not (in|on|under) (the|my)|(cant|can t|couldnt|cannot|could not|can not) (find|locate)\b(?! (my|the|a|any|your) (cac |card )?(certs?|certificates?)\b)|no (such )?(option|menu|button|tab) (called|named|for|like)|dont have (that|the|a|an|any) (option|menu|button|tab)|what does any of (that|this) mean|no idea what (that|this) (means|is)|where (on|in|at|under|about|exactly|abouts)\b|which (part|side|line|bit|corner)|(a lot of|so much|loads of|lots of|tons of) (writing|text|words|stuff)|(i (dont|don t|do not) (have|see|get)|(there s|theres|there is|there are|i have|i got|it has|i see) no|no such) (a |an |the |any )?(all programs|start menu|start button|tools( menu)?|internet options|content tab|advanced|activclient|actividentity|user console|gear( icon)?|settings|menu)|should i (type|enter|put|use) .{0,30}\b(in|into|there|on) (it|that|this|there|the (box|window|prompt|pop ?up|site|page))|(is|does) (it|that|this) (still )?(apply|work) (on|for|with) (windows|win) ?\d+)\b/],
  ['step-help', /\b(no (encuentro|veo|hallo|tengo) (el |la |los |las )?(activclient|menu|herramientas|opciones|todos los programas|inicio)|donde (esta|queda|encuentro)|como (lo|la) (hago|encuentro|abro))\b/],
  ['thanks', /^(ok(ay)? |great |cool |perfect |awesome )?(thanks?|thank (you|u)|thx|ty|tysm|cheers|appreciate (it|you)|much appreciated)( (so|very) much| a lot| again| anyway| anyways| for trying)?( bye| goodbye)?\W*$/],
  // "ok ill go to the id card office tomorrow. thanks": a plan and thanks, with nothing still wrong in it.
  ['thanks', /^(?!.*\b(but|still|doesnt|didnt|cant|wont|not|error|403|how|what|where|why)\b)(ok(ay)?|alright|got it|will do|understood|makes sense|sounds good|fine|great|perfect|cool)\b.{0,80}\b(thanks|thank (you|u)|thx|ty)( (so|very) much| a lot| again| for (the|your) help)?\W*$/],
  ['bye', /^(ok(ay)? |alright )?(bye|goodbye|good bye|see ya|see you|later|cya|im done|i m done|thats all|that s all|nothing else|ttyl|have a good (day|one)|gotta go|got to go)\W*$/],
  // "gotta run to formation, will try it after. thx": leaving now, coming back later.
  ['bye', /\b(gotta|got to|have to|need to|i have to|i need to) (run|go|head out|bounce|jet|leave|step away)\b.{0,60}\b(after|later|tomorrow|when i get back|thx|thanks|ty|bye)\b|\b(will|ill|i ll|gonna) (try|do) (it|that|this) (after|later|afterwards)\b/],
  // "ok bye, I'll do it tomorrow at the office": leaving for now, whatever follows the goodbye; "…, thanks for the help, bye" too.
  ['bye', /(^|\b(ok|okay|thanks|thank you|thx|ty|tomorrow|later|monday|then|now|home|work)\b.{0,3})\b(bye|goodbye|good bye|cya|see ya|ttyl)\W*$|\b(thanks|thank you|thx|ty)( (so much|a lot|anyway|anyways))?( for (the|your|all the) help)?,?( and)? (bye|goodbye|good bye|cya|see ya)\W*$|\b(i will|i ll|ill|will) (come back|be back|try again|return)( \w+){0,2} (tomorrow|later|tonight|monday|next week)\b|^(ok(ay)? |alright |thanks |thx |ty )?(bye|goodbye|good bye|gotta go|got to go|ttyl|cya|see ya)\b|\b(i ll|ill|i will|will) (do|try|finish|deal with|handle|look at|sort out|get to) (it|that|this|them|the rest)( all)?( \w+){0,6} (tomorrow|later|monday|tonight|in the morning|at work|at the office|when i m|when im|when i get)\b/],
  ['worked', /^(nvm |never ?mind |oh |wait |actually |update |hey |ok(ay)? |great |yes |yep |yeah |yup |ya |yay |omg |nevermind |done (and |but )?|did (it|that) (and )?)*(it |that |which |its |it s )?(just |finally |suddenly )?(works?|worked|fixed( it)?|solved|sorted|it s working|its working|working now|works now|all good( now)?|im in|i m in|got in|that did it|it did it|registered|it registered|let me in|logged in|(i )?can (log ?in|sign in|get in)|(log ?in|login) works)( now)?( thanks?| thank you| ty)?\W*$/],
  ['still-broken', /\b(what else (can|should|could) i (try|do)|anything else (i can|to) (try|do)|(all|everything|none) (of )?(that|those|this|them)?\s?(is|are|s)? ?(fine|good|ok|in place|met|there|missing)|i (have|got|did) (all|everything)( of)?( that| those| them)?|nothing (is )?missing|still (doesnt|does not|not|isnt|wont|cant|getting|get|failing|broken|the same|same|nope|no|nothing|nada|no good)|still no (luck|go)|same (thing|error|problem|issue|result)(?! as\b)|nothing changed|no change|didnt (help|work|fix)|doesnt (work|help)|not working)\b/],
  ['vent', /\b(ridiculous|insane|absurd|crazy|dumb|pointless|garbage|a joke|bs|bullshit|hopeless|frustrat\w*|annoy\w*|wtf|ffs|useless|stupid|hate (this|it|cac|ako)|sick of|fed up|fml|so done with|waste of (my )?time|for hours|all day|pissed|angry|unbelievable|this sucks|nightmare|killing me|losing my mind|over it|i give up|giving up|forget it|screw (this|it))\b|[😡🤬😤😠]/u],
  ['vent', /^(ugh+|argh+|smh|sigh|grr+)\W*$/], // alone; "ugh ok, thx" thanks
  ['push-back', /\b(cant you (just )?|(cant|couldnt|can t|could) (i|we) (not )?just|why not just|can you (just |not )?|why cant (you|i|the help ?desk|they|ako|dko)|couldnt you|can (the |a |an )?(ako |dko |ako dko )?(help ?desk( agent| person| tech)?|agent|someone|person|you guys|they) (just )?(reset|unlock|fix|undo|reverse|unrevoke|override|do it)|(there s|theres|there has|there must|has|have|it s|its) (got )?to be (a|some|another|someone|somebody|an?) ?(way|vendor|store|place|site|seller)?|\b(sells?|selling|vendors?|store|amazon|ebay|buy (one|it|them) (somewhere|online|from))|someone (there )?must be able|(is there |isnt there )?(anyone|anybody|someone|somebody) (else )?(who |that )?(can|could) (unlock|reset|unblock|fix|undo|unrevoke|sort) (it|this|that|my|the)|is there (really )?no (other )?way|just (reset|unlock|undo)|no other way|please just|surely (you|someone)|there must be (a|some) way|what if i (cant|can t) (go|get)|too far|cant get to (the|an|my) id|booked( up)? (for|until|till)|no (appointments?|slots?|openings?)( (available|left|for))?|(have|got|need) to (drive|go|travel|walk|fly) (all the way )?(back|there)|weeks? (out|wait))\b/],
  ['push-back', /\b(cant|can t|couldnt|could|can|wont|would|will) (someone|somebody|anyone|you|they|(the |a )?help ?desk( agent| person| tech| guy)?|an agent|a person|a tech|it)\b.{0,40}\b(just|do it|reset|unlock|fix|undo|unrevoke|remotely|for (me|him|her|them))\b|\b(instead|remotely|online|order (one|it|a)|another way|other way|any way around|workaround|too far|hours? away|hrs away|deployed|so they can (reset|unlock|fix|undo))\b/],
  // "i'm his first line supervisor, it's fine": authority claimed over someone else's PIN or password; the rule stands.
  ['push-back', /\b(i m|im|i am) (his|her|their|the|your|a) (first line |1st line |direct |team )?(supervisor|boss|commander|nco|sergeant|sgt|manager|leader|lead|spouse|wife|husband)\b|\b(he|she|they) (said|says|told me) (it s|its|it is) (ok|okay|fine|alright)\b|\b(gave|give|given) me (permission|the ok|the okay)\b|\bi have (his|her|their) (permission|ok|okay|consent)\b/],
  // "can't AKO reset it?"
  ['push-back', /\b(cant|can t|couldnt|cannot|can|could|wont|why cant|why doesnt|why wont) (ako|dko|the (site|portal|website)|army|they|the army)( just)? (reset|unlock|unblock|fix|undo|reverse|unrevoke|do)\b/],
  // "puedes resetearlo?": a push-back in Spanish.
  ['push-back', /\b(puedes|puede|podrias|podria|pueden|podrian|no pueden|no puedes) (tu |usted |ustedes )?(solo |simplemente )?(resetear|reiniciar|desbloquear|arreglar|restablecer|cambiar|quitar|deshacer)\w*/],
  // "so the help desk can undo the lock if I call them?"
  ['push-back', /\b(help ?desk|agent|someone|somebody|they|you|u|a person|a tech) (can|could|will|would) (just )?(reset|unlock|unblock|fix|undo|reverse|unrevoke|override|restore|reissue)\b/],
  ['no-admin', /\bi (dont|don t|do not) (think|believe) (i|we) (have|got) (local )?admin\b|\b(no|dont have|don t have|doesnt have|does not have|didnt have|has no|hasnt got|havent got|without|need|needs|lack|lacks|not an?) (local )?admin( rights| privileges| access| password)?\b|\b(asks|asking|wants|needs) (for )?(an )?admin(istrator)? (password|rights|approval)\b|\bnot (allowed|permitted) to install\b|\bcant install\b|\b(not|never|wont|cant|wont be) (getting|get|given|granted|give me|giving me|allowed)( me)? (local )?admin\b/],
  ['contact', /\bwhen (are|is) (they|it|the help ?desk|the id card office|the office|the id office) open\b|\b(opening|open|business|office) hours\b|\b24 ?7\b|\b(their|the help ?desk s|the help ?desks|the id card office s) (e ?mail|email|phone|number|address|hours)\b|\bwho (even )?(is|s|are) ((my|our|the) (local )?|local )(it|i t|it team|it guys|it people|s6)\b|\bwho (is|s) (my |our |the )?local help ?desk\b|\b(phone|number|e ?mail|email|address|contact|call|reach|hours|located|location|where is)\b.{0,30}\b(help ?desk|id card office|id office|deers|rapids)\b|\b(their|them|they) (phone|number|e ?mail|email|address|hours|contact)|\b(how|where|who) (do|can|should|would) i (call|reach|contact|e ?mail|email|find|get hold of|get a hold of) (them|they)\b|\b(phone|number|e ?mail|email|address|hours) (for|of|do i (call|use|write|e ?mail|email|reach)( to)?) (them|they)\b|\b(call|reach|contact|email|e ?mail) them (on|at)\b|\b(help ?desk|id card office)\b.{0,20}\b(phone|number|email|e mail|address|contact info|hours)\b/],
  ['other-person', /\b(i have|i ve got|ive got|i got|got) (his|her|their) (cac|card|common access card)\b|\bi (know|have) (his|her|their) (ssn|social|pin|password|edipi)\b/],
  ['other-person', /\b(his|her|their|my (wife|husbands?|husband|spouse|soldiers?|coworkers?|co worker|boss|friends?|son|daughter|mom|dad|subordinates?|airman|sailor|marine|colleague|supervisor)s?|(soldier|coworker|colleague|someone else|somebody else|another (person|user|soldier))(s)?) (cac )?(pin|password|card (is |got |has been |s )?(locked|blocked))\b|\bfor (my |a |one of my )?(soldiers?|coworkers?|colleagues?|someone else|somebody else|wife|husband|spouse|friends?|subordinates?|troops?|airm[ae]n|sailors?|marines?)\b.{0,30}\b(pin|password)\b|\b(pin|password)\b.{0,30}\bfor (my |a |one of my )?(soldiers?|coworkers?|colleagues?|someone else|somebody else|wife|husband|spouse|friends?|subordinates?|troops?)\b|\bpin\b.{0,40}\bfor (my |a )?(soldier|coworker|colleague|someone else|somebody else|wife|husband|spouse|friend|subordinate)\b|\b(one of my|my|a|our) (soldiers?|troops?|coworkers?|co workers?|colleagues?|subordinates?|airm[ae]n|sailors?|marines?|buddy|buddies|friends?|users?|joes)\b.{0,25}\b(has|have|got|s|is|are|with) (a |an |his |her |their )?(locked|blocked|forgotten)( cac)? pins?\b/],
  ['undo', UNDO],
  ['hurry', /\b(skip (all )?(that|this|the (questions?|steps?|chit ?chat|small talk))|just (give|tell|show|send) me (the )?(fix|answer|solution|steps|instructions)|just tell me what to do|(get|come) to the point|cut to the chase|no time for (this|questions|all this)|i dont have time( for (this|all this|questions))?|hurry( up)?|quick(ly)? (please|pls)|asap)\b/],
  ['apology', /^(oh |ah |dang |crap |shoot |oops |whoops |omg )*(crap |shoot |dang |damn |oops |whoops )?(sorry|my bad|sry)\b.{0,30}\b(shouldnt|should not|didnt mean to|did not mean to|wasnt supposed to|wasn t supposed to|forgot not to) (have )?(typed|type|sent|send|put|written|write|shared|share|posted)( that| it| this| my \w+)?( here| in here| in the chat)?\W*$/],
  ['apology', /^(oh |oops |whoops |ah |ahh )*(oops|whoops|sorry|my bad|my mistake|sry|soz)( (about that|sorry|my bad|lol))?\W*$/],
  ['something-else', /^(no,? )?(thats not it|that s not it|not (that|it|this)|wrong( one| thing)?|something else|neither|none( of (these|those|them))?|no thats wrong|different problem|not what i (meant|asked))\W*$/],
]

/** "the IT guy has no clue", "they couldn't help me": the people the page sent the user to could not help. */
const NO_HELP =
  /\b((y )?si (el |la |los |mi )?(it|i t|ti|soporte|equipo de it)( no)? (me )?(puede|pueden|quiere|quieren) ayudar|no me (puede|pueden|quiere|quieren) ayudar|(and |but |what |so )?if (they|it|local it|the it( team| guys| people| dept| department)?|my it( team| guys)?|them|he|she|that) (cant|can t|couldnt|wont|won t|doesnt|dont|don t|say no|says no|said no|refuse|refuses|wont help|cannot help|is no help)|(they|it|local it|it team|it guys|he|she) (said|says|say) no|(we|i) (dont|do not|dont really|do not really|dont even) have (an? |any |our own )?(local )?(it|i t)( team| department| dept| guys| people| support| shop| person)?|there (is|s) no (local )?(it|i t)( team| department| dept| guys| people| support| shop| person)|no (local )?(it|i t) (team|department|dept|guys|people|support|shop|person)( here| at (this|my|our) (site|location|office))?|(they|he|she) (refused|declined|turned me down)|(has|have|had|got) no (clue|idea)|(doesnt|dont|didnt) (know|have a clue|have any idea)|(cant|couldnt|wont|wouldnt|unable to|not able to) help|clueless|never heard of (it|this|that)|no help( at all)?|sent me back (here|to you)|(said|told me) to (ask|contact|call) (you|the help ?desk|someone else)|(doesnt|dont|didnt|do not|does not) have (it|one|that|them|the (update|install|file|files|software|download|folder))|(not|isnt|wasnt) available|(they|we|he|she|it|it here|local it) (dont|do not|don t|wont|won t|will not|cant|can t|cannot|doesnt|does not) (support|do|handle|cover|touch|service|work on|help with|deal with)\b)\b/

/** "who do I email for that?", "what's the address?" right after a route that names an e-mail: the page gives none. */
const WHO_TO_WRITE = /\b(who|where|what|which address) (do|should|can|would) i (e ?mail|email|send (it|that|the e ?mail|an e ?mail|a request)|write to|contact)\b|\b(what|which) (e ?mail|email|address|e ?mail address|email address) (do|should|can|would) i (send|use|write|e ?mail|email|try)\b|\b(what s|whats|what is) the (e ?mail|email|address|e ?mail address|email address)\b|\b(e ?mail|email) (address|who|whom|where)\b/

/** "is there anywhere else I can get it?", "can I get activclient some other way": another source than the one given. */
const ELSEWHERE = /\b(anywhere|somewhere|someplace|anyplace|where|who) else\b|\b(another|other|different|alternative|any other|some other) (way|place|source|site|route|option|download)s?\b|\belse (can|could|should) i (get|download|find|go)\b/

/** Words that ask the bot to stop what it is doing (not just venting); read as typed, since spelling repair turns "forget" into "forgot". */
const STOP_WORDS = /\b(stop|cancel|forget (it|this|about it)|never ?mind|nvm|quit|give up|giving up|(i'?m|im) done|enough|leave it|drop it|skip it)\b/

const FORWARDED = /^\s*(-{2,}\s*)?(forwarded message|original message|begin forwarded message)|^\s*(from|sent|to|cc|subject|date)\s*:/i
const SEPARATOR = /^\s*([-_=*~]\s*){3,}$/
/** "> quoted", "SSN: …", "Action: contact helpdesk": a line of someone else's text or of a form. */
const QUOTED_LINE = /^\s*>|^\s*[A-Za-z][A-Za-z /]{0,24}:\s*\S/

/**
 * The user's own words in a pasted e-mail or form ("pasting what my unit sent me: … so what do i do"): without the
 * forwarded block (up to a separator line) and quoted or "Key: value" lines. What someone else wrote ("contact the
 * help desk") is no request of the user's; its error text still counts, as the whole message is recognized.
 */
export function ownWords(text: string): string {
  const lines = text.split(/\r?\n/)
  if (lines.length < 3) return text
  const own: string[] = []
  let forwarded = false
  let afterForward: string[] = []
  for (const line of lines) {
    if (FORWARDED.test(line)) {
      forwarded = true
      afterForward = []
      continue
    }
    if (forwarded) {
      if (SEPARATOR.test(line)) forwarded = false
      else afterForward.push(line)
      continue
    }
    if (SEPARATOR.test(line) || QUOTED_LINE.test(line)) continue
    own.push(line)
  }
  // A forwarded block never closed: its last paragraph, after a blank line, is taken as the user's comment.
  if (forwarded && own.join('').trim() === '') {
    const blank = afterForward.map((line) => line.trim() === '').lastIndexOf(true)
    if (blank >= 0) own.push(...afterForward.slice(blank + 1).filter((line) => !QUOTED_LINE.test(line)))
  }
  const said = own.join('\n').trim()
  return said.length > 0 ? said : text
}

/** Every signal in a message: a person, a repeat, step help, thanks, venting, push-back... */
export function signalsOf(text: string): Set<Signal> {
  const said = clean(text)
  const raw = text.slice(0, MAX_UNDERSTOOD_CHARS).trim()
  const found = new Set<Signal>()
  for (const [signal, pattern] of SIGNALS) if (pattern.test(said) || (signal === 'vent' && pattern.test(raw))) found.add(signal)
  // A whole sentence in capitals is shouting: empathy first, whatever else it says.
  const letters = raw.replace(/[^A-Za-z]/g, '')
  if (letters.length >= 15 && letters.replace(/[^A-Z]/g, '').length / letters.length > 0.8 && wordCount(raw) >= 4) found.add('vent')
  if (FAILING_AGAIN.test(said)) found.add('still-broken')
  if (isOnlyEmoji(raw)) found.add(/👋/u.test(raw) ? 'bye' : /[👎❌🙁😞😕☹]/u.test(raw) ? 'still-broken' : /[👍🙏😊🙂👌✅🎉❤💯]/u.test(raw) ? 'thanks' : /[😡🤬😤😠😩😫😭]/u.test(raw) ? 'vent' : 'thanks')
  return found
}

/** A message of emoji and punctuation only ("👍", "🙏🙏"). */
export function isOnlyEmoji(text: string): boolean {
  const stripped = text.replace(/[\s.!?,]/g, '')
  return stripped.length > 0 && /^[\p{Extended_Pictographic}\u{FE0F}\u{200D}\u{1F3FB}-\u{1F3FF}]+$/u.test(stripped)
}

/** How many words a message has, for telling a short answer from a sentence that carries a new problem. */
export const wordCount = (text: string) => clean(text).split(' ').filter(Boolean).length


// ---------------------------------------------------------------------------------------------- one reading

/** The route the recognizer chose for a message (same shape as routing.ts's Route). */
export type RouteLike =
  | { kind: 'intent'; intentId: string; score: number }
  | { kind: 'suggest'; intentIds: string[] }
  | { kind: 'none'; topic?: string }

/** What the dialog should do with a message. `vent` asks for a word of empathy first, whatever the reading. */
export type Reading = { vent: boolean; found: FactsFound } & (
  /** `term`: a word of the steps asked about in the same message ("gemalto. whats activclient anyway"), explained first. */
  | { kind: 'answer'; answer: AnswerReading; term?: string }
  | { kind: 'person' }
  | { kind: 'repeat' }
  | { kind: 'resume' }
  /** "go back, I picked wrong": back to the last question answered, its answer forgotten. */
  | { kind: 'undo' }
  /** `about`: the (sub-)procedure the question names ("what's SSL state?"), rather than the question on screen. */
  | { kind: 'step-help'; about?: string; why?: boolean }
  /** `ok`: "fine", "ok then" after a rule or the steps' end: accepted, nothing more asked. */
  | { kind: 'close'; how: 'thanks' | 'bye' | 'ok' }
  | { kind: 'worked' }
  | { kind: 'still-broken' }
  | { kind: 'policy'; intentId: string; pushBack: boolean }
  | { kind: 'problem'; intentId: string; hedge: boolean }
  | { kind: 'clarify'; intentIds: string[] }
  | { kind: 'small-talk'; intentId: string }
  | { kind: 'facts' }
  /** Too vague to act on even with a hedge: ask what they see, with the common problems as buttons. */
  | { kind: 'vague' }
  /** "yeah", "ok" to a question that isn't yes/no: an acknowledgement; the question is simply asked again. */
  /** `language`: "no hablo bien inglés", "my english not good": no answer, but how to answer simply. */
  | { kind: 'ack'; away?: boolean; language?: boolean }
  /** "skip all that, just give me the fix" while a question waits: the fix depends on it, so it is asked again, briefly. */
  | { kind: 'hurry' }
  /** The problem we are already working on, said again. */
  | { kind: 'same-problem' }
  /** "I don't have admin rights": the page's answer is the local IT team. */
  | { kind: 'no-admin' }
  /** The user already did the (sub-)procedure running now: skip past it. */
  | { kind: 'tried-running'; procedureId: string }
  /** "what's the help desk number?": the page gives none; say so rather than invent one. */
  /** `stepEmail`: about the e-mail a step says to send ("what do i put in the email"). */
  | { kind: 'contact'; stepEmail?: boolean; forMe?: boolean }
  /** "can you reset it for me?" at a step the user does: the bot can't; the step, and where to turn if it fails. */
  | { kind: 'for-me' }
  | { kind: 'something-else' }
  /** "what's activclient?": a word the steps use, explained (then back to the step). */
  | { kind: 'term'; term: string }
  /** "ok did that" to a question inside a part (which browser?): did it help? */
  | { kind: 'done-part' }
  /** "their IT has no clue about it": where the page sent them could not help; the route again, and a person offered. */
  /** ...or `failed: false`, "is there anywhere else I can get it?": the page's other route asked for, nobody has failed yet. */
  | { kind: 'referral-failed'; failed: boolean }
  /** "did you get my info?": personal details are neither needed nor kept. */
  /** `need`: "what do they need from me?" about the people the bot sent them to. */
  | { kind: 'own-info'; need?: boolean }
  /** "is this a real person?": who is answering, then on as before. */
  | { kind: 'about-bot' }
  | { kind: 'vent' }
  /** `topic`: the out-of-scope topic read, when the route did not settle on one (an aside). */
  | { kind: 'out-of-scope'; topic?: string }
  | { kind: 'unclear' }
)

export interface UnderstandingContext {
  pending?: PendingQuestion
  route: RouteLike
  facts: Facts
  /** The procedure running now, at the top level. */
  active?: string
  /** Every procedure on the stack (a sub-procedure's steps are part of the step that runs it). */
  running?: readonly string[]
  /** Procedures the running ones run later (the cache steps of "kicked back to login"): part of this problem, not another. */
  within?: readonly string[]
  /** Facts the running procedures ask about: a message giving one ("i registered it just now") is about them. */
  activeSlots?: readonly Slot[]
  /** A problem was left for this one ("we can come back to it: say back"). */
  paused?: boolean
  /** Words the steps use that knowledge/ explains ("ActivClient", "PKCS#11"), with the names people use for them. */
  terms?: readonly { term: string; names: readonly string[]; asked?: readonly RegExp[] }[]
  /** The bot's last words asked whether the part just done helped ("ok did that" before). */
  askedIfDone?: boolean
  /** A PIN was typed (and removed) in this message. */
  typedPin?: boolean
  /** The procedure that ended last, so "still 403" after it goes on to what comes next, not round again. */
  lastProcedure?: string
  /** The last procedure ended by sending the user elsewhere (their branch, local IT), so "they have no clue" is about that. */
  referred?: boolean
  /** The last policy given in this conversation, so a push-back gets it again. */
  lastPolicy?: string
  /** Out-of-scope topics the page refers elsewhere (VPN and network: local IT). */
  isTopic?(intentId: string): boolean
  /** Topics whose own words the message names ("wifi", "vpn"). */
  namedTopics?: readonly string[]
  /** Intents whose procedure states a policy (always answered, even mid-question). */
  isPolicy(intentId: string): boolean
  /** The procedure an intent leads to, if any. */
  procedureOf(intentId: string): string | undefined
  /** Whether an intent's procedure fits what we know (facts said in this message included). */
  fits?(intentId: string, facts: Facts): boolean
  /** Whether this message says the intent's topic is not what it is about ("it's not my PIN, it's my password"). */
  denies?(intentId: string): boolean
  /** Whether this message's own facts back an intent up (a locked-PIN answer needs the PIN said to be locked or forgotten). */
  backedBy?(intentId: string, facts: Facts): boolean
  /** Whether the bot's last question was "what do you see?" (a bare "?" or "huh" asks it again). */
  askedVague?: boolean
  /** Whether the message quotes a known error text (the strongest evidence there is). */
  errorQuoted?: boolean
  /** Whether the message says one of the procedure's cue words (true when it has none). */
  hasCue?: (intentId: string, facts: Facts) => boolean
  /** Whether the message has one of the intent's procedure's cue words, when it declares some ("new" for a new CAC). */
  cued?(intentId: string): boolean
  /** The recognizer's score for an intent (0 when it did not score it). */
  scoreOf(intentId: string): number
  /** Every scored intent, best first: the runner-up stands in when the message denies the top one. */
  ranked?: readonly string[]
  minScore: number
}

/** The intent of the locked or forgotten PIN rule. */
const PIN_POLICY = 'pin-locked-or-forgotten'
/** "it says locked", "now its blocked": locked, without naming what (read as the PIN only while the PIN is in play). */
const LOCKED_NOW = /\b(says|say|shows|showing|saying|its|it s|it is|is|now|got|gets|getting|went|card) (locked|blocked)\b|\b(locked|blocked) (now|out|up)\b|^(locked|blocked)\b/

/** "what's activclient?", "lol she says what is a pkcs", "never heard of pkcs11": a question about what a word means. */
const WHAT_IS = /\b(^(?:what|wat|wut|wht)(?= \w+(?: \w+)?(?: \w+)?$)|(?:what|wat|wut|wht)(?: even| exactly| the heck| the hell| on earth)? (?:s|is|are|does)|whats|wats|wuts|wtf is|wth is|what do you mean(?: by)?|never heard of|no idea what)\b(.*)$/

/** "what does registered mean here", "what do you mean by account": a question about a word, not an answer. */
const MEANING = /\b(what (does|do|did|would) .{1,40} mean|what do (you|u) mean|mean by|meaning of|as in|like with the)\b/

/** "the help desk told me to talk to the bot", "they sent me here". */
const SENT_HERE = /\b(told|sent|said|asked|referred|pointed) (me )?(to )?(here|over here|to (you|this|the bot|the chat ?bot|chat)|(talk|chat|speak|go) (to|with) (you|the bot|this( thing| bot| chat)?|the chat ?bot|a bot|the chat)|use (you|the bot|this( thing| bot| chat)?|the chat ?bot))\b/

/** The known term a "what is ..." question asks about, if any. */
/** "is ako the same thing as dko?", "difference between AKO and DKO": a question about two words at once. */
const SAME_AS = /\b((is|are|isnt|arent) (.{1,40}) (the )?same( thing)? as (.{1,40})|(difference|different) between (.{1,60})|(is|are) (.{1,30}) the same (login|log in|sign in|account|password|site|portal|thing)\b.*)$/

export function termAsked(text: string, terms: readonly { term: string; names: readonly string[]; asked?: readonly RegExp[] }[], { where = true } = {}): string | undefined {
  const said = clean(text)
  // A question the knowledge answers in its own words ("do i have to do this for each of them?").
  const asked = terms.find((t) => t.asked?.some((pattern) => pattern.test(said)))
  if (asked) return asked.term
  // "where is X?" only when the step on screen has no help for it (its help says where ActivClient is; a term doesn't).
  const match = WHAT_IS.exec(said) ?? (where ? WHERE_IS.exec(said) : null)
  const compared = match ? undefined : SAME_AS.exec(said)
  if (!match && !compared) return undefined
  const rest = ` ${match ? match[2]! : compared![0]} `
  const squeezed = rest.replace(/ /g, '')
  const restWords = rest.trim().split(' ')
  return terms.find(({ term, names }) =>
    [term, ...names].some((name) => {
      const said = cleanPhrase(name)
      return said.length > 0 && (rest.includes(` ${said} `) || rest.includes(` ${said}s `) || squeezed.includes(said.replace(/ /g, '')) || spelledNear(said.split(' '), restWords))
    }),
  )?.term
}

/** "activ clinet" for "activ client": a name's words in a row, each long one at most one slip away. */
function spelledNear(name: readonly string[], words: readonly string[]): boolean {
  if (!name.some((w) => w.length >= 5)) return false
  for (let i = 0; i + name.length <= words.length; i++) {
    if (name.every((w, j) => words[i + j] === w || (w.length >= 5 && oneEditApart(w, words[i + j]!)))) return true
  }
  return false
}

/** "why?", "why does that matter": the reason for the step, not its detail. */
const WHY = /^(but |ok |so )?why( tho| though| so| exactly| is that| that| this)?\W*$|^why (that|this)( step| one)?\W*$|\bwhy (does|do|is|would|should) (that|this|it) (matter|needed|necessary|important|help)\b|\bwhy do (i|you) (need|have) (that|this|to know)\b/

/** "can you email them for me", "could you call the help desk": the bot asked to reach someone. */
const CONTACT_FOR_ME = /\b(can|could|will|would|cant|can t|pls|please) (you|u|the bot|this bot)( (please|pls|just|not))? (e ?mail|email|call|phone|contact|message|text|reach out to|ping|notify|tell) (them|the help ?desk|the id card office|him|her|someone|somebody|an agent|the agent)\b/

/** "can you reset it for me", "could u just do it": the bot asked to do the user's step. */
const FOR_ME = /\b(can|could|will|would|cant|couldnt|can t) (you|u|the bot|this bot)( (please|pls|plz|just|not))? (reset|unlock|change|fix|do|clear|register|install|update|sort)( it| that| this| my \w+)?( for me)?\b|\b(reset|fix|do|change) (it|that|this) for me\b/

/** "where is quick links at??": where a named thing of the steps is (its explanation says where). */
const WHERE_IS = /\b(^(?:where|wher|whre)(?= \w+)|(?:where|wher|whre) (?:is|are|s|do i find|can i find|would i find)|wheres|where s)\b(.*)$/

/** Another fix proposed in place of the one a rule gives ("what about clearing the cache", "would reinstalling it help?"). */
const FIX_PROPOSED = /^((so|but|ok|okay|well|and|hmm|um|then) )*(what about|how about|what if i|cant i just|couldnt i just)\b|\b(to (fix|solve|sort|get around) (it|this|that|the (problem|issue|error|revocation|revoked)( \w+)?)|(fix|solve) (it|this) that way|instead|(would|will|could|does|wouldnt|wont|cant) (that|it|this|(clearing|reinstalling|installing|updating|resetting|registering|re ?registering|changing)\b.{0,30}) (help|work|fix (it|this|that)))\b/

/** "so what do they need from me", "what should i bring": what the help desk or ID card office will ask for. */
const WHAT_THEY_NEED = /\bwhat( (info|information|details|documents|papers|stuff))? (should|do|must) i (have ready|have on hand|bring|prepare|have with me|take)\b|\b(what|which (info|information|details|documents|papers))( (info|information|details|documents|papers|stuff))? (do|does|will|would|should) (they|the help ?desk|the id card office|the office) (need|want|require|ask for|ask)\b|\bwhat (exactly )?(should|do|can|would) i (exactly )?(bring|have ready|tell them|say to them|tell (the )?(help ?desk|id card office|agent|office)|say to (the )?(help ?desk|id card office|agent|office)|say when i call|tell them when i call)\b/

/**
 * The message without where the card reader is ("…but the cac reader is on my work desktop"), for recognizing the
 * problem: the place names no problem, and "reader" would read as a card-reader question. Unchanged when the reader
 * itself is the problem ("the reader light doesn't come on").
 */
export function withoutReaderPlace(text: string): string {
  const lower = text.toLowerCase()
  if (/\breader\b.{0,20}\b(doesn.?t|does not|won.?t|isn.?t|not|broken|dead|light|blink\w*|driver)\b/.test(lower)) return text
  return text.replace(/\b(the |my |our )?(cac |card )?reader (is |s |sits |lives )?(on|at|in|plugged into|connected to|attached to|hooked up to|hooked to) (my|the|a|our|his|her)( \w+){1,2}/gi, ' ')
}

/** "fine", "ok then", "fair enough": what was said is taken, with nothing more asked. */
const OK_THEN = /^(ok(ay)? |well |alright |hmm |ugh )?(fine|ok fine|alright then|ok then|okay then|fine then|fine whatever|whatever|understood|i see|makes sense|i guess|guess so|ok i guess|fair enough|noted|will do|roger|roger that|copy|k then)\W*$/

/** "its broken", "not working" with nothing else said: at a CAC help desk, about the CAC; what do they see? */
const BROKEN = /^(ugh |hi |hello |hey |help |so |idk |i dunno |dunno |i don t know |i dont know )*(it s |its |it is |everything s |everything is |this is |it |mine is |mine s )?(all )?(still |just )?(broken|not working|doesnt work|wont work|stopped working|messed up|busted|dead|acting up|(doesnt|wont|won t|will not|does not) let me (in|log ?in|sign ?in))( again| anymore)?$/

/** The user says their English is weak (in Spanish or English). */
const NO_ENGLISH = /\b(no hablo (bien |mucho |muy bien )?(el )?ingl[eé]s|no entiendo (bien |mucho )?(el )?(ingl[eé]s)?$|no (se|sé) (mucho |bien )?ingl[eé]s|(dont|don t|do not|cant|can t) (speak|understand|read) (good |much |well |very well )?english|my english (is )?(not|isnt|no) (good|so good|very good|great)|english (is )?(not|isnt) my first language|poco ingl[eé]s)\b/

/** Going away to do the step now ("brb", "heading to my desk", "gonna try it now"): not an answer yet. */
const AWAY = /\b(brb|be right back|(going|gonna go|heading|walking|running|off) (over |back )?to (the|my) (pc|computer|desk|desktop|laptop|office|work ?station|other (pc|computer|laptop))|let me (go )?(try|check|do|test) (it|that|this|now)|(gonna|going to|will|ill|i ll|i will) (try|test|do) (it|that|this)( now| real quick| rn| right now)?\W*$|trying (it|that|this)? ?now|(gonna|going to|will|ill|i ll|let me) (try|test) (it )?(now|real quick|rn)|trying it out|(clearing|doing|trying|installing|resetting|registering|changing|unchecking|ticking|checking) (it|that|this|them|my \w+|the \w+)( \w+)? now)\b/

/** A CAC said to be expired (not "password expired"). */
export const EXPIRED = /\b(cac|card|id)( is| has| s|s| has been| got)? expired\b|\bexpired (cac|card|id)\b/
const ID_CARD_OFFICE = 'out-of-scope-id-card-office'

/** Messages that name an action the page does to two different things, and not the thing. */
const BARE: readonly { said: RegExp; intentIds: readonly string[] }[] = [
  {
    said: /^(?:(?:hi|hello|hey|ok|so|um+)\s)?(?:how (?:do|can|would|should) i |how to |i (?:need|want|have) to |help me |can you help me )?(?:register|registering|registration|get registered)(?: please| pls| plz| now| again)?$/,
    intentIds: ['registration-requirements', 'register-certificates'],
  },
]

/** Words that make a message about what this bot covers, whatever else it says. */
const DOMAIN = /\b(ako|dko|cac|cacs|common access card|card|army (website|site|portal|web ?site)|log ?in|login|logging in|sign ?in|certs?|certificates?|activclient|middleware|edipi)\b/

/** A policy intent scoring at least this is answered even at moderate confidence (its line is always right to give). */
export const POLICY_SCORE = 0.3
/** One candidate scoring at least this is acted on with a way out; below it, we ask what the user sees. */
export const HEDGE_SCORE = 0.3
/**
 * Mid-steps, a message leaves the steps for another problem or a command (cancel, start over) only at this score:
 * the decision rule acts on a clear margin alone, which short answers like "yes but it still doesn't work" get too.
 */
export const SWITCH_SCORE = 0.5

/**
 * Reads one message once, against the pending question first and then everything else. The order is the policy:
 * a person asked for, a rule pushed back on, a clear answer, a policy line, closing words, requests about the
 * step, a new problem, facts, venting; "didn't catch that" only when nothing fits.
 */
export function understand(text: string, ctx: UnderstandingContext): Reading {
  const found = extractFacts(text, { typedPin: ctx.typedPin })
  const signals = signalsOf(ownWords(text))
  // "i picked wrong, it's chrome": a correction of what was answered, with the right value.
  if (signals.has('undo') && Object.keys(found.facts).length > 0) found.correction = true
  const vent = signals.has('vent')
  const base = { vent, found }
  const words = wordCount(text)
  // "helping my mother change her PIN, she knows the current one and will type it herself": her steps, not the rule.
  if (!ctx.pending && !ctx.active) {
    const said = clean(text)
    const knowsIt = found.facts.pin === 'known' || /\b(she|he|they) (knows|remembers|know|remember) (the |her |his |their )?(current |old )?(one|pin|it)\b/.test(said)
    const helpsChange = knowsIt && /\b(chang\w*|new pin)\b/.test(said) && !/\b(locked|forgot|forgotten|reset|unlock|blocked)\b/.test(said)
    const changeIntent = helpsChange ? (ctx.ranked ?? []).find((id) => ctx.procedureOf(id) === 'change-pin') : undefined
    if (changeIntent) {
      found.facts.pin = 'known' // said of the card holder the user is helping: not asked again
      return { ...base, kind: 'problem', intentId: changeIntent, hedge: false }
    }
  }
  // "wait no, I mean the password for the ako website, not the card one" just after the PIN rule: the password was
  // what they can't remember, so the reset (the rule was for the wrong thing).
  if (ctx.lastPolicy === PIN_POLICY && !ctx.pending && !ctx.active && /\b(i mean|i meant|meant|its|it s|it is|talking about) (the |my )?(ako |dko |website |web site |site |account |login )?password\b/.test(clean(text))) {
    const reset = (ctx.ranked ?? []).find((id) => ctx.procedureOf(id) === 'password-reset')
    if (reset) {
      found.facts.password = 'forgotten'
      found.correction = true
      return { ...base, kind: 'problem', intentId: reset, hedge: false }
    }
  }
  // Just after the PIN rule (which says what to do if you do know it): "no i dont know it", "i know it, just want a new
  // one": "it" is the PIN. Unknown: the rule stands; known: changing it is the way.
  if (ctx.lastPolicy === PIN_POLICY && !ctx.pending && !ctx.active && found.facts.pin === undefined && words <= 14) {
    const said = clean(text)
    if (/\b(know|knew|remember|recall)\b|\b(dont|do not|didnt|never) no\b/.test(said) && !/\b(password|pw|account|edipi|ssn|office|where|who)\b/.test(said)) {
      found.facts.pin = PIN_KNOWN_DENIED.test(said) || /\b(dont|do not|didnt|never) no\b/.test(said) ? 'unknown' : 'known'
      if (found.facts.pin === 'unknown') return { ...base, kind: 'policy', intentId: PIN_POLICY, pushBack: false }
      const change = (ctx.ranked ?? []).find((id) => ctx.procedureOf(id) === 'change-pin')
      if (change) return { ...base, kind: 'problem', intentId: change, hedge: false }
    }
  }
  const facts = { ...ctx.facts, ...found.facts }
  const fits = (id: string) => (ctx.fits?.(id, facts) ?? true) && !(ctx.denies?.(id) ?? false)
  // Candidates that contradict a fact are dropped: "I know my PIN, I want a new one" is not a forgotten PIN.
  let route: RouteLike =
    ctx.route.kind === 'suggest' ? { kind: 'suggest', intentIds: ctx.route.intentIds.filter(fits) } : ctx.route
  // "Coast Guard here, got issued a new CAC and cant get into AKO": a rule with cue words ("buy", "order") none of which
  // is said, below the usual score, is not the reading; a problem whose own cue is said ("new") is, as a hedge.
  if (route.kind === 'intent' && ctx.isPolicy(route.intentId) && route.score < ctx.minScore && ctx.hasCue && !ctx.hasCue(route.intentId, found.facts)) {
    const dropped = route.intentId
    const next = (ctx.ranked ?? []).find((id) => id !== dropped && ctx.procedureOf(id) !== undefined && !ctx.isPolicy(id) && fits(id) && (ctx.cued?.(id) ?? true) && ctx.scoreOf(id) >= 0.2)
    route = next ? { kind: 'intent', intentId: next, score: ctx.scoreOf(next) } : { kind: 'none' }
  }
  // A bare "no", "yes", "idk" with no question waiting names no problem ("no" reads like "no certificate"): none is started.
  const bareReply = !ctx.pending && !ctx.active && words <= 2 && /^(no|nope|nah|n|yes|yeah|yep|y|idk|dunno|maybe|ok|okay|k|sure)( (man|dude|sir|maam|thanks|lol|idk))?$/.test(clean(text))
  if (bareReply && ((route.kind === 'intent' && ctx.procedureOf(route.intentId) !== undefined) || route.kind === 'suggest')) route = { kind: 'none' }
  // "it's not my PIN, it's my password": the top intent is denied, so the runner-up is judged on what is left of the
  // probability (its share once the denied one is taken out).
  // "I registered it months ago and now I can't log in": the best reading, sure or not, ruled out by this message's own
  // facts (what login needs, to someone registered) gives way the same way.
  const ruledOut = (id: string) => !ctx.typedPin && !(ctx.fits?.(id, found.facts) ?? true)
  const top = route.kind === 'intent' ? route.intentId : ctx.ranked?.[0]
  // A procedure this message's own facts call for (its appliesWhen met: "it's registered" → the registered case).
  const calledFor = (id: string) => (ctx.backedBy?.(id, found.facts) ?? false) && !(ctx.backedBy?.(id, {}) ?? true)
  // Unsure between readings, the one the facts call for is the hedge: better than "what problem are you having?".
  if (route.kind === 'none' && !route.topic && top && calledFor(top) && ctx.scoreOf(top) >= HEDGE_SCORE) route = { kind: 'intent', intentId: top, score: ctx.scoreOf(top) }
  // "it wants my ako password and i dont remember it": no reading sure enough, but this message's facts call for one
  // of the likely problems (a forgotten password: the reset): that one, as a hedge with a way out.
  if ((route.kind === 'none' && !route.topic) || route.kind === 'suggest') {
    const called = !ctx.pending && !ctx.active ? (ctx.ranked ?? []).slice(0, 4).find((id) => ctx.procedureOf(id) !== undefined && !ctx.isPolicy(id) && calledFor(id) && fits(id) && ctx.scoreOf(id) >= 0.1) : undefined
    if (called) route = { kind: 'intent', intentId: called, score: ctx.scoreOf(called) }
  }
  if (top && ((route.kind === 'intent' && (ctx.denies?.(top) ?? false)) || ruledOut(top))) {
    const candidates = (ctx.ranked ?? []).filter((id) => id !== top && fits(id) && ctx.procedureOf(id) !== undefined)
    // The one this message's facts call for ("registered" → the registered case) before one they merely allow.
    const next = candidates.find(calledFor) ?? candidates[0]
    const left = 1 - ctx.scoreOf(top)
    if (next && left > 0) route = { kind: 'intent', intentId: next, score: Math.min(1, ctx.scoreOf(next) / left) }
  }
  // "so i need a whole new card" right after a rule whose way forward is a new card (revoked certificates): that rule.
  if (ctx.lastPolicy && !ctx.pending && !ctx.active && /\b(so )?(i|we) (need|have to get|must get|gotta get|ll need|will need|have to go get) (a )?(whole |brand |totally |completely )?new (card|cac|one)\b/.test(clean(text))) {
    return { ...base, kind: 'policy', intentId: ctx.lastPolicy, pushBack: false }
  }
  // "wait no i remember it, i just want to change it" after the forgotten-PIN rule: the fact the rule stood on is
  // corrected, so the problem is read again with it (here: changing a known PIN), not "what problem are you having?".
  if (ctx.lastPolicy && !ctx.pending && !ctx.active && Object.keys(found.facts).length > 0 && !(ctx.fits?.(ctx.lastPolicy, facts) ?? true)) {
    const meant = (ctx.ranked ?? []).find((id) => id !== ctx.lastPolicy && ctx.procedureOf(id) !== undefined && !ctx.isPolicy(id) && fits(id) && ctx.scoreOf(id) >= 0.1)
    if (meant) return { ...base, kind: 'problem', intentId: meant, hedge: true }
  }
  const { pending } = ctx
  // The facts just read stand for the answer's own (read without a typed PIN's hint, so only when there was none).
  const answer = pending ? readAnswer(text, pending, ctx.facts, ctx.typedPin ? undefined : found.facts) : undefined
  const topIntent = route.kind === 'intent' ? route.intentId : route.kind === 'suggest' ? route.intentIds[0] : undefined
  let policyIntent = [topIntent, ...(route.kind === 'suggest' ? route.intentIds : [])].find(
    // Below the usual score a policy line needs this message to back it up: "my account is locked" is not a locked PIN.
    (id): id is string =>
      id !== undefined && ctx.isPolicy(id) && fits(id) &&
      (ctx.backedBy?.(id, found.facts) ?? true
        ? ctx.scoreOf(id) >= POLICY_SCORE
        : ctx.scoreOf(id) >= ctx.minScore && !ctx.active && !pending),
  )
  // "will they be able to reset my cac pin too?": whoever is asked about, a PIN reset has one answer (ID card office).
  const pinReset = /\b(reset|unlock|unblock|recover)\w*\b.{0,30}\bpin\b|\bpin\b.{0,30}\b(reset|unlock|unblock)\w*\b/.test(clean(text)) && facts.pin !== 'known' && !(ctx.denies?.(PIN_POLICY) ?? false)
  if (!policyIntent && pinReset && ctx.isPolicy(PIN_POLICY)) policyIntent = PIN_POLICY
  // "I guess I don't actually know it then" while changing a PIN: "it" is the PIN, so the rule.
  if (!policyIntent && (ctx.running ?? []).includes('change-pin') && /\b(dont|do not|don t|didnt) (actually |really |even )?(know|remember) it\b/.test(clean(text)) && ctx.isPolicy(PIN_POLICY)) {
    found.facts.pin = 'unknown'
    policyIntent = PIN_POLICY
  }
  // "now it says locked" while changing a PIN (or once the PIN came up): the PIN, so the locked-PIN rule, not a reprompt.
  const pinInPlay = (ctx.running ?? []).includes('change-pin') || (ctx.activeSlots ?? []).includes('pin') || ctx.facts.pin !== undefined
  if (!policyIntent && pinInPlay && LOCKED_NOW.test(clean(text)) && !/\b(account|password|username|user name|not|isnt|no longer)\b/.test(clean(text)) && ctx.isPolicy(PIN_POLICY)) {
    found.facts.pin = 'locked'
    policyIntent = PIN_POLICY
  }
  // "the reader says incorrect pin, did i lock myself out?": this message's own facts are what a policy applies to (its
  // cue said too), so its line is given however low the recognizer scored it (here it heard "reader"); unless those
  // facts answer the question pending ("Do you know your PIN?" "no, the pin doesnt work"): its steps branch on them.
  if (!policyIntent && !(answer?.kind === 'option' && answer.by === 'fact')) policyIntent = ctx.ranked?.find((id) => ctx.isPolicy(id) && calledFor(id) && fits(id))
  const isRunning = (intentId: string) => {
    const procedureId = ctx.procedureOf(intentId)
    return procedureId !== undefined && (procedureId === ctx.active || (ctx.running ?? []).includes(procedureId))
  }
  const aboutActive = Object.keys(found.facts).some((slot) => ctx.activeSlots?.includes(slot as Slot))
  // Mid-steps, a policy topic needs its cue ("it's a new card" is not about buying one).
  const unbacked = (id: string) => ctx.isPolicy(id) && (ctx.active !== undefined || pending !== undefined) && !(ctx.backedBy?.(id, found.facts) ?? true)
  const midSteps = ctx.active !== undefined || pending !== undefined
  const sure = route.kind === 'intent' && (!midSteps || route.score >= SWITCH_SCORE) && fits(route.intentId)
  // "still there", "no luck" mid-steps are about this problem, whatever else the words resemble.
  const aboutThis = (signals.has('still-broken') || signals.has('worked')) && words <= 5 && midSteps
  const partOfThis = (intentId: string) => (ctx.within ?? []).includes(ctx.procedureOf(intentId) ?? '')
  const otherProblem =
    !aboutThis && !bareReply && sure && route.kind === 'intent' && ctx.procedureOf(route.intentId) && !isRunning(route.intentId) && !partOfThis(route.intentId) && !aboutActive && !unbacked(route.intentId) &&
    // "did that, registered fine now" says the step worked, whatever problem "registered" suggests; "back says" is a fragment.
    !(midSteps && (answer?.kind === 'worked' || words < 3))
      ? route.intentId
      : undefined
  // Named outright (a button, a label, a fact, a phrase the step declares), not only yes/no in a sentence.
  const explicit = (answer?.kind === 'option' && answer.by !== 'polarity') || ((answer?.kind === 'worked' || answer?.kind === 'failed') && answer.by === 'phrase')

  // "how do i register": the page registers two things (the CAC with the account, the certificates with the browser).
  // A verb with no object says which of them no better than a guess would: both are offered side by side.
  const bare = !pending && !ctx.active ? BARE.find(({ said }) => said.test(clean(text))) : undefined
  if (bare && bare.intentIds.every((id) => ctx.procedureOf(id) !== undefined)) return { ...base, kind: 'clarify', intentIds: [...bare.intentIds] }
  // "can you email them for me?": the bot can't reach anyone for the user, and the page gives no address to use.
  if (CONTACT_FOR_ME.test(clean(text)) && !explicit) return { ...base, kind: 'contact', forMe: true }
  if (signals.has('push-back') && ctx.lastPolicy && !explicit) return { ...base, kind: 'policy', intentId: ctx.lastPolicy, pushBack: true }
  if (pending?.kind === 'check' && !ctx.lastPolicy && FOR_ME.test(clean(text))) return { ...base, kind: 'for-me' }
  // "so what should he do then" after a rule about someone else: that rule's way forward again.
  if (ctx.lastPolicy && !pending && !ctx.active && /\bwhat (should|does|do|can|must) (he|she|they) do\b|\bhow (does|do|can|should) (he|she|they) (fix|sort|reset|unlock|get)\b|\bwhat (do|should|can|would) i (tell|say to) (him|her|them|my \w+)\b/.test(clean(text))) {
    return { ...base, kind: 'policy', intentId: ctx.lastPolicy, pushBack: false }
  }
  // "what about clearing the cache?", "can i reinstall activclient to fix it?" right after a rule (revoked certificates: a
  // new CAC is the only way): another fix proposed is a push-back on the rule, not a new problem to start.
  if (ctx.lastPolicy && !pending && !ctx.active && FIX_PROPOSED.test(clean(text)) && !/\b(also|another|as well|too|separate|different|other (thing|problem|issue)|btw|by the way)\b/.test(clean(text))) {
    return { ...base, kind: 'policy', intentId: ctx.lastPolicy, pushBack: true }
  }
  // "this is ridiculous" right after a rule: empathy (said first, for any venting), then the rule and its route again.
  if (vent && ctx.lastPolicy && !pending && !ctx.active && !signals.has('person')) return { ...base, kind: 'policy', intentId: ctx.lastPolicy, pushBack: false }
  // After a policy line, a follow-up we can't otherwise place ("so i cant order one online?") is about that rule.
  // "how do i get a new one then?" after the rule: the route again (not a push-back, so without the apology).
  const followUp = ctx.lastPolicy && !pending && !ctx.active && /\b(how do i|how can i|how would i|where do i|where can i|what do i do|what should i do|so what now|then what|(so )?(i|we) (need|have to get|must get|gotta get|ll need|will need) (a )?(whole |brand |totally |completely )?new (card|cac|one))\b/.test(clean(text))
  const pushBackLike = ctx.lastPolicy && !pending && /\?|\b(so|but|(?<!(that s|thats|that is|which is|this is) )why|what if|how come|really|seriously)\b|^(can|could|cant|is there|isnt there|there must be|would) (i|we|anyone|someone|somebody|a way|no way)\b/.test(clean(text) + (text.includes('?') ? '?' : ''))
  // "where is the ID card office?" gets the truth; "what's the help desk number?" is a request for a person (the rule's human-agent).
  const wantsPerson = route.kind === 'intent' && route.intentId === 'human-agent'
  // ("can I buy one and put my stuff on it?": buying a card, whatever "my stuff" sounds like.)
  if (signals.has('own-info') && !explicit && !/\b(buy|buying|bought|purchase|order|sell|selling|for sale)\b/.test(clean(text))) return { ...base, kind: 'own-info' }
  if (WHAT_THEY_NEED.test(clean(text)) && !explicit) return { ...base, kind: 'own-info', need: true }
  // "wait what does registered even mean here?" names an option's word, but asks what it means: no answer yet.
  const asksMeaning = MEANING.test(clean(text)) && !/^(yes|yeah|yep|yup|no|nope|nah)\b/.test(clean(text))
  const term = ctx.terms && (!explicit || asksMeaning) ? termAsked(text, ctx.terms, { where: !signals.has('step-help') }) : undefined
  if (term) return { ...base, kind: 'term', term }
  if (signals.has('about-bot') && !explicit && !/\b(want|need|talk|speak|connect|get me|give me)\b/.test(clean(text))) return { ...base, kind: 'about-bot' }
  if (signals.has('contact') && !signals.has('person') && !wantsPerson && !explicit) return { ...base, kind: 'contact' }
  // "my cac expired last week, can I still log in?": a valid (unexpired) CAC is the first thing the page requires,
  // and only the ID card office renews one; no login steps can help.
  // (Not "my old cac expired and i got a new one": the expired card is already replaced.)
  const replaced = /\bold (cac|card|one)\b|\b(new|replacement|brand new) (cac|card|one)\b|\b(renewed|replaced|reissued|re issued|got (it|a new one|a replacement))\b/.test(clean(text))
  // ("renewed my expired cac and now ako says 403": the card is valid again, and the error is what to work on.)
  if (EXPIRED.test(clean(text)) && !replaced && !ctx.errorQuoted && !pending && !explicit && (ctx.isTopic?.(ID_CARD_OFFICE) ?? false)) return { ...base, kind: 'out-of-scope', topic: ID_CARD_OFFICE }
  // "the help desk told me to talk to the bot": sent here by a person, not asking for one. What do they see?
  if (SENT_HERE.test(clean(text)) && !signals.has('person') && route.kind === 'intent' && route.intentId === 'human-agent' && !pending && !ctx.active) {
    return { ...base, kind: 'vague' }
  }
  if (signals.has('person') || (route.kind === 'intent' && route.intentId === 'human-agent' && !explicit && words <= 8)) {
    return { ...base, kind: 'person' }
  }
  if (signals.has('other-person')) return { ...base, kind: 'policy', intentId: 'other-person', pushBack: false }
  // "can't register with the CAC Login option, so it wants my AKO password. I don't remember it": the page's next
  // step for a forgotten password is the reset, whatever else the message is about.
  const reset = found.facts.password === 'forgotten' && !midSteps && !signals.has('other-person') ? (ctx.ranked ?? []).find((id) => ctx.procedureOf(id) === 'password-reset') : undefined
  if (reset && route.kind === 'intent' && route.intentId !== reset && ctx.procedureOf(route.intentId) !== undefined && !ctx.isPolicy(route.intentId)) return { ...base, kind: 'problem', intentId: reset, hedge: false }
  if (signals.has('undo') && midSteps && Object.keys(found.facts).length === 0) return { ...base, kind: 'undo' }
  // "found it", "got it" after step help: on with it, the question again (not a stop, not a yes).
  if (/^(ok(ay)? |oh |ah )?(found it|got it|i see it|i found it|there it is|ah there it is|ok found it)\W*$/.test(clean(text)) && pending && !explicit) return { ...base, kind: 'ack' }
  // "hang on let me grab the card from him": a moment asked for; the question waits (no "didn't get that").
  if (/^(ok |okay |sure |yeah |yes )?(hang on|hold on|one sec|one second|one moment|just a (sec|second|minute|moment)|give me a (sec|second|minute|moment)|brb|be right back|wait a (sec|second|minute))?( ?let me (check|look|grab|get|find|see|go get)( \w+){0,5})?$/.test(clean(text)) && /\b(hang on|hold on|sec|second|moment|minute|brb|be right back|let me)\b/.test(clean(text)) && pending && !explicit) return { ...base, kind: 'ack' }
  // "no hablo bien ingles" is not a "no" to the question: how to answer it simply, and the question again.
  if (NO_ENGLISH.test(clean(text)) && pending) return { ...base, kind: 'ack', language: true }
  // "going to the pc now brb", "ok gonna try it now": away to do it; the question waits for them.
  // ("ok clearing my cache now, thanks!": thanks on the way, still away.)
  if (AWAY.test(clean(text)) && pending && !explicit && !signals.has('bye') && !signals.has('still-broken') && !signals.has('worked')) return { ...base, kind: 'ack', away: true }
  // "oops sorry" (after a secret was removed, or a wrong tap): no answer, no confusion either; the question again.
  if (signals.has('apology') && pending && !explicit) return { ...base, kind: 'ack' }
  // "yeah its registered, i did it last week" to "does it work now?": the "yeah" agrees with the fact it corrects (the
  // steps branched on "not registered"), it doesn't say login works.
  const contradicts = (Object.entries(found.facts) as [Slot, string][]).some(
    ([slot, value]) => ctx.facts[slot] !== undefined && ctx.facts[slot] !== value && (ctx.activeSlots ?? []).includes(slot),
  )
  // "hold on, she never registered the new card" to "does it work now?": the "never" corrects the fact, it is no answer.
  // "ok registered it with the cac login option, still 403 tho": done as asked, and the answer is no.
  const answersToo = answer?.kind === 'worked' ? WORKED.test(clean(text).replace(/\bregistered\b/g, '')) : explicit || (answer?.kind === 'failed' && signals.has('still-broken'))
  if (contradicts && midSteps && !answersToo) {
    found.correction = true
    return { ...base, kind: 'facts' }
  }
  // "not sure, and now my pin is locked": the rule this message's own facts call for comes first, even with an answer in it.
  // Unless those facts are the answer the question asked for ("Do you know your PIN?" "no, it's locked"): its steps branch on them.
  if (explicit && policyIntent && calledFor(policyIntent) && words >= 4 && !(answer?.kind === 'option' && answer.by === 'fact')) return { ...base, kind: 'policy', intentId: policyIntent, pushBack: false }
  // "can you reset it for me" to "Were you able to reset your password?": nobody here can, so it wasn't done (the page's route).
  if (pending?.kind === 'check' && !explicit && /^(can|could|would|will|cant|couldnt) (you|u) (please |just |not )?(reset|fix|do|unlock|change|register) (it|that|this|my \w+)( for me)?/.test(clean(text))) {
    return { ...base, kind: 'answer', answer: { kind: 'failed', alreadyTried: false } }
  }
  if (explicit) {
    // The answer and, in the same message, what a word of the steps means: both.
    const aside = ctx.terms && !term ? termAsked(text, ctx.terms) : undefined
    // "does all this apply to DKO as well?" to "Does it say Gemalto …?": a question, whose "does" answers nothing.
    if (aside && answer?.kind === 'option' && answer.by === 'phrase' && text.trim().endsWith('?')) return { ...base, kind: 'term', term: aside }
    return { ...base, kind: 'answer', answer: answer!, ...(aside && { term: aside }) }
  }
  if (signals.has('hurry') && pending && !signals.has('person') && !policyIntent && !otherProblem) return { ...base, kind: 'hurry' }
  // A bare "?" is "what do you mean?": the last thing said again.
  if (SAY_AGAIN.test(clean(text)) || (/^\s*\?+\s*$/.test(text) && !pending && (ctx.lastProcedure !== undefined || ctx.lastPolicy !== undefined || ctx.askedVague === true))) return { ...base, kind: 'repeat' }
  // "fine", "ok then" just after a rule or the end of the steps: accepted (not "what problem are you having?").
  if (!pending && !ctx.active && (ctx.lastPolicy || ctx.lastProcedure) && OK_THEN.test(clean(text))) return { ...base, kind: 'close', how: 'ok' }
  // "back" alone, with a problem left for this one: that problem (the bot said "just say back").
  if (ctx.paused && signals.has('resume') && /\bback\b/.test(clean(text)) && words <= 4) return { ...base, kind: 'resume' }
  // "still nope" just after the steps ended: still broken after them (the person they lead to), not a new problem.
  if (signals.has('still-broken') && words <= 4 && !pending && !ctx.active && ctx.lastProcedure && !ctx.referred) return { ...base, kind: 'still-broken' }
  // "ok ill do that later, back to the pin thing": back to the problem left, wherever it is said in the message.
  if (ctx.paused && BACK_TO.test(clean(text))) return { ...base, kind: 'resume' }
  // "oh wait nvm it just worked, reader wasnt plugged in all the way": solved, whatever the reason given after it.
  if ((midSteps || ctx.lastProcedure) && /^((oh|wait|ok|okay|actually|update|hey|nvm|never ?mind|omg|lol)\s)*(nvm |never ?mind )?(it|that|its) (just |finally |suddenly |now )?(worked|works|is working)\b/.test(clean(text)) && !/\b(not|didnt|doesnt|until|till|but then)\b/.test(clean(text).split(/\b(worked|works|is working)\b/)[0] ?? '')) {
    return pending?.kind === 'check' ? { ...base, kind: 'answer', answer: { kind: 'worked' } } : { ...base, kind: 'worked' }
  }
  // "cleared it, the page loads now" while steps run (or just after): solved, whatever step or problem the words name.
  if ((midSteps || ctx.lastProcedure) && !signals.has('undo') && saysSolved(text)) {
    return pending?.kind === 'check' ? { ...base, kind: 'answer', answer: { kind: 'worked' } } : { ...base, kind: 'worked' }
  }
  // "wait no sorry its edge": a correction, not a "no" to the question on screen.
  // "wait where is activclient, it's not on this windows laptop" asks about the step: the facts are kept all the same.
  if (found.correction && Object.keys(found.facts).length > 0 && !policyIntent && !(signals.has('step-help') && midSteps)) return { ...base, kind: 'facts' }
  // "still 403" after the 403 steps ran: the next documented step, not the same steps again.
  const again = route.kind === 'intent' && ctx.lastProcedure !== undefined && ctx.procedureOf(route.intentId) === ctx.lastProcedure
  if (signals.has('still-broken') && !pending && again) return { ...base, kind: 'still-broken' }
  // "yes i did that already" once the steps ended at their last route: that route is used up too.
  if (!pending && !ctx.active && ctx.lastProcedure && ALREADY.test(clean(text)) && words <= 8 && route.kind !== 'intent') return { ...base, kind: 'still-broken' }
  if (!pending && !ctx.active && again && /\b(still|again|same)\b/.test(clean(text))) return { ...base, kind: 'still-broken' }
  // "so I can't just grab it from the resource center like my coworker?" right after the referral: a question about that
  // route, so the route again (and a person if it is a dead end), not the same steps from the top.
  if (again && ctx.referred && !pending && !ctx.active && !found.correction && /\?\s*$|^(so|but|then|wait)\b/.test(text.trim().toLowerCase())) {
    return { ...base, kind: 'referral-failed', failed: false }
  }
  // "forget it, i'll handle it tomorrow. bye": a goodbye, however fed up.
  // "thanks, trying now": thanks on the way to try it, not goodbye (the question waits for how it went).
  if ((signals.has('thanks') && !vent && !(midSteps && AWAY.test(clean(text)))) || signals.has('bye')) {
    if (answer?.kind === 'worked') return { ...base, kind: 'answer', answer }
    // "Thank you kindly. I use Microsoft Edge, I believe.": the answer, with thanks (a goodbye still closes).
    if (!signals.has('bye') && (answer?.kind === 'option' || answer?.kind === 'failed') && (explicit || answer.kind === 'option' && answer.by === 'fact')) return { ...base, kind: 'answer', answer }
    return { ...base, kind: 'close', how: signals.has('bye') ? 'bye' : 'thanks' }
  }
  if (policyIntent && (words >= 2 || !answer)) return { ...base, kind: 'policy', intentId: policyIntent, pushBack: false }
  if (signals.has('contact') && !explicit) return { ...base, kind: 'contact' }
  // "new CAC, Gemalto, I'm a contractor and have no admin rights" with nothing running: the problem's steps (whose
  // outcome for a contractor names admin rights and local IT), not the admin line alone.
  // After a referral (local IT), "they said I don't have admin rights": the route failed, so the page's other route.
  const afterReferral = ctx.referred && !pending && !ctx.active
  // "and if local IT says no?" asks what then: the other route, without "sorry they couldn't help".
  if ((signals.has('no-admin') || NO_HELP.test(clean(text))) && !explicit && afterReferral) return { ...base, kind: 'referral-failed', failed: NO_HELP.test(clean(text)) && !/^(and |but |so )?(what )?if\b|\b(dont|do not|no|there is no|there s no)\b( \w+){0,3} (it|i t)\b/.test(clean(text)) }
  if (afterReferral && WHO_TO_WRITE.test(clean(text))) return { ...base, kind: 'contact' }
  // "can i just download it from the army site anyway?" after being sent to their branch: the route again (the page
  // says why), with a person for a dead end; not "what do you see?".
  if (afterReferral && !explicit && (signals.has('push-back') || FIX_PROPOSED.test(clean(text)) || /^((ok|okay|so|but|and|then|um|hmm) )*(who|where|which office) (in|at|on|would|should|could|can|do|does|is|exactly)\b/.test(clean(text)) || /\b(anyway|anyways|regardless|even so|still)\b.{0,20}$|^(can|could|cant|couldnt) i (just|still|not)\b/.test(clean(text)))) {
    return { ...base, kind: 'referral-failed', failed: false }
  }
  if (signals.has('no-admin') && !explicit && !(otherProblem && !midSteps)) return { ...base, kind: 'no-admin' }
  // "I've cleared the cache 5 times already" while the cache steps run: that part is done, go on past it.
  const triedRunning = found.tried.find((id) => (ctx.running ?? []).includes(id))
  if (triedRunning && !explicit) return { ...base, kind: 'tried-running', procedureId: triedRunning }
  // "as I said, the new card doesn't work on ako" while its steps wait for an answer: the problem said again (whatever
  // score it gets, from a clear one down to a hedge), not an unclear answer, nor a "still broken" after a part not done.
  const restatedId = route.kind === 'intent' ? route.intentId : route.kind === 'suggest' ? route.intentIds[0] : ctx.ranked?.[0]
  const restated = restatedId !== undefined && !signals.has('resume') && isRunning(restatedId) && ctx.scoreOf(restatedId) >= HEDGE_SCORE && !explicit && answer?.kind !== 'unsure' &&
    (pending?.kind === 'ask' || pending?.kind === 'choose' || pending?.kind === 'yes-no' || (pending?.kind === 'check' && answer === undefined)) && found.tried.length === 0 &&
    !/\b(did|done|cleared|tried|deleted|already|installed|updated|changed|worked|works|fixed)\b/.test(clean(text)) &&
    // "whats ssl state even mean" asks about a part, it doesn't say the problem again.
    !WHAT_IS.test(clean(text)) && !MEANING.test(clean(text)) && !signals.has('step-help')
  if (restated) return { ...base, kind: 'same-problem' }
  // "ok did that" or "did it, same error" to "which browser?" in a part run by another step: the user did that part
  // from its summary, so go on past it (the step that runs it asks whether it helped) rather than ask the browser again.
  const inner = (ctx.running ?? []).length >= 2 ? ctx.running!.at(-1) : undefined
  if (inner && pending?.kind === 'ask' && !explicit) {
    const check = ctx.askedIfDone ? readCheck(clean(text)) : undefined
    if (check?.kind === 'worked' && !answer) return { ...base, kind: 'worked' }
    // "still 403" alone, before that part's steps were shown, says the problem is there, not that the part was done.
    if (check?.kind === 'failed' || (signals.has('still-broken') && /\b(same|still|nothing|didnt|doesnt)\b/.test(clean(text)) && /\b(did|done|tried|cleared|already|deleted|followed|that|it|them|those)\b/.test(clean(text)))) {
      return { ...base, kind: 'tried-running', procedureId: inner }
    }
    // "STILL DOESNT WORK" before this part's steps were shown: the problem is still there, and this question is how on.
    if (signals.has('still-broken')) return { ...base, kind: 'same-problem' }
    // Done, and whether it helped not said: ask that rather than guess either way.
    if (/\b(did (it|that|this|them|those|all)|done|cleared( it| them)?|deleted( it| them)?|tried (it|that)|i did)\b/.test(clean(text))) {
      return { ...base, kind: 'done-part' }
    }
  }
  // A question about the step ("where is tools? i dont see it") is not a "no", though it has a negation in it.
  // "oh also my password expired, how do i reset that": a new problem said as such, though it asks "how".
  const alsoNew = otherProblem !== undefined && /\b(also|another|as well|too|separate|different|other (thing|problem|issue|question)|side question|unrelated|quick question|btw|by the way|coworker|co worker|colleague|buddy|friend|someone else|next to me|next desk)\b/.test(clean(text))
  // "quick q - one of my soldiers got 'EDIPI does not match', what does that mean": that problem's first line, then back.
  if (signals.has('step-help') && ctx.active && ctx.errorQuoted && route.kind === 'intent' && ctx.procedureOf(route.intentId) && !isRunning(route.intentId)) {
    return { ...base, kind: 'step-help', about: ctx.procedureOf(route.intentId)! }
  }
  if (signals.has('step-help') && (ctx.active || pending?.kind === 'yes-no') && answer?.kind !== 'worked' && !alsoNew) return { ...base, kind: 'step-help', ...(WHY.test(clean(text)) && { why: true }) }
  // "the certificates part, how do i do that" after a list that ended: the procedure it names (the list invites it).
  const named = route.kind === 'intent' && ctx.procedureOf(route.intentId) !== undefined && ctx.procedureOf(route.intentId) !== ctx.lastProcedure && route.score >= HEDGE_SCORE && !unbacked(route.intentId) && fits(route.intentId)
  if (signals.has('step-help') && !ctx.active && !pending && named && route.kind === 'intent') {
    return { ...base, kind: 'problem', intentId: route.intentId, hedge: route.score < ctx.minScore }
  }
  // "how do i do that?" after the steps ended: the last instruction again.
  if (signals.has('step-help') && !ctx.active && !pending && (ctx.lastProcedure || ctx.lastPolicy)) return { ...base, kind: 'repeat' }
  if (signals.has('worked') && !answer) return { ...base, kind: 'worked' }
  // "i have all of that" to "once it's in place, does it work?": everything is there and it still fails, not a yes.
  const yesOnly = answer?.kind === 'worked' && !WORKED.test(clean(text)) && !GONE.test(clean(text))
  if (signals.has('still-broken') && pending?.kind === 'check' && (!answer || yesOnly)) return { ...base, kind: 'answer', answer: { kind: 'failed', alreadyTried: false } }
  // "still doesn't work" to a check is its answer, whatever problem the words also resemble.
  const plainAnswer = signals.has('still-broken') || signals.has('worked')
  // "what about my email, outlook wont open either": a question on a topic the page doesn't cover, not a "no".
  // Said as an aside ("btw can you also fix my vpn"), a topic needs less to be the reading, even below "none".
  const aside = /\b(also|btw|by the way|another thing|one more thing|unrelated|while (i have you|im here|youre here))\b/.test(clean(text))
  // A topic named by its own words ("wifi", "vpn") in an aside is the reading at any score.
  const asideTopic = aside ? (ctx.namedTopics?.[0] ?? ctx.ranked?.find((id) => ctx.isTopic?.(id) && ctx.scoreOf(id) >= HEDGE_SCORE)) : undefined
  const topic = route.kind === 'none' ? (route.topic ?? asideTopic) : undefined
  // "the reader is on my work pc which has edge" names a fact for these steps: the reader is where, not a topic.
  const sideTopic = topic !== undefined && (ctx.scoreOf(topic) >= SWITCH_SCORE || topic === asideTopic) && words >= 5 && !plainAnswer && midSteps && Object.keys(found.facts).length === 0
  // "ok so the ID card office. what about the new card part" while the new-CAC steps run: about these steps, not a topic.
  const namesRunning = (ctx.ranked ?? []).slice(0, 2).some((id) => isRunning(id) && ctx.scoreOf(id) >= 0.15)
  if (sideTopic && namesRunning && answer === undefined) return { ...base, kind: 'resume' }
  if (sideTopic && words >= 6 && (answer === undefined || answer.kind === 'failed')) return { ...base, kind: 'out-of-scope', topic }
  // "idk what browser, its the work computer": not knowing the answer, said first, is about this question.
  const unsureFirst = answer?.kind === 'unsure' && /^(idk|dunno|not sure|no idea|i dont know|i don t know|no clue|unsure|im not sure|i m not sure|i have no idea)\b/.test(clean(text))
  // "nope its still popping up": a plain no (or yes) said first answers the question, whatever the rest resembles.
  const answerFirst = answer !== undefined && (answer.kind === 'failed' || answer.kind === 'worked') && /^(no|nope|nah|yes|yeah|yep|yup)\b/.test(clean(text)) && !alsoNew
  if (answer && (unsureFirst || answerFirst || !(otherProblem && words >= 5 && !plainAnswer))) {
    // "ok" to a yes/no question that is not a "did it work" check is a yes; to a check it says only that it was done.
    return { ...base, kind: 'answer', answer }
  }
  if ((pending?.kind === 'ask' || pending?.kind === 'choose') && words <= 6 && readPolarity(clean(text)) === 'yes' && !otherProblem) {
    return { ...base, kind: 'ack' }
  }
  // "still the same" with nothing tried yet names no problem.
  const confident = route.kind === 'intent' && route.score >= ctx.minScore
  if (signals.has('still-broken') && /\b(still|same|again)\b/.test(clean(text)) && !confident && !pending && !ctx.active && !ctx.lastProcedure && words <= 4) {
    return { ...base, kind: 'still-broken' }
  }
  if (signals.has('repeat')) return { ...base, kind: 'repeat' }
  if (signals.has('resume')) return { ...base, kind: 'resume' }
  if (signals.has('step-help') && ctx.active && !alsoNew) return { ...base, kind: 'step-help', ...(WHY.test(clean(text)) && { why: true }) }
  if (signals.has('something-else')) return { ...base, kind: 'something-else' }
  // "im on firefox tho": a short statement of a fact the steps depend on is about these steps, whatever it resembles.
  if (aboutActive && words <= 6 && signals.size === 0) return { ...base, kind: 'facts' }
  // "my cac doesnt work on ako" names no new card: the new-CAC steps would start from a wrong guess, so ask what they see.
  if (otherProblem && !midSteps && !(ctx.cued?.(otherProblem) ?? true) && !ctx.errorQuoted && ctx.procedureOf(otherProblem) !== ctx.lastProcedure) return { ...base, kind: 'vague' }
  // Venting with only a guess at the problem ("3 hours and nothing works on ako"): what they see, not the guess.
  if (otherProblem && vent && !midSteps && !ctx.errorQuoted && route.kind === 'intent' && route.score < ctx.minScore) return { ...base, kind: 'vague' }
  if (otherProblem) return { ...base, kind: 'problem', intentId: otherProblem, hedge: route.kind === 'intent' && route.score < ctx.minScore }
  if (signals.has('still-broken')) return { ...base, kind: 'still-broken' }
  // "I'm a contractor, does that change anything?" after a rule: the rule again, not a goodbye the words resemble.
  if (ctx.lastPolicy && !pending && !ctx.active && text.includes('?') && !(route.kind === 'intent' && ctx.procedureOf(route.intentId) && route.intentId !== ctx.lastPolicy)) {
    return { ...base, kind: 'policy', intentId: ctx.lastPolicy, pushBack: false }
  }
  if (route.kind === 'intent' && !unbacked(route.intentId) && sure) {
    const procedureId = ctx.procedureOf(route.intentId)
    // The procedure running (or the sub-procedure running inside it): a question about where we are.
    if (procedureId && isRunning(route.intentId)) {
      // "what's SSL state?" is about that part; "how do i clear the ssl state in firefox" asks for the step on screen.
      if (ctx.active && procedureId !== ctx.active) return /\b(how|where|find|which)\b/.test(clean(text)) ? { ...base, kind: 'step-help' } : { ...base, kind: 'step-help', about: procedureId }
      return { ...base, kind: 'same-problem' }
    }
    // Mid-steps, a one- or two-word fragment ("back says") names no new problem.
    if (procedureId && !(midSteps && words < 3)) return { ...base, kind: 'problem', intentId: route.intentId, hedge: route.score < ctx.minScore }
    // "wtf, bye" or "thanks for nothing" while venting is not a polite close.
    // "this is ridiculous, forget it" with nothing running: empathy and the way forward, not "nothing to cancel".
    // Mid-steps only words of stopping cancel: "ugh this is stupid" resembles "forget it" but asks for no stop.
    if (vent && (['thanks', 'goodbye', 'greeting'].includes(route.intentId) || (route.intentId === 'cancel' && (!midSteps || !STOP_WORDS.test(text.toLowerCase()))))) {
      return { ...base, kind: 'vent' }
    }
    // "cancel" is read only from words of stopping: "i dont want that either" is no request to stop anything.
    // "thats got it, thanks" at "does it work?": the answer, with thanks.
    if (midSteps && route.intentId === 'thanks' && (answer?.kind === 'worked' || answer?.kind === 'failed')) return { ...base, kind: 'answer', answer }
    // "Thank you kindly. I use Microsoft Edge, I believe." mid-steps: a fact, with thanks; not a goodbye.
    if (midSteps && route.intentId === 'thanks' && Object.keys(found.facts).length > 0) return { ...base, kind: 'facts' }
    // A cancel with no word that stops anything ("ugh") is a mood, not a request to stop.
    if (route.intentId !== 'none' && !(route.intentId === 'cancel' && !STOP_WORDS.test(text.toLowerCase()))) return { ...base, kind: 'small-talk', intentId: route.intentId }
  }
  if (route.kind === 'suggest' && !bareReply) {
    const ids = route.intentIds.filter((id) => ctx.procedureOf(id) !== ctx.active && !unbacked(id))
    // Venting that names no symptom ("3 hours and nothing works on ako"): what they see, not a guess at which problem.
    if (vent && !midSteps && !ctx.errorQuoted && ids.length === 1) return { ...base, kind: 'vague' }
    if (ids.length === 1 && ctx.scoreOf(ids[0]!) >= HEDGE_SCORE) return { ...base, kind: 'problem', intentId: ids[0]!, hedge: true }
    if (ids.length === 1 && !pending) return { ...base, kind: 'vague' }
    if (ids.length > 1) return { ...base, kind: 'clarify', intentIds: ids.slice(0, 2) }
  }
  if (ctx.referred && !pending && !ctx.active && NO_HELP.test(clean(text))) return { ...base, kind: 'referral-failed', failed: true }
  if (ctx.referred && !pending && !ctx.active && ELSEWHERE.test(clean(text))) return { ...base, kind: 'referral-failed', failed: false }
  // No reading, no other topic, but the message is about the CAC and AKO/DKO ("my CAC will not let me into AKO since
  // this morning"): never "not something I can help with". Just after a list or steps ended ("with ako, first time
  // ever using it" after what registering needs), it adds to that, so that again; else ask what they see.
  if (route.kind === 'none' && !route.topic && !pending && (DOMAIN.test(clean(text)) || (BROKEN.test(clean(text)) && !ctx.lastProcedure && !ctx.lastPolicy))) {
    if (ctx.lastProcedure && !ctx.active && words <= 12) return { ...base, kind: 'repeat' }
    // The likeliest reading is one of our problems, only not sure enough: that one, with a way out.
    const likeliest = ctx.ranked?.[0]
    // (Not for venting that names no symptom, "3 hours and nothing works": a guess there reads as not listening.)
    if (likeliest && !vent && ctx.procedureOf(likeliest) !== undefined && !ctx.isPolicy(likeliest) && ctx.scoreOf(likeliest) >= HEDGE_SCORE && fits(likeliest) && !ctx.active && (ctx.cued?.(likeliest) ?? true)) {
      return { ...base, kind: 'problem', intentId: likeliest, hedge: true }
    }
    return { ...base, kind: 'vague' }
  }
  // A weak out-of-scope topic for a message about AKO/DKO or the CAC itself: ask what they see rather than send them away.
  if (route.kind === 'none' && route.topic && ctx.scoreOf(route.topic) < SWITCH_SCORE && (DOMAIN.test(clean(text)) || /\bpin\b/.test(clean(text))) && !pending) {
    // "the reader is on my work desktop, my certificate doesnt show up": the reader is where, the certificate is what.
    const behind = (ctx.ranked ?? []).find((id) => ctx.procedureOf(id) !== undefined && !ctx.isPolicy(id) && ctx.scoreOf(id) >= HEDGE_SCORE && fits(id))
    if (behind && !ctx.active) return { ...base, kind: 'problem', intentId: behind, hedge: true }
    return { ...base, kind: 'vague' }
  }
  if (Object.keys(found.facts).length > 0 || found.tried.length > 0) return { ...base, kind: 'facts' }
  if (signals.has('worked')) return { ...base, kind: 'worked' }
  if (followUp) return { ...base, kind: 'policy', intentId: ctx.lastPolicy!, pushBack: false }
  if (pushBackLike) return { ...base, kind: 'policy', intentId: ctx.lastPolicy!, pushBack: true }
  if (vent) return { ...base, kind: 'vent' }
  if (route.kind === 'none' && !pending && (words > 3 || route.topic)) return { ...base, kind: 'out-of-scope' }
  return { ...base, kind: 'unclear' }
}

