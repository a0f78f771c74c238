import type { Activity } from 'botbuilder'
import type { Intent } from '../../intents/intent.js'
import { JOIN_EVENT, JoinValueSchema } from '../core/channelInput.js'
import type { HandoffPacket, TrailEntry } from '../core/handoff.js'
import type { Procedure } from '../core/procedures.js'
import type { Recognizer } from '../core/recognizer.js'
import { agentOf } from '../handoff/service.js'

const REASONS: Record<HandoffPacket['reason'], string> = {
  'asked-for-human': 'The user asked for a person',
  'procedure-escalated': "The bot's steps did not fix it",
  'out-of-scope': 'Not something the bot knows about',
  'unclear-answers': "The bot could not follow the user's answers",
}
const BROWSERS: Record<string, string> = { ie: 'Internet Explorer', edge: 'Edge', chrome: 'Chrome', firefox: 'Firefox', safari: 'Safari' }
const SYSTEMS: Record<string, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux', ios: 'iOS', android: 'Android' }
// Control intents have no procedure, so no title of their own.
const CONTROL_TITLES: Record<string, string> = { 'human-agent': 'Asked for a person', none: 'Not matched to a problem the bot knows' }

/** A browser or OS id ("chrome", "windows 10") as people write it. */
function nameOf(id: string, names: Record<string, string>): string {
  const [head = '', ...rest] = id.split(' ')
  return [names[head] ?? head, ...rest].join(' ')
}

/** The set-up a case mentions: what the user named in the chat, and what the help page detected on its own device. */
export interface Environment {
  /** Browsers and systems the user named in their messages, in the order they came up. */
  named: { browsers: string[]; systems: string[] }
  /** The help page's own browser and OS (the `webchat/join` hint): the device showing the chat, maybe not the one with the problem. */
  page?: { browser?: string; os?: string }
}

/** Turns a case's ids into what an agent reads: titles, reasons, names; and its transcript into lines and an export. */
export interface CaseView {
  reason(reason: HandoffPacket['reason']): string
  problem(intentId: string | undefined): string | undefined
  /** Problem (intent) ids whose title contains `text` (case-insensitive): a search by the words an agent reads. */
  intentsTitled(text: string): string[]
  procedure(procedureId: string): string
  trail(trail: readonly TrailEntry[]): (TrailEntry & { procedureTitle: string })[]
  summary(packet: HandoffPacket): string
  environment(transcript: readonly Partial<Activity>[]): Environment
  /** The conversation's messages for the console; an agent's own messages show as the agent's. */
  lines(transcript: readonly Partial<Activity>[]): { text: string; from: { name?: string; role: string }; timestamp?: string }[]
  /** The Bot Framework `.transcript` the Emulator opens: messages only, each with an id, an agent's messages from the agent. */
  exported(transcript: readonly Partial<Activity>[]): Partial<Activity>[]
}

export function createCaseView({
  procedures,
  intents,
  recognizer,
}: {
  procedures: ReadonlyMap<string, Procedure>
  intents: readonly Intent[]
  recognizer: Recognizer
}): CaseView {
  const procedureOfIntent = new Map(intents.map((i) => [i.id, i.procedure]))
  const procedure = (id: string) => procedures.get(id)?.title ?? id
  const problem = (intentId: string | undefined) => {
    if (!intentId) return undefined
    const procedureId = procedureOfIntent.get(intentId)
    return (procedureId && procedures.get(procedureId)?.title) || CONTROL_TITLES[intentId] || intentId.replaceAll('-', ' ')
  }
  const view: CaseView = {
    reason: (reason) => REASONS[reason] ?? reason,
    problem,
    intentsTitled: (text) => {
      const words = text.trim().toLowerCase()
      return words.length < 3 ? [] : intents.map((i) => i.id).filter((id) => problem(id)?.toLowerCase().includes(words))
    },
    procedure,
    trail: (trail) => trail.map((t) => ({ ...t, procedureTitle: procedure(t.procedureId) })),
    summary(packet) {
      const parts = [`${view.reason(packet.reason)}.`]
      const title = problem(packet.intentId)
      if (title) parts.push(`Problem: ${title}.`)
      if (packet.errorMessages.length > 0) parts.push(`Error: "${packet.errorMessages.join('", "')}".`)
      if (packet.trail.length > 0) {
        const tried = [...new Set(packet.trail.map((t) => procedure(t.procedureId)))]
        parts.push(`Tried: ${tried.join('; ')} (${packet.trail.length} step${packet.trail.length === 1 ? '' : 's'}).`)
      }
      return parts.join(' ')
    },
    environment(transcript) {
      const named = { browsers: [] as string[], systems: [] as string[] }
      let page: Environment['page']
      for (const activity of transcript) {
        if (activity.type === 'event' && activity.name === JOIN_EVENT) {
          const { browser, os } = JoinValueSchema.parse(activity.value ?? {})
          page = { browser: browser && browser !== 'other' ? nameOf(browser, BROWSERS) : undefined, os: os && os !== 'other' ? nameOf(os, SYSTEMS) : undefined }
        }
        if (activity.type !== 'message' || activity.from?.role !== 'user' || !activity.text) continue
        const { browser = [], os = [] } = recognizer.recognize(activity.text).entities
        for (const b of browser.map((id) => nameOf(id, BROWSERS))) if (!named.browsers.includes(b)) named.browsers.push(b)
        for (const o of os.map((id) => nameOf(id, SYSTEMS))) if (!named.systems.includes(o)) named.systems.push(o)
      }
      return { named, ...(page && (page.browser || page.os) && { page }) }
    },
    lines(transcript) {
      return transcript
        .filter((a) => a.type === 'message') // events (the join, the handoff event) are not part of the conversation
        .map((a) => {
          const agent = agentOf(a)
          const timestamp = a.timestamp ? new Date(a.timestamp).toISOString() : undefined
          if (agent) {
            const prefix = `${agent.name} (help desk): `
            const text = a.text?.startsWith(prefix) ? a.text.slice(prefix.length) : (a.text ?? '')
            return { text, from: { name: agent.name, role: 'agent' }, timestamp }
          }
          return { text: a.text ?? '', from: { name: a.from?.name, role: a.from?.role === 'user' ? 'user' : 'bot' }, timestamp }
        })
    },
    exported(transcript) {
      return transcript
        .filter((a) => a.type === 'message' || a.type === 'conversationUpdate' || a.type === 'endOfConversation')
        .map((a, index) => {
          const agent = agentOf(a)
          return {
            ...a,
            id: a.id || `${a.conversation?.id ?? 'conversation'}|${index}`,
            // The schema's roles are user and bot; the Emulator draws any non-user on the bot's side, under this name.
            ...(agent && { from: { id: `agent:${agent.id}`, name: agent.name, role: 'bot' } }),
          }
        })
    },
  }
  return view
}
