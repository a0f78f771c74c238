/**
 * The review list: the messages the bot could not place (out of scope) or had to ask about (clarified), most frequent
 * first, for a lead to read and, if they choose, propose one as a training utterance for the content owner. Events hold
 * no user text, so each event is joined to its conversation's redacted transcript: the user's last message at or
 * before the event.
 */
import { z } from 'zod'
import type { StoredAnalyticsEvent, TrainingSuggestion } from '../core/ports.js'
import { redactSecrets } from '../core/secrets.js'

/** A transcript activity, as much of it as the join reads. */
export interface TranscriptLine {
  type?: string
  text?: string
  timestamp?: string | Date
  from?: { role?: string }
}

export type ReviewSource = TrainingSuggestion['source']

export interface ReviewItem {
  source: ReviewSource
  /** The message as the transcript keeps it (redacted), with runs of spaces as one. */
  text: string
  /** Conversations that sent it (the same words, case aside). */
  conversations: number
  /** The intent the bot leaned to: the closest match it offered, or the out-of-scope topic ('none' when none). */
  intentId: string
  /** The newest time it was sent (ms). */
  lastAt: number
}

/** At most this many events are joined per request: each may read a transcript. */
const MAX_EVENTS = 300
const normalise = (text: string) => text.replace(/\s+/g, ' ').trim()

/** The top `limit` out-of-scope and the top `limit` clarified messages of the events' period. */
export async function reviewList(
  events: readonly StoredAnalyticsEvent[],
  transcript: (channelId: string, conversationId: string) => Promise<readonly TranscriptLine[]>,
  limit = 10,
): Promise<ReviewItem[]> {
  const wanted = events.filter((e) => e.kind === 'intent.recognised' && (e.data.outOfScope || e.data.clarified)).slice(-MAX_EVENTS)
  const transcripts = new Map<string, Promise<readonly TranscriptLine[]>>()
  const groups = new Map<string, ReviewItem & { seen: Set<string> }>()
  for (const e of wanted) {
    const key = `${e.channelId}|${e.conversationId}`
    let lines = transcripts.get(key)
    if (!lines) transcripts.set(key, (lines = transcript(e.channelId, e.conversationId)))
    const said = lastUserMessageAt(await lines, e.at)
    if (!said) continue // its transcript is gone (retention) or was never kept
    const source: ReviewSource = e.data.outOfScope ? 'out-of-scope' : 'clarified'
    const text = normalise(said)
    const group = `${source}|${text.toLowerCase()}`
    let item = groups.get(group)
    if (!item) groups.set(group, (item = { source, text, conversations: 0, intentId: String(e.data.intentId), lastAt: e.at, seen: new Set() }))
    if (!item.seen.has(key)) {
      item.seen.add(key)
      item.conversations++
    }
    item.lastAt = Math.max(item.lastAt, e.at)
  }
  const top = (source: ReviewSource) =>
    [...groups.values()]
      .filter((i) => i.source === source)
      .sort((a, b) => b.conversations - a.conversations || b.lastAt - a.lastAt)
      .slice(0, limit)
      .map(({ seen: _seen, ...item }) => item)
  return [...top('out-of-scope'), ...top('clarified')]
}

/** The text of the user's last message at or before `at` (ms). */
function lastUserMessageAt(lines: readonly TranscriptLine[], at: number): string | undefined {
  let found: string | undefined
  for (const line of lines) {
    if (line.type !== 'message' || line.from?.role !== 'user' || !line.text || !line.timestamp) continue
    if (new Date(line.timestamp).getTime() > at) break
    found = line.text
  }
  return found
}

/** A lead's proposal: the text (as shown in the review list, or edited), the intent it should teach, and where it came from. */
export function suggestionSchema(intentIds: readonly string[]) {
  return z.strictObject({
    text: z
      .string({ error: 'text is required' })
      .transform(normalise)
      .pipe(z.string().min(2, 'The utterance is empty.').max(300, 'An utterance is at most 300 characters.')),
    intentId: z.string({ error: 'intentId is required' }).refine((id) => intentIds.includes(id), 'Choose one of the bot’s intents.'),
    source: z.enum(['out-of-scope', 'clarified'], { error: 'source is out-of-scope or clarified' }),
  })
}

/** The text as it may be stored: a PIN or password the lead typed into it is removed like everywhere else. */
export const storableUtterance = (text: string): string => redactSecrets(text).text

/** The suggestions as a JSON-lines file in the intents/ format (`{"text", "intent"}` per line), with where each came from. */
export function suggestionsJsonl(suggestions: readonly TrainingSuggestion[]): string {
  return suggestions
    .map((s) => JSON.stringify({ text: s.text, intent: s.intentId, source: s.source, suggestedBy: s.suggestedBy, at: new Date(s.at).toISOString() }))
    .map((line) => `${line}\n`)
    .join('')
}
