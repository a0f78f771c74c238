import { EventEmitter } from 'node:events'
import { ActivityTypes, MessageFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder'
import { z } from 'zod'
import type { AgentAccount } from '../core/config.js'
import type { HandoffPacket, HandoffQueue } from '../core/handoff.js'
import { CLOSING_REASONS, isWithinHours, OPEN_STATUSES, ownerOf, type CaseAction, type CaseStatus, type ClosingReason, type Owner, type TransitionRefusal } from '../core/handoffCase.js'
import { readContact, type Contact } from '../core/contact.js'
import { redactSecrets } from '../core/secrets.js'
import { messages } from '../../dialogs/messages.js'
import type { Logger } from '../core/logger.js'
import type { AnalyticsRecorder } from '../core/analytics.js'
import type { CaseEvent, CaseQuery, ConsoleEventLog, EventBus, HandoffCase, HandoffCases, Ratings, ScheduledJobs } from '../core/ports.js'
import { newRequest, ratingPrompt } from '../../dialogs/rating.js'
import type { PortTranscriptStore } from './transcripts.js'
import { ACCEPT_ACTION, type AgentsThreads } from '../teams/agentsChannel.js'

/** Sends to a user on their channel, outside their own turn (the Direct Line adapter, or the Bot Framework one). */
export type ChannelSender = (reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>) => Promise<void>
/** Whether the user's conversation can still show a message (a website chat past its end of life cannot). */
export type ChannelReach = (reference: Partial<ConversationReference>) => Promise<boolean>

export interface HandoffOptions {
  waitSeconds: number
  hours: string
  timeZone: string
}

export const handoffText = {
  stillWaiting: "You're still in the queue for a help-desk agent; I've added your message for them.",
  cancelled: "OK, I've cancelled your request for an agent. I'm here: tell me what's wrong.",
  /** A correction while waiting ("go back, I picked wrong"): the bot takes the message up again. */
  backToBot: "I've taken you out of the queue for an agent so we can go on with the right answer.",
  joined: (name: string) => `${name} from the help desk has joined the chat.`,
  fromAgent: (name: string, text: string) => `${name} (help desk): ${text}`,
  back: (name: string) => `You're back with the help-desk bot: ${name} has handed your chat back to me. Is there anything else I can help with?`,
  closed: 'The help desk has closed this chat. If you need anything else, just tell me.',
  noAgent: (minutes: number, id: string, hours?: string) =>
    leaveMessage(`No agent has been free for ${minutes < 1 ? 'a while' : `${minutes} minute${minutes === 1 ? '' : 's'}`}, sorry.`, id, hours),
  failed: (id: string, hours?: string) => leaveMessage('No agent could take your chat, sorry.', id, hours),
  contactAgain: {
    secret: `That can't be used to reach you, and nobody at the help desk will ever ask for it. ${messages.contactQuestion}`,
    'short-phone': `That phone number looks too short: please include its area code. ${messages.contactQuestion}`,
    unreadable: `I couldn't read that as an e-mail address or a phone number. ${messages.contactQuestion}`,
    draft: `Thanks, I've kept your message for the help desk. ${messages.contactQuestion}`,
  },
  askMessage: (contact: Contact) =>
    `${contact.kind === 'chat' ? "OK: the help desk's answer will come to this chat." : `Thanks: the help desk can reach you at ${contact.value}.`} ` +
    'What would you like to tell them? Say what is wrong and what you have tried.',
  messageLeft: (id: string, contact: Contact | undefined, channelId: string, hours?: string) => {
    const where =
      channelId === 'webchat'
        ? "An agent's answer will appear in this chat: keep this page open, or come back to it in this browser"
        : channelId === 'msteams'
          ? "An agent's answer will come to you here in Teams"
          : "An agent's answer will come to this chat"
    const other = contact && contact.kind !== 'chat' ? ` They may also contact you at ${contact.value}.` : ''
    return `Thank you: your message is with the help desk (request ${id}). ${where}.${other}${hours ? ` The help desk is open ${hours}.` : ''}`
  },
  answer: (id: string, text: string) => `About your message (request ${id}): ${text}`,
  backFromHub: "You're back with the help-desk bot. Is there anything else I can help with?",
  transferred: (from: string, to: string) => `${from} has passed your chat to ${to} from the help desk, who can see everything so far. Please keep this chat open.`,
  transferredToQueue: (from: string) =>
    `${from} has passed your chat back to the help-desk queue, so the next free agent can take it; they will see everything so far. Please keep this chat open.`,
}

/** The wait is over: the user may leave a message, and is asked how to reach them first. */
function leaveMessage(opening: string, id: string, hours?: string): string {
  return (
    `${opening} You can leave a message for the help desk (request ${id}) and an agent will answer it` +
    `${hours ? ` (the desk is open ${hours})` : ''}, or say "cancel" to carry on with me. ${messages.contactQuestion}`
  )
}

/** A question with the answers a user on a phone would tap. */
const contactPrompt = (text: string) => MessageFactory.suggestedActions([...messages.contactActions], text)

const CANCEL = /^\s*((actually|ok|okay|oh|wait|no|hmm|um),?\s+)*(cancel|never ?mind|nvm|stop|back to (the )?bot|forget it|start over|restart)\b|\b(i ?'?ll|i will|let me|i'?d rather) (just )?(stick|stay|keep going|carry on|continue) with (you|the bot|this( bot)?)\b/i

const StatusSchema = z.object({ state: z.string().max(50), message: z.string().max(2000).optional() }).loose()

/** The bus topic of the agent console's events. */
const CONSOLE_TOPIC = 'console'
const SWEEPER_JOB = 'handoff.sweeper'

/** What the agent console shows live, from any instance: a case moved, someone wrote in a case, or is typing (id 0: not kept). */
export interface ConsoleEvent {
  id: number
  event: 'changed' | 'message' | 'typing'
  data: string
}

/** How the service reaches every instance's consoles, and takes the sweeper only where no other instance has it. */
export interface HandoffLive {
  events: ConsoleEventLog
  bus: EventBus
  jobs: ScheduledJobs
  afterCommit(then: () => void): void
  /** Where claims (with the user's wait) and closes are recorded for the report. */
  analytics?: AnalyticsRecorder
  /** Where the user's rating after an agent closed the case is asked for; none: not asked. */
  ratings?: Ratings
}

/** `previous`: the status before, when this call changed it. */
export type AgentResult = { ok: true; case: HandoffCase; previous?: CaseStatus } | { ok: false; status: 404 | 409; reason: AgentRefusal }
/** Why an agent's action was refused: the console turns each into a sentence. */
export type AgentRefusal = 'no-such-case' | 'claim-first' | TransitionRefusal

/** Whether an agent's answer to a left message reached the user's chat, and if not, why. */
export interface Delivery {
  delivered: boolean
  why?: 'chat-ended' | 'send-failed' | 'no-channel'
}

/** Marks a message an agent wrote (in channelData), so transcripts show it as the agent's, not the bot's. */
export interface AgentMark {
  helpDeskAgent: { id: string; name: string }
}
export const agentOf = (activity: { channelData?: unknown }): AgentMark['helpDeskAgent'] | undefined => {
  const mark = (activity.channelData as Partial<AgentMark> | undefined)?.helpDeskAgent
  return typeof mark?.id === 'string' && typeof mark.name === 'string' ? mark : undefined
}

/** What an agent tried, for saying why it was refused. */
export type AgentAction = 'claim' | 'return' | 'close' | 'say' | 'typing' | 'transfer' | 'answer'

const ENDED_HOW: Partial<Record<HandoffCase['status'], string>> = {
  returned: 'was sent back to the bot',
  closed: 'is closed',
  cancelled: 'was cancelled by the user, who went back to the bot',
}

/**
 * One sentence for an agent: what happened and what to do. Agents never see a refusal code. `current` is the case as
 * it is now; `nameOf` gives an agent's display name.
 */
export function explainRefusal(action: AgentAction, reason: AgentRefusal, current: HandoffCase | undefined, nameOf: (agentId: string) => string): string {
  if (reason === 'no-such-case' || !current) return 'There is no such case: it may have been mistyped. Pick a case from the queue.'
  const holder = current.agentId ? nameOf(current.agentId) : 'Another agent'
  const ended = ENDED_HOW[current.status]
  if (ended) {
    const next = action === 'claim' || action === 'say' || action === 'typing'
      ? 'There is no live chat to join; if the user asks for a person again, a new case appears in the queue.'
      : 'There is nothing more to do on it; its transcript can still be read and exported.'
    return `This case ${ended}. ${next}`
  }
  switch (reason) {
    case 'left-message':
      return current.status === 'answered'
        ? 'This case is a message the user left, and it has been answered. There is no live chat to join; you can answer again below, or close it.'
        : 'The user left a message and is not waiting in the chat: answer it below. The answer goes to their chat if it can still be reached, and is kept on the case.'
    case 'no-message':
      return 'There is no message left on this case to answer: the user is in the chat or still in the queue. Claim the case to write to them.'
    case 'claimed-by-another-agent':
      return `${holder} has already claimed this case. Pick another case from the queue.`
    case 'not-your-case':
      return `${holder} has this case, so only they can send it back or close it.`
    case 'claim-first':
      return current.status === 'claimed' ? `${holder} has this case, so only they can write to the user.` : 'Claim the case before writing to the user.'
    default:
      if (action === 'transfer') return 'Only a case you have claimed can be passed on, and to another agent. Claim it first, or pick someone else.'
      return action === 'return'
        ? 'Only a case you have claimed can be sent back to the bot; this one is still waiting. Claim it, or close it.'
        : 'That is not possible for this case as it stands now. Reload the case to see where it is.'
  }
}

const TYPING_EVERY_MS = 3000 // at most one typing indicator per case and direction in this time

/**
 * Human handoff: the queue, who owns each conversation, and the relay between users and agents. Emits `event`
 * (a ConsoleEvent: a case moved, or someone wrote in a case) for the agent console, whichever instance it
 * happened on; `listen()` starts hearing them.
 */
export class HandoffService extends EventEmitter implements HandoffQueue {
  private readonly senders = new Map<string, { send: ChannelSender; reachable?: ChannelReach }>()
  private agentsThreads: AgentsThreads | undefined
  private sweeper: NodeJS.Timeout | undefined
  private readonly lastTyping = new Map<string, number>()
  /** Teams agents' display names (console agents' come from their accounts). */
  private readonly teamsNames = new Map<string, string>()

  constructor(
    private readonly store: HandoffCases,
    private readonly transcripts: PortTranscriptStore,
    private readonly agents: readonly AgentAccount[],
    private readonly options: HandoffOptions,
    private readonly logger: Logger,
    private readonly live: HandoffLive,
  ) {
    super()
    this.setMaxListeners(0) // one per open console
  }

  /** Hears the console events of every instance (and re-emits them as `event`). */
  async listen(): Promise<() => Promise<void>> {
    return this.live.bus.subscribe(CONSOLE_TOPIC, (message) => {
      const [id, event, ...data] = message.split('\n')
      this.emit('event', { id: Number(id), event: event as ConsoleEvent['event'], data: data.join('\n') } satisfies ConsoleEvent)
    })
  }

  /** Console events after `id` (a console that reconnects with Last-Event-ID). */
  eventsAfter(id: number) {
    return this.live.events.after(id)
  }

  /** Tells every console now, keeping nothing (typing): a console that reconnects does not need it. */
  private notifyLive(event: ConsoleEvent['event'], data: object): void {
    void this.live.bus.publish(CONSOLE_TOPIC, `0\n${event}\n${JSON.stringify(data)}`).catch((err: unknown) => this.logger.warn({ err }, 'console event not delivered'))
  }

  /** Tells every console, once what changed is durable; a failure here costs a live update, never the turn. */
  private notify(event: ConsoleEvent['event'], data: object): void {
    this.live.afterCommit(() => {
      const json = JSON.stringify(data)
      void this.live.events
        .append(event, json)
        .then((id) => this.live.bus.publish(CONSOLE_TOPIC, `${id}\n${event}\n${json}`))
        .catch((err: unknown) => this.logger.warn({ err }, 'console event not delivered'))
    })
  }

  /** Agents can take chats: console accounts are configured, or a Teams agents' channel. */
  get staffed(): boolean {
    return this.agents.length > 0 || this.agentsThreads !== undefined
  }

  /** How to reach users of a channel; `*` for every channel without its own. `reachable` says whether a chat still is. */
  registerSender(channelId: string, sender: ChannelSender, reachable?: ChannelReach): void {
    this.senders.set(channelId, { send: sender, ...(reachable && { reachable }) })
  }

  /** When the desk is open, for users (undefined when it always is). */
  private get hours(): string | undefined {
    return this.options.hours.trim().toLowerCase() === 'always' ? undefined : `${this.options.hours} (${this.options.timeZone} time)`
  }

  /** Announces new cases in a Teams agents' channel, and relays through its threads. */
  useAgentsThreads(threads: AgentsThreads): void {
    this.agentsThreads = threads
  }

  /** Starts expiring waiting cases after the configured wait (checked every few seconds, by one instance at a time). */
  start(intervalMs = 5000): void {
    const sweep = async () => {
      if (await this.live.jobs.claim(SWEEPER_JOB)) await this.expireOverdue()
    }
    this.sweeper ??= setInterval(() => void sweep().catch((err) => this.logger.error({ err }, 'handoff sweep failed')), intervalMs)
    this.sweeper.unref()
  }

  stop(): void {
    clearInterval(this.sweeper)
    this.sweeper = undefined
  }

  async request(packet: HandoffPacket, reference: object): Promise<{ id: string; queued: boolean; hours?: string }> {
    const open = isWithinHours(this.options.hours, this.options.timeZone)
    const handoffCase = await this.store.create(packet, reference, open ? 'waiting' : 'expired')
    this.logger.info({ caseId: handoffCase.id, reason: packet.reason, queued: open }, 'handoff case opened')
    if (open && this.agentsThreads && !handoffCase.agentsThread) {
      try {
        await this.store.setAgentsThread(handoffCase.id, await this.agentsThreads.announce(handoffCase))
      } catch (err) {
        this.logger.error({ err, caseId: handoffCase.id }, 'could not announce the case in the agents channel') // the console still has it
      }
    }
    this.notify('changed', { caseId: handoffCase.id })
    const queued = handoffCase.status !== 'expired'
    return { id: handoffCase.id, queued, ...(!queued && this.hours && { hours: this.hours }) }
  }

  /** A conversation's transcript, redacted, oldest first. */
  transcript(channelId: string, conversationId: string): Promise<Activity[]> {
    return this.transcripts.all(channelId, conversationId)
  }

  /** Recent conversations of every channel (for agents: every transcript is kept, redacted). */
  recentConversations(limit?: number) {
    return this.transcripts.recent(limit)
  }

  /** Who answers this conversation's next message. */
  async ownerOf(context: TurnContext): Promise<Owner> {
    return ownerOf(await this.store.openFor(context.activity.channelId, context.activity.conversation.id))
  }

  /**
   * A user's message while the conversation is not the bot's: relay it, queue it, or take it as a left message.
   * `aside` answers what the bot must answer while the user waits; 'bot' (a correction of the answer that led here)
   * cancels the wait, and the caller gives the message to the bot: 'bot' is returned then.
   */
  async onUserMessage(context: TurnContext, aside?: () => Promise<boolean | 'bot'>): Promise<'bot' | undefined> {
    const open = await this.store.openFor(context.activity.channelId, context.activity.conversation.id)
    if (!open) return
    const text = context.activity.text ?? ''
    if (open.status !== 'claimed' && CANCEL.test(text)) {
      await this.cancelWait(open.id)
      await context.sendActivity(handoffText.cancelled)
      return
    }
    if (open.status === 'claimed') {
      this.notify('message', { caseId: open.id, activity: consoleActivity(context.activity) })
      if (open.agentsThread && open.agentId?.startsWith('teams:')) await this.agentsThreads?.post(open.agentsThread, `User: ${text}`)
      return // the agent answers; the bot stays silent
    }
    if (open.status === 'expired') {
      await this.takeMessage(context, open, text)
      return
    }
    this.notify('message', { caseId: open.id, activity: consoleActivity(context.activity) })
    // While waiting, the bot still answers what it must (a policy line, thanks): the agent sees the message either way.
    const answered = await aside?.()
    if (answered === 'bot') {
      await this.cancelWait(open.id)
      await context.sendActivity(handoffText.backToBot)
      return 'bot'
    }
    if (!answered) await context.sendActivity(handoffText.stillWaiting)
  }

  /** The user goes back to the bot before an agent took the case. */
  private async cancelWait(caseId: string): Promise<void> {
    const result = await this.store.apply(caseId, { type: 'cancel' })
    if (result.ok && result.changed && result.case) this.recordChange(result.case, { type: 'cancel' })
    this.notify('changed', { caseId })
  }

  /**
   * The wait is over or the desk is closed: first how to reach the user (an e-mail address or a phone number checked
   * for shape, or back in this chat; a secret never), then their message. A message typed first is kept meanwhile.
   */
  private async takeMessage(context: TurnContext, open: HandoffCase, text: string): Promise<void> {
    let message = text.trim()
    const { contact, draft } = open.details
    if (!contact) {
      const reading = readContact(message)
      if (!reading.ok) {
        const keep = reading.why === 'unreadable' && message.split(/\s+/).length >= 4
        if (keep) await this.store.setDetails(open.id, { draft: message })
        await context.sendActivity(contactPrompt(handoffText.contactAgain[keep ? 'draft' : reading.why]))
        return
      }
      await this.store.setDetails(open.id, { contact: reading.contact, draft: undefined })
      await this.store.addEvent(open.id, { kind: 'contact', data: { ...reading.contact } })
      if (!draft) {
        await context.sendActivity(handoffText.askMessage(reading.contact))
        return
      }
      message = draft
    }
    if (!message) return void (await context.sendActivity(handoffText.askMessage(contact!)))
    const result = await this.store.apply(open.id, { type: 'leave-message' }, { leftMessage: message })
    this.notify('changed', { caseId: open.id })
    await context.sendActivity(handoffText.messageLeft(open.id, result.case?.details.contact, open.channelId, this.hours))
  }

  /** The user is typing: agents holding the case see it (throttled). Other typing is ignored. */
  async onUserTyping(context: TurnContext): Promise<void> {
    const { channelId, conversation } = context.activity
    // Throttled before the look-up: Web Chat sends typing every few seconds, and most conversations have no case.
    if (!this.throttle(`user:${channelId}|${conversation.id}`)) return
    const open = await this.store.openFor(channelId, conversation.id)
    if (open?.status !== 'claimed') return
    this.notifyLive('typing', { caseId: open.id, who: 'user' })
  }

  /** An agent is typing to the user of a case they hold: the user's channel shows it (throttled). */
  async agentTyping(caseId: string, agentId: string): Promise<AgentResult> {
    const handoffCase = await this.store.get(caseId)
    if (!handoffCase) return { ok: false, status: 404, reason: 'no-such-case' }
    if (handoffCase.status !== 'claimed' || handoffCase.agentId !== agentId) return { ok: false, status: 409, reason: 'claim-first' }
    if (this.throttle(`agent:${caseId}`)) await this.sendToUser(handoffCase, { type: ActivityTypes.Typing })
    return { ok: true, case: handoffCase }
  }

  /** True at most once per TYPING_EVERY_MS for a key; forgets old keys. */
  private throttle(key: string, now = Date.now()): boolean {
    if (now - (this.lastTyping.get(key) ?? 0) < TYPING_EVERY_MS) return false
    if (this.lastTyping.size > 1000) for (const [k, at] of this.lastTyping) if (now - at >= TYPING_EVERY_MS) this.lastTyping.delete(k)
    this.lastTyping.set(key, now)
    return true
  }

  /** A `handoff.status` event from an agent hub: accepted, failed, completed; unknown states are logged and ignored. */
  async onStatusEvent(context: TurnContext): Promise<void> {
    const parsed = StatusSchema.safeParse(context.activity.value)
    const open = await this.store.openFor(context.activity.channelId, context.activity.conversation.id)
    if (!parsed.success || !open) {
      this.logger.warn({ valid: parsed.success, hasCase: Boolean(open) }, 'handoff.status ignored')
      return
    }
    const state = parsed.data.state.toLowerCase()
    const actions: Record<string, CaseAction> = {
      accepted: { type: 'accepted', agentId: 'agent-hub' },
      failed: { type: 'failed' },
      completed: { type: 'completed' },
    }
    const action = actions[state]
    if (!action) {
      this.logger.warn({ caseId: open.id, state }, 'handoff.status with an unknown state ignored')
      return
    }
    const result = await this.store.apply(open.id, action)
    this.notify('changed', { caseId: open.id })
    if (!result.ok || !result.changed) return
    if (state === 'failed') await context.sendActivity(contactPrompt(handoffText.failed(open.id, this.hours)))
    if (state === 'completed') await context.sendActivity(handoffText.backFromHub)
  }

  /** An agent's display name: a console account's, or a Teams agent's as last seen (cases read here learn theirs). */
  nameOf(agentId: string): string {
    return this.agents.find((a) => a.username === agentId)?.name ?? this.teamsNames.get(agentId) ?? agentId
  }

  /** Something about a case changed outside the service (its rating came in): consoles showing it read it again. */
  caseChanged(caseId: string): void {
    this.notify('changed', { caseId })
  }

  /** Whether an agent id is a console account (Teams agents and agent hubs are not). */
  isConsoleAgent(agentId: string): boolean {
    return this.agents.some((a) => a.username === agentId)
  }

  /** Reads the stored names of the Teams agents holding `cases` that this instance has not seen yet. */
  private async learnNames(cases: readonly (HandoffCase | undefined)[]): Promise<void> {
    for (const agentId of new Set(cases.map((c) => c?.agentId))) {
      if (!agentId || this.teamsNames.has(agentId) || this.agents.some((a) => a.username === agentId)) continue
      const name = await this.store.agentName(agentId)
      if (name) this.teamsNames.set(agentId, name)
    }
  }

  /**
   * A message in a Teams agents' channel thread: Accept claims the case for that Teams user; afterwards their
   * messages go to the user, "done" hands the user back to the bot and "close" closes. False when the message is
   * not in a case's thread (then it is an ordinary conversation).
   */
  async onAgentThreadMessage(context: TurnContext): Promise<boolean> {
    if (context.activity.channelId !== 'msteams' || context.activity.conversation.conversationType !== 'channel') return false
    const handoffCase = await this.store.byAgentsThread(context.activity.conversation.id)
    if (!handoffCase) return false
    const from = context.activity.from
    const agentId = `teams:${from.aadObjectId ?? from.id}`
    this.teamsNames.set(agentId, from.name || 'A help-desk agent')
    await this.store.setAgentName(agentId, from.name || 'A help-desk agent')
    const value = context.activity.value as { action?: string } | undefined
    if (value?.action === ACCEPT_ACTION) {
      const result = await this.claim(handoffCase.id, agentId)
      await context.sendActivity(
        result.ok
          ? `${this.nameOf(agentId)} has case ${handoffCase.id}. Reply in this thread (mention me) to write to the user; say "done" to hand them back to the bot, or "close".`
          : `Case ${handoffCase.id} can't be taken. ${explainRefusal('claim', result.reason, await this.get(handoffCase.id), (id) => this.nameOf(id))}`,
      )
      return true
    }
    const text = (context.activity.text ?? '').trim()
    if (handoffCase.status !== 'claimed' || handoffCase.agentId !== agentId) {
      await this.learnNames([handoffCase])
      await context.sendActivity(handoffCase.status === 'claimed' ? `${this.nameOf(handoffCase.agentId!)} has this case.` : 'Accept the case first.')
      return true
    }
    if (/^done$/i.test(text)) await this.giveBack(handoffCase.id, agentId)
    else if (/^close\b/i.test(text)) await this.close(handoffCase.id, agentId, closingReasonOf(text))
    else if (text) await this.say(handoffCase.id, agentId, text)
    return true
  }

  /**
   * An agent answers a message the user left (again, for a follow-up): delivered to the user's chat if it can still
   * be reached, and kept in the case's history with whether it was.
   */
  async answer(caseId: string, agentId: string, text: string): Promise<AgentResult & { delivery?: Delivery }> {
    const result = await this.store.apply(caseId, { type: 'answer', agentId })
    if (!result.case) return { ok: false, status: 404, reason: 'no-such-case' }
    if (!result.ok) return { ok: false, status: 409, reason: result.reason }
    const name = this.nameOf(agentId)
    const delivery = await this.deliver(result.case, {
      type: ActivityTypes.Message,
      text: handoffText.fromAgent(name, handoffText.answer(caseId, text)),
      channelData: { helpDeskAgent: { id: agentId, name } } satisfies AgentMark,
    })
    await this.store.addEvent(caseId, { kind: 'answer', agentId, data: { text, ...delivery } })
    this.logger.info({ caseId, delivered: delivery.delivered, why: delivery.why }, 'left message answered')
    this.notify('changed', { caseId })
    return { ok: true, case: result.case, delivery }
  }

  /** A private note on a case: for agents only, never sent to the user nor in their transcript. Secrets are removed. */
  async addNote(caseId: string, agentId: string, text: string): Promise<{ ok: true; note: CaseEvent } | { ok: false; status: 404; reason: 'no-such-case' }> {
    if (!(await this.store.get(caseId))) return { ok: false, status: 404, reason: 'no-such-case' }
    const note = await this.store.addEvent(caseId, { kind: 'note', agentId, data: { text: redactSecrets(text).text } })
    this.notify('changed', { caseId })
    return { ok: true, note }
  }

  /** A case's history: opened, every status change, the contact given, answers, notes. */
  history(caseId: string): Promise<CaseEvent[]> {
    return this.store.events(caseId)
  }

  /** Every case, found by its id, problem, error text, agent, date or status; newest first. */
  async search(query: CaseQuery): Promise<HandoffCase[]> {
    const cases = await this.store.search(query)
    await this.learnNames(cases)
    return cases
  }

  /** Claims a waiting case for an agent and tells the user who joined. Claiming twice is harmless. */
  async claim(caseId: string, agentId: string): Promise<AgentResult> {
    // A case passed back to the queue (a waiting case changed since it opened) was claimed once already: the report
    // counts a case's first claim and wait only, so claims never outnumber cases queued.
    const before = await this.store.get(caseId)
    const requeued = before?.status === 'waiting' && before.updatedAt !== before.createdAt
    return this.act(caseId, { type: 'claim', agentId }, handoffText.joined(this.nameOf(agentId)), {}, !requeued)
  }

  /** Hands the conversation back to the bot, which tells the user it is back. */
  async giveBack(caseId: string, agentId: string): Promise<AgentResult> {
    return this.act(caseId, { type: 'return', agentId }, handoffText.back(this.nameOf(agentId)))
  }

  /** Closes a case with why; a user who was chatting with an agent is then asked to rate the help. */
  async close(caseId: string, agentId: string, reason: ClosingReason = 'other'): Promise<AgentResult> {
    const result = await this.act(caseId, { type: 'close', agentId, reason }, handoffText.closed)
    if (result.ok && result.previous === 'claimed' && this.live.ratings) {
      const { channelId, conversationId } = result.case
      await this.live.ratings.ask(newRequest(channelId, conversationId, { after: 'agent', caseId }))
      await this.sendToUser(result.case, ratingPrompt(channelId))
    }
    return result
  }

  /**
   * Passes a claimed case to another signed-in agent (`to`), or back to the queue (no `to`). The user is told who
   * has their chat now (the transcript keeps it); every console hears it, the new agent's alerts them.
   */
  async transfer(caseId: string, agentId: string, to: string | undefined): Promise<AgentResult> {
    const from = this.nameOf(agentId)
    const tell = to ? handoffText.transferred(from, this.nameOf(to)) : handoffText.transferredToQueue(from)
    return this.act(caseId, { type: 'transfer', agentId, ...(to && { to }) }, tell, { transfer: { from: agentId, fromName: from, to: to ?? null } })
  }

  /** An agent's message to the user of a case the agent holds. */
  async say(caseId: string, agentId: string, text: string): Promise<AgentResult> {
    const handoffCase = await this.store.get(caseId)
    if (!handoffCase) return { ok: false, status: 404, reason: 'no-such-case' }
    if (handoffCase.status !== 'claimed' || handoffCase.agentId !== agentId) return { ok: false, status: 409, reason: 'claim-first' }
    const name = this.nameOf(agentId)
    const helpDeskAgent = { id: agentId, name }
    const first = this.live.analytics && !(await this.agentHasReplied(handoffCase))
    await this.sendToUser(handoffCase, { type: ActivityTypes.Message, text: handoffText.fromAgent(name, text), channelData: { helpDeskAgent } satisfies AgentMark })
    if (first) {
      // Time to first reply counts from the case opening: what the user waited for a person's words.
      const seconds = Math.max(0, Math.round((Date.now() - Date.parse(handoffCase.createdAt)) / 1000))
      this.live.analytics!.recordFor(handoffCase.channelId, handoffCase.conversationId, { kind: 'handoff.replied', seconds })
    }
    this.notify('message', { caseId, activity: consoleActivity({ text, from: { name, role: 'agent' } }) })
    return { ok: true, case: handoffCase }
  }

  /** Whether an agent has written to the user since this case opened (its transcript holds their marked messages). */
  private async agentHasReplied(handoffCase: HandoffCase): Promise<boolean> {
    const opened = Date.parse(handoffCase.createdAt)
    const transcript = await this.transcripts.all(handoffCase.channelId, handoffCase.conversationId)
    return transcript.some((a) => agentOf(a) !== undefined && a.timestamp !== undefined && new Date(a.timestamp).getTime() >= opened)
  }

  /** Expires cases nobody claimed in time and tells their users they can leave a message. */
  async expireOverdue(now = Date.now()): Promise<number> {
    let expired = 0
    for (const waiting of await this.store.list(['waiting'])) {
      // Since it (last) joined the queue: a case passed back to the queue waits its full time again.
      if (now - Date.parse(waiting.updatedAt) < this.options.waitSeconds * 1000) continue
      const result = await this.store.apply(waiting.id, { type: 'expire' })
      if (result.ok && result.changed) {
        expired++
        this.recordChange(waiting, { type: 'expire' })
        this.notify('changed', { caseId: waiting.id })
        await this.sendToUser(waiting, contactPrompt(handoffText.noAgent(Math.round(this.options.waitSeconds / 60), waiting.id, this.hours))).catch((err) =>
          this.logger.warn({ err, caseId: waiting.id }, 'could not tell the user the wait is over'),
        )
      }
    }
    return expired
  }

  /** Cases by status, oldest first, with their agents' names known to nameOf(). */
  async list(statuses: Parameters<HandoffCases['list']>[0]): Promise<HandoffCase[]> {
    const cases = await this.store.list(statuses)
    await this.learnNames(cases)
    return cases
  }

  /** A case, with its agent's name known to nameOf(). */
  async get(id: string): Promise<HandoffCase | undefined> {
    const found = await this.store.get(id)
    await this.learnNames([found])
    return found
  }

  /** A claim records how long the user waited; an end records why it ended (closed by the agent, cancelled, expired). */
  private recordChange(handoffCase: HandoffCase, action: CaseAction): void {
    const analytics = this.live.analytics
    if (!analytics) return
    const { channelId, conversationId } = handoffCase
    if (action.type === 'claim') {
      const waitSeconds = Math.max(0, Math.round((Date.now() - Date.parse(handoffCase.createdAt)) / 1000))
      analytics.recordFor(channelId, conversationId, { kind: 'handoff.claimed', waitSeconds })
    } else if (action.type === 'close') {
      // The agent's closing reason; 'close' only where none was given (stored before reasons existed).
      analytics.recordFor(channelId, conversationId, { kind: 'handoff.closed', reason: action.reason ?? 'close' })
    } else if (action.type === 'cancel' || action.type === 'expire') {
      analytics.recordFor(channelId, conversationId, { kind: 'handoff.closed', reason: action.type })
    }
  }

  private async act(caseId: string, action: CaseAction, tellUser: string, said: object = {}, record = true): Promise<AgentResult> {
    const result = await this.store.apply(caseId, action)
    if (!result.case) return { ok: false, status: 404, reason: 'no-such-case' }
    if (!result.ok) return { ok: false, status: 409, reason: result.reason }
    if (result.changed) {
      this.logger.info({ caseId, action: action.type, status: result.case.status }, 'handoff case changed')
      if (record) this.recordChange(result.case, action)
      this.notify('changed', { caseId, ...said })
      // Only a user the case still held hears of it: after "send back to the bot" or a left message they are with the bot.
      if (result.previous && OPEN_STATUSES.includes(result.previous)) {
        await this.sendToUser(result.case, { type: ActivityTypes.Message, text: tellUser })
      }
    }
    return { ok: true, case: result.case, ...(result.changed && result.previous && { previous: result.previous }) }
  }

  /** Sends if the user's chat can still show it; says whether it went. */
  private async deliver(handoffCase: HandoffCase, activity: Partial<Activity>): Promise<Delivery> {
    const channel = this.senders.get(handoffCase.channelId) ?? this.senders.get('*')
    if (!channel) return { delivered: false, why: 'no-channel' }
    try {
      if (channel.reachable && !(await channel.reachable(handoffCase.reference as Partial<ConversationReference>))) return { delivered: false, why: 'chat-ended' }
      await this.sendToUser(handoffCase, activity)
      return { delivered: true }
    } catch (err) {
      this.logger.warn({ err, caseId: handoffCase.id }, 'answer not delivered')
      return { delivered: false, why: 'send-failed' }
    }
  }

  private async sendToUser(handoffCase: HandoffCase, activity: Partial<Activity>): Promise<void> {
    const sender = this.senders.get(handoffCase.channelId)?.send ?? this.senders.get('*')?.send
    if (!sender) throw new Error(`no way to reach users on channel ${handoffCase.channelId}`)
    await sender(handoffCase.reference as Partial<ConversationReference>, async (context) => {
      // Plain text: an agent's words are never read as markdown or HTML by the user's client.
      await context.sendActivity(activity.type === ActivityTypes.Message ? { ...activity, textFormat: 'plain' } : activity)
    })
  }
}

/** "close", or "close referred-local-it" in a Teams thread: a reason it names, else other. */
function closingReasonOf(text: string): ClosingReason {
  const said = text.replace(/^close\b/i, '').trim().toLowerCase().replace(/\s+/g, '-')
  return CLOSING_REASONS.find((r) => r === said) ?? 'other'
}

/** What a console shows of a message: its text, who wrote it and when (the text is already redacted). */
function consoleActivity(activity: { text?: string; from?: { name?: string; role?: string }; timestamp?: unknown }) {
  return {
    type: 'message',
    text: activity.text,
    from: { name: activity.from?.name, role: activity.from?.role },
    timestamp: activity.timestamp ?? new Date().toISOString(),
  }
}
