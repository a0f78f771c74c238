/**
 * Reading a rating of the help (1 to 5) from what a person taps or types on a phone: "5", "5/5", "five stars",
 * "⭐⭐⭐⭐", "great thanks", "not very helpful". Pure: whether a rating was asked is the caller's business.
 */

export interface RatingReading {
  score: 1 | 2 | 3 | 4 | 5
  /** Words beyond the score ("4 - step 2 was confusing"), as typed (the caller redacts before storing). */
  comment?: string
  /** The score came from words ("great thanks"), not a number or stars: the caller checks it isn't a new problem. */
  fromWords: boolean
}

/** A rating is the start of a message; anything longer than this is something else. */
const MAX_CHARS = 1000
const NUMBER_WORDS: Record<string, RatingReading['score']> = { one: 1, two: 2, three: 3, four: 4, five: 5 }
// "i'd give it a 4", "rate you 5", "a five": the score may follow a few words.
const LEAD = String.raw`(?:(?:i(?:['‘’]?d|\s+would)?|i['‘’]?ll|i\s+will)\s+(?:give|rate)\s+(?:(?:it|you|this|that|the chat)\s+)?)?(?:an?\s+)?`
const NUMBER = new RegExp(String.raw`^${LEAD}([1-5]|one|two|three|four|five)(?:\s*(?:/\s*5|out of (?:5|five)|of 5|stars?))?(?![\w/.]*\d)(?!\s*(?:min|minute|hour|hr|day|week|month|year|time|tries|try|attempt|am\b|pm\b|digit|number|more|of (?:them|my|the)))(?=$|[\s,.!:;)-])(.*)$`, 's')
const STARS = /^\s*([⭐★]\s*){1,5}(.*)$/su
const FILLER = /^(thanks?|thank you|thx|ty|cheers|stars?|points?|out of (5|five)|please|for you|[\s,.!:;)(-])*$/

/** Word ratings, checked in this order (a negation before the word it negates). */
const WORDS: readonly [RegExp, RatingReading['score']][] = [
  [/\bnot (too |that |so )?bad\b/, 4],
  [/\b(terrible|awful|horrible|useless|worst|rubbish|pointless|waste of (my )?time|not (helpful|useful) at all|no help at all)\b|👎/u, 1],
  [/\b(not (very |really |that |too |so )?(helpful|useful|good|great)|poor|bad|unhelpful|didnt help|did not help)\b/, 2],
  [/\b(excellent|great|perfect|awesome|amazing|fantastic|brilliant|superb|outstanding|wonderful|(very|really|super|extremely|so) helpful|loved? it|the best)\b|💯/u, 5],
  [/\b(good|helpful|useful|nice|solid)\b|👍/u, 4],
  [/\b(average|so-?so|meh|mediocre|alright|fine|(it was|its|was) (ok|okay)|ok-?ish)\b/, 3],
]
const MAX_WORDS_FOR_WORDS = 12

/** The rating a message gives, if it gives one. */
export function readRating(text: string): RatingReading | undefined {
  const typed = text.slice(0, MAX_CHARS).trim()
  const said = typed
    .toLowerCase()
    .replace(/[‘’`']/g, '')
    .replace(/\s+/g, ' ')
  const stars = STARS.exec(typed)
  if (stars) {
    const count = [...typed.slice(0, typed.length - stars[2]!.length)].filter((c) => c === '⭐' || c === '★').length
    return withComment(count as RatingReading['score'], stars[2]!, false)
  }
  // Matched on the typed text lower-cased (same length), so the comment keeps what was typed.
  const number = NUMBER.exec(typed.toLowerCase())
  if (number && number[2]!.length <= typed.length) {
    const score = (NUMBER_WORDS[number[1]!] ?? Number(number[1])) as RatingReading['score']
    return withComment(score, typed.slice(typed.length - number[2]!.length), false)
  }
  if (said.split(' ').length > MAX_WORDS_FOR_WORDS) return undefined
  for (const [pattern, score] of WORDS) {
    if (pattern.test(said)) return { score, fromWords: true, ...(said.split(' ').length > 4 && { comment: typed }) }
  }
  return undefined
}

function withComment(score: RatingReading['score'], rest: string, fromWords: boolean): RatingReading {
  const comment = rest.trim().replace(/^[\s,.!:;)-]+/, '').trim()
  return { score, fromWords, ...(comment && !FILLER.test(comment.toLowerCase()) && { comment }) }
}
