import { describe, expect, it } from 'vitest'
import { matchAnswer, YES_NO } from '../../src/core/answers.js'

describe('matchAnswer', () => {
  it.each([
    ['yes', 0], ['Yes', 0], ['yep it works now', 0], ['fixed!', 0], ['1', 0],
    ['no', 1], ['nope', 1], ['still broken', 1], ["yes but it still doesn't work", 1], ['2', 1], ['same error', 1],
  ])('reads "%s" as choice %i of Yes/No', (text, index) => {
    expect(matchAnswer(text as string, YES_NO)).toBe(index)
  })

  it.each(['purple', '', '3', 'maybe later'])('finds no yes/no in "%s"', (text) => {
    expect(matchAnswer(text, YES_NO)).toBeUndefined()
  })

  const registered = [
    { label: 'Not sure', synonyms: ['not sure', 'dont know'] },
    { label: 'No', synonyms: ['no', 'not yet'] },
    { label: 'Yes, it is', synonyms: ['yes', 'already'] },
  ]
  it.each([
    ['not sure', 0], ["I don't know", 0], ['no', 1], ['not yet', 1], ['yes', 2], ['Yes, it is', 2], ['I already did', 2], ['3', 2],
  ])('picks the longest phrase found: "%s" is choice %i', (text, index) => {
    expect(matchAnswer(text as string, registered)).toBe(index)
  })
})
