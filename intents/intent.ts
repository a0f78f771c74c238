import { z } from 'zod'

/** An intent: what a user means, the examples it learns from, and what the bot does about it. */
export const IntentSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case'),
    /** The procedure in knowledge/procedures that answers it; control intents (help, cancel...) have none. */
    procedure: z.string().optional(),
    /**
     * Out-of-scope topics only: who usually handles it, said plainly (an office, never a contact detail the page
     * does not give). The bot refuses such a message with this line; the evaluation scores it as `none`.
     */
    refer: z.string().min(1).optional(),
    /**
     * Out-of-scope topics only: the topic's own words, as regular expressions over the message's words (lower case,
     * accents and punctuation dropped, one space between words). A topic is refused only when one is present:
     * "new cac isnt working on my work laptop" reads like the network topic but names no network, so it is a CAC
     * problem.
     */
    vocabulary: z.array(z.string().min(2)).min(1).optional(),
    /** Error messages as the page quotes them: matched exactly or fuzzily before the classifier. */
    errors: z.array(z.string().min(3)).default([]),
    utterances: z.array(z.string().min(1)).min(25, 'write at least 25 training utterances'),
  })
  .strict()
  .refine((intent) => !intent.refer || intent.vocabulary, { message: 'an out-of-scope topic (with refer) needs its vocabulary', path: ['vocabulary'] })
export type Intent = z.input<typeof IntentSchema>

/** The id the recognizer gives when a question is out of scope. */
export const NONE = 'none'
