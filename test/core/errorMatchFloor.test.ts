import Fuse from 'fuse.js'
import { describe, expect, it } from 'vitest'
import { intents } from '../../intents/index.js'
import { seededRandom } from '../../src/core/classifier.js'
import { fusePieces, fuseScoreFloor, tokens } from '../../src/core/recognizer.js'

// The recognizer skips Fuse for a quoted error when no window has the letters a counting match needs. That is only
// sound if the floor never exceeds what Fuse scores: checked here against Fuse itself, set up as the recognizer sets
// it, on every error phrase of the intents in windows made of typo'd copies of them and of other phrases.
const phrases = intents.flatMap((intent) => (intent.errors ?? []).map((text) => tokens(text).join(' '))).filter((p) => p.length >= 8)
const random = seededRandom(3)
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
function typo(text: string): string {
  const at = Math.floor(random() * text.length)
  const letter = pick([...'aeinorst '])
  switch (Math.floor(random() * 4)) {
    case 0: return text.slice(0, at) + letter + text.slice(at + 1)
    case 1: return text.slice(0, at) + letter + text.slice(at)
    case 2: return text.slice(0, at) + text.slice(at + 1)
    default: return text.slice(0, at) + (text[at + 1] ?? '') + (text[at] ?? '') + text.slice(at + 2)
  }
}

describe('the floor under Fuse scores of quoted errors', () => {
  it('is never above the score Fuse gives', () => {
    let compared = 0
    let close = 0
    for (const phrase of phrases) {
      const pieces = fusePieces(phrase)
      for (let n = 0; n < 250; n++) {
        let window = n % 3 === 2 ? `${pick(phrases)} ${phrase.split(' ').slice(1).join(' ')}` : phrase
        for (let k = 0; k < n % 7; k++) window = typo(window)
        window = window.replace(/\s+/g, ' ').trim()
        if (!window) continue
        const fuse = new Fuse([window], { includeScore: true, threshold: 0.3, ignoreLocation: true })
        const score = fuse.search(phrase)[0]?.score
        if (score === undefined) continue
        compared++
        if (score <= 0.3) close++
        expect({ phrase, window, floor: fuseScoreFloor(phrase, pieces, window) <= score + 1e-12 }).toEqual({ phrase, window, floor: true })
      }
    }
    expect(compared).toBeGreaterThan(2000)
    expect(close).toBeGreaterThan(500) // matches that count are among them
  })
})
