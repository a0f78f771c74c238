import { ActionTypes, MessageFactory, type Activity } from 'botbuilder'
import { TextPrompt, type PromptOptions, type PromptValidatorContext } from 'botbuilder-dialogs'
import { matchAnswer, type Choice } from '../src/core/answers.js'

/** What the answer prompt needs to validate: the choices, and how often to ask again. */
export interface AnswerValidations {
  choices: readonly Choice[]
  maxReprompts: number
}

/** A message with one button per choice (suggested actions vanish once used, so old buttons can't be re-clicked). */
export function withButtons(text: string, choices: readonly Choice[]): Partial<Activity> {
  return MessageFactory.suggestedActions(
    choices.map((c) => ({ type: ActionTypes.ImBack, title: c.label, value: c.label })),
    text,
  )
}

/** Prompt options for a question whose answers are `choices`. */
export function choicePrompt(question: string, choices: readonly Choice[], maxReprompts: number): PromptOptions {
  return {
    prompt: withButtons(question, choices),
    retryPrompt: withButtons(`Sorry, I didn't catch that. ${question} Please pick one of the options.`, choices),
    validations: { choices, maxReprompts } satisfies AnswerValidations,
  }
}

/**
 * A text prompt that accepts a choice by button, number, label or synonym. After `maxReprompts` misses it gives
 * up and returns the text, so the caller can end gracefully instead of looping.
 */
export class AnswerPrompt extends TextPrompt {
  constructor(id: string) {
    super(id, async (prompt: PromptValidatorContext<string>) => {
      const { choices, maxReprompts } = prompt.options.validations as AnswerValidations
      if (!prompt.recognized.succeeded) return false
      return matchAnswer(prompt.recognized.value ?? '', choices) !== undefined || prompt.attemptCount > maxReprompts
    })
  }
}

/** The choices of the question the user is answering, if a prompt is waiting (used to tell answers from new topics). */
export function pendingChoices(state: unknown): readonly Choice[] | undefined {
  const options = (state as { options?: PromptOptions } | undefined)?.options
  return (options?.validations as AnswerValidations | undefined)?.choices
}
