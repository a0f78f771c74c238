import { describe, expect, it } from 'vitest'
import { readRating } from '../../src/core/rating.js'

describe('reading a rating as people tap or type it', () => {
  it.each([
    ['5', 5],
    ['five', 5],
    ['Five stars!', 5],
    ['4 out of 5', 4],
    ['2/5', 2],
    ['a five', 5],
    ["I'd give it a 4", 4],
    ['⭐⭐⭐', 3],
    ['great thanks', 5],
    ['very helpful thank you', 5],
    ['not bad', 4],
    ['👍', 4],
    ['fine', 3],
    ['not great', 2],
    ['not helpful at all', 1],
    ['terrible', 1],
  ])('"%s" is %i', (text, score) => {
    expect(readRating(text)?.score).toBe(score)
  })

  it('keeps the words after the score as a comment, not the filler', () => {
    expect(readRating('4 - step 2 was confusing')).toEqual({ score: 4, fromWords: false, comment: 'step 2 was confusing' })
    expect(readRating('⭐⭐⭐⭐⭐ Fast, thanks')).toMatchObject({ score: 5, comment: 'Fast, thanks' })
    expect(readRating('5 stars thanks')).toEqual({ score: 5, fromWords: false })
    expect(readRating('great thanks')).toEqual({ score: 5, fromWords: true })
  })

  it.each(['thanks', 'ok', 'yes', 'my pin is locked', '551902', '5 minutes ago it broke', '3x wrong', '10/10', 'it still doesnt work', '6', '4471 is my pin'])(
    '"%s" is no rating',
    (text) => {
      expect(readRating(text)).toBeUndefined()
    },
  )
})
