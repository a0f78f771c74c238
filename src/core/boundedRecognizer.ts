import type { Recognizer } from './recognizer.js'

/** The longest word the recognizer reads: no intent needs more, and one 4,000-character "word" cost 80 ms. */
const MAX_WORD = 40

/**
 * A recognizer that reads at most `maxChars` characters of a message, each word cut to 40: what a message may cost
 * to understand is bounded, whatever it holds (a complaint that matters is said in its first few hundred characters).
 */
export function boundRecognizer(inner: Recognizer, maxChars: number): Recognizer {
  const word = new RegExp(`\\S{${MAX_WORD + 1},}`, 'g')
  return {
    ...inner,
    recognize: (text: string) => {
      const result = inner.recognize(text.replace(word, (long) => long.slice(0, MAX_WORD)).slice(0, maxChars))
      return { ...result, text }
    },
  }
}
