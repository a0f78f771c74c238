import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/core/classifier.js'
import { editDistance, oneEditApart } from '../../src/core/recognizer.js'

/** The textbook table (optimal string alignment), as editDistance computed it before it kept only three rows. */
function reference(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

// Words of a small alphabet, and one-typo variants of them (changed, added, dropped, swapped letters), so that
// distances 0, 1 and 2 are all common.
const random = seededRandom(11)
const word = (max: number) => Array.from({ length: Math.floor(random() * (max + 1)) }, () => 'abcde'[Math.floor(random() * 5)]).join('')
function typo(w: string): string {
  const at = Math.floor(random() * (w.length + 1))
  const letter = 'abcdef'[Math.floor(random() * 6)]!
  switch (Math.floor(random() * 4)) {
    case 0: return w.slice(0, at) + letter + w.slice(at + 1)
    case 1: return w.slice(0, at) + letter + w.slice(at)
    case 2: return w.slice(0, at) + w.slice(at + 1)
    default: return at + 1 < w.length ? w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2) : w
  }
}
const pairs: [string, string][] = [['', ''], ['', 'abc'], ['ca', 'abc'], ['firefoks', 'firefox'], ['tryed', 'tried'], ['recieve', 'receive'], ['abcd', 'badc']]
for (let i = 0; i < 20_000; i++) {
  const a = word(i < 1000 ? 3 : 12)
  pairs.push([a, random() < 0.5 ? typo(a) : random() < 0.5 ? typo(typo(a)) : word(12)])
}
// Longer than the rows it starts with (32), to see them grow.
pairs.push(['x'.repeat(70), 'x'.repeat(35) + 'y' + 'x'.repeat(34)], ['a'.repeat(40), 'b'.repeat(5)])

describe('editDistance', () => {
  it('gives the textbook optimal string alignment distance', () => {
    for (const [a, b] of pairs) expect([a, b, editDistance(a, b)]).toEqual([a, b, reference(a, b)])
  })

  it('oneEditApart is exactly editDistance === 1', () => {
    let ones = 0
    for (const [a, b] of pairs) {
      const one = reference(a, b) === 1
      ones += one ? 1 : 0
      expect([a, b, oneEditApart(a, b)]).toEqual([a, b, one])
      expect([b, a, oneEditApart(b, a)]).toEqual([b, a, one])
    }
    expect(ones).toBeGreaterThan(3000) // the cases that matter are well represented
  })
})
