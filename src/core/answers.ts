import { normalise, tokens } from './recognizer.js'

/** A choice the user can pick by button, number, label or synonym. */
export interface Choice {
  label: string
  synonyms?: readonly string[]
}

export const YES = 'Yes'
export const NO = 'No'
/** "Did that work?" answers: negation wins, so "yes but it still doesn't work" is a no. */
export const YES_NO: readonly Choice[] = [{ label: YES }, { label: NO }]

const NEGATIVE =
  /\b(no|nope|nah|not|never|didnt|doesnt|dont|isnt|wasnt|cant|couldnt|wont|still|same|negative|fail|failed|fails|n)\b/
const POSITIVE =
  /\b(yes|yep|yeah|yup|ya|yea|y|sure|ok|okay|worked|works|working|fixed|solved|did|does|great|perfect|correct|affirmative|opens|opened|it is|done)\b/

function isYesNo(choices: readonly Choice[]): boolean {
  return choices.length === 2 && choices[0]!.label === YES && choices[1]!.label === NO
}

/** The index of the choice the user meant, or undefined when the answer fits none (the prompt asks again). */
export function matchAnswer(text: string, choices: readonly Choice[]): number | undefined {
  const said = normalise(text).replace(/[.!?]+$/, '')
  if (said.length === 0) return undefined
  const number = /^\(?(\d)\)?$/.exec(said)
  if (number) {
    const index = Number(number[1]) - 1
    return index >= 0 && index < choices.length ? index : undefined
  }
  const exact = choices.findIndex((c) => [c.label, ...(c.synonyms ?? [])].some((s) => normalise(s) === said))
  if (exact >= 0) return exact
  if (isYesNo(choices)) {
    if (NEGATIVE.test(said)) return 1
    if (POSITIVE.test(said)) return 0
    return undefined
  }
  // The longest label or synonym found as whole words wins: "not sure" beats "no".
  const words = ` ${tokens(said).join(' ')} `
  let best: { index: number; length: number } | undefined
  choices.forEach((choice, index) => {
    for (const phrase of [choice.label, ...(choice.synonyms ?? [])]) {
      const wanted = tokens(phrase).join(' ')
      if (wanted && words.includes(` ${wanted} `) && wanted.length > (best?.length ?? 0)) best = { index, length: wanted.length }
    }
  })
  return best?.index
}
