/**
 * What the bot needs of storage, named by what it means. Only src/infra/<engine>/ implements these (SQLite embedded;
 * PostgreSQL + Redis for several instances) and only there is a database driver imported; both adapters pass one
 * contract-test suite (test/infra/*.contract.ts). Everything is async, so a networked engine fits the same shape.
 */
import type { HandoffPacket } from './handoff.js'
import type { CaseAction, CaseStatus, ClosingReason, TransitionResult } from './handoffCase.js'
import type { Contact } from './contact.js'

/** An activity as stored: a Bot Framework activity's JSON (the core does not depend on botbuilder's types). */
export type ActivityJson = Record<string, unknown>

/** Conversation state documents (dialog stack, what was tried), each with a version that every save increases. */
export interface ConversationStateStore {
  /** The document and its version, or undefined when nothing is stored under `key`. */
  load(key: string): Promise<{ json: string; version: number } | undefined>
  /**
   * Stores `json` under `key` if the stored version is still `expected` (0: nothing stored yet; `*`: whatever is
   * stored). Resolves with the new version once it is durable; rejects with HD_STATE_CONFLICT when another writer
   * got there first.
   */
  save(key: string, json: string, expected: number | '*'): Promise<number>
  delete(key: string): Promise<void>
  /** Deletes state not saved since `before` (epoch ms): conversations and users idle past the retention limit. */
  deleteIdleBefore(before: number): Promise<number>
}

/** One activity appended to a Direct Line conversation: its id, its watermark and its JSON text as stored. */
export interface AppendedActivity {
  id: string
  watermark: number
  json: string
}

/** The Direct Line activity log: append-only per conversation; the sequence number allocated on append is the watermark. */
export interface ActivityLog {
  createConversation(id: string, userId: string): Promise<void>
  /** The conversation, with when it began (ISO), if it exists. */
  conversation(id: string): Promise<{ id: string; userId: string; createdAt?: string } | undefined>
  /** Appends activities in order, each under the conversation's next number and the id `<conversationId>|<number>`. */
  append(conversationId: string, activities: readonly object[]): Promise<AppendedActivity[]>
  /** The id of the user's activity that carried this `channelData.clientActivityID`, if any (a client's retry). */
  findByClientId(conversationId: string, clientActivityId: string): Promise<string | undefined>
  /** Activities after a watermark, oldest first, and the watermark to resume from. */
  after(conversationId: string, watermark: number, limit?: number): Promise<{ activities: ActivityJson[]; watermark: number }>
  /** The watermark of the newest activity (0 when there is none). */
  lastWatermark(conversationId: string): Promise<number>
  /** Deletes the conversations with no activity since `before` (epoch ms), with their activities; says how many. */
  deleteIdleBefore(before: number): Promise<number>
  /** Resolves once everything appended so far is durable (an engine may batch its writes). */
  committed(): Promise<void>
}

/** Every conversation's transcript (already redacted), in the order it was logged. */
export interface TranscriptLog {
  /** Queues one activity; `committed()` of the engine's batch (if any) says when it is durable. */
  log(entry: { channelId: string; conversationId: string; at: string; activity: object }): Promise<void>
  /** Up to `limit` activities after `cursor` (0 = from the start), and the cursor of the last one. */
  page(channelId: string, conversationId: string, cursor: number, limit: number): Promise<{ activities: ActivityJson[]; cursor: number }>
  conversations(channelId: string): Promise<{ conversationId: string; created: string }[]>
  /** The most recent conversations of every channel, newest first. */
  recent(limit: number): Promise<RecentConversation[]>
  delete(channelId: string, conversationId: string): Promise<void>
}

export interface RecentConversation {
  channelId: string
  conversationId: string
  started: string
  last: string
  activities: number
}

/** A handoff request and where it stands. `reference` is the Bot Framework conversation reference of the user. */
export interface HandoffCase {
  id: string
  conversationId: string
  channelId: string
  status: CaseStatus
  agentId?: string
  packet: HandoffPacket
  reference: object
  createdAt: string
  updatedAt: string
  /** A message the user left when no agent was free. */
  leftMessage?: string
  /** The Teams agents' channel thread (its conversation id) where this case was announced. */
  agentsThread?: string
  /** Why the agent closed it. */
  closingReason?: ClosingReason
  /** The help desk's own record of the case, as JSON: open to more keys (a closing reason, a rating...). */
  details: CaseDetails
}

export interface CaseDetails {
  /** How the user asked to be reached when they left a message. */
  contact?: Contact
  /** A message the user typed before saying how to reach them, kept until they do. */
  draft?: string
  [key: string]: unknown
}

/**
 * One thing that happened to a case, for its history: opened, a status change, the contact given, the message left,
 * an agent's answer (and whether it reached the user), a private note. Agents only: never relayed, never exported.
 */
export interface CaseEvent {
  id: number
  caseId: string
  at: string
  kind: 'opened' | 'status' | 'contact' | 'message-left' | 'answer' | 'note' | (string & {})
  agentId?: string
  data: Record<string, unknown>
}

/** A search over every case, newest first; `limit` bounds what is read. */
export interface CaseQuery {
  /** Words of the case id, the question, the problem's id, an error message, the left message or the contact. */
  text?: string
  /** Problem (intent) ids whose titles matched the text: a case with one of them matches too. */
  intentIds?: readonly string[]
  status?: CaseStatus
  agentId?: string
  /** ISO times: opened at or after `from`, before `to`. */
  from?: string
  to?: string
  limit: number
}

/** Handoff cases; every change goes through core/handoffCase's rules atomically (two agents claiming: one wins). */
export interface HandoffCases {
  /** Opens a case, or returns the conversation's open one: asking twice never queues twice. */
  create(packet: HandoffPacket, reference: object, status: 'waiting' | 'expired'): Promise<HandoffCase>
  get(id: string): Promise<HandoffCase | undefined>
  /** The conversation's case that still holds it (waiting, with an agent, or taking a message), if any. */
  openFor(channelId: string, conversationId: string): Promise<HandoffCase | undefined>
  /**
   * Applies an action under the rules, atomically, and records the change in the case's history; the result says
   * whether anything changed and what the status was before.
   */
  apply(id: string, action: CaseAction, extra?: { leftMessage?: string }): Promise<TransitionResult & { case?: HandoffCase; previous?: CaseStatus }>
  /** Merges `patch` into the case's details (undefined values remove keys); undefined when there is no such case. */
  setDetails(id: string, patch: Partial<CaseDetails>): Promise<HandoffCase | undefined>
  /** Adds to a case's history (a note, an answer...). */
  addEvent(caseId: string, event: { kind: CaseEvent['kind']; agentId?: string; data: Record<string, unknown> }): Promise<CaseEvent>
  /** A case's history, oldest first (at most `limit`, 1000 by default). */
  events(caseId: string, limit?: number): Promise<CaseEvent[]>
  /** Cases matching every given filter, newest first, at most `query.limit`. */
  search(query: CaseQuery): Promise<HandoffCase[]>
  setAgentsThread(id: string, thread: string): Promise<void>
  byAgentsThread(thread: string): Promise<HandoffCase | undefined>
  /** Display names of agents who work from Teams (they have no console account). */
  setAgentName(agentId: string, name: string): Promise<void>
  agentName(agentId: string): Promise<string | undefined>
  /** Cases by status, oldest first: the queue. */
  list(statuses: readonly CaseStatus[]): Promise<HandoffCase[]>
  /** Deletes ended cases (closed, back with the bot, cancelled, answered) untouched since `before` (epoch ms), with their history. */
  deleteEndedBefore(before: number): Promise<number>
}

/** Signed-in agents' sessions; they expire. */
export interface AgentSessions {
  /** Stores a session and forgets expired ones. */
  create(id: string, username: string, expiresAt: number): Promise<void>
  /** The session's agent, if it exists and has not expired at `now`. */
  find(id: string, now?: number): Promise<{ username: string; expiresAt: number } | undefined>
  delete(id: string): Promise<void>
  /** The agents with a session that has not expired at `now` (each once), e.g. whom a case can be passed to. */
  signedIn(now?: number): Promise<string[]>
}

/** Small named values kept with the data (e.g. the token signing secret made on first start). */
export interface Settings {
  /** The stored value, or `create()`'s, stored first by whichever instance asked first. */
  getOrCreate(key: string, create: () => string): Promise<string>
}

/** Messages to every instance (the live streams: Direct Line WebSockets, the agent console's events). */
export interface EventBus {
  publish(topic: string, message: string): Promise<void>
  /** Calls `handler` for every message on `topic` from now on; resolves once subscribed, with how to stop. */
  subscribe(topic: string, handler: (message: string) => void): Promise<() => Promise<void>>
}

/** The agent console's live events, numbered so a console that reconnects (Last-Event-ID) gets what it missed. */
export interface ConsoleEventLog {
  /** Stores an event and resolves with its id (increasing); events older than a day are forgotten. */
  append(event: string, data: string): Promise<number>
  after(id: number, limit?: number): Promise<{ id: number; event: string; data: string }[]>
}

/** Work that one instance at a time does (the handoff time-out sweeper). */
export interface ScheduledJobs {
  /** True while this instance holds the job `name`: it keeps it until it stops or dies, then another takes it over. */
  claim(name: string): Promise<boolean>
}

/** One turn at a time per conversation, across every instance. */
export interface ConversationLock {
  withLock<T>(conversationId: string, turn: () => Promise<T>): Promise<T>
}

/** A budget of `points` per `durationSeconds`; once spent, the key waits (and `blockSeconds` longer, if set). */
export interface LimitSpec {
  points: number
  durationSeconds: number
  blockSeconds?: number
}

export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number }

/** One named rate limit, keyed per caller (a conversation, an address, an account), counted across every instance. */
export interface Limiter {
  /** Spends `points` (1) of `key`'s budget; refused once spent. */
  take(key: string, points?: number): Promise<LimitResult>
  /** Seconds `key` must still wait since a `take` was refused, without spending anything; 0 when it may go on. */
  waitSeconds(key: string): Promise<number>
  /** Gives back `points` spent by `key` (e.g. a sign-in attempt that turned out right). */
  refund(key: string, points?: number): Promise<void>
  /** Forgets `key` (e.g. after a successful sign-in). */
  reset(key: string): Promise<void>
}

/** Makes the named limits (each name counts apart from every other). */
export type LimiterFactory = (name: string, spec: LimitSpec) => Limiter

/** Whether each part of storage answers, for /healthz. */
export type StorageHealth = Record<string, { ok: boolean; error?: string }>

/** All of storage, from one engine (see src/infra/index.ts). */
export interface Stores {
  engine: 'sqlite' | 'postgres'
  state: ConversationStateStore
  activities: ActivityLog
  transcripts: TranscriptLog
  cases: HandoffCases
  sessions: AgentSessions
  settings: Settings
  bus: EventBus
  lock: ConversationLock
  consoleEvents: ConsoleEventLog
  analytics: AnalyticsEvents
  ratings: Ratings
  notices: ServiceNotices
  suggestions: TrainingSuggestions
  jobs: ScheduledJobs
  /** Rate limits: in Redis when configured (global), else in this process. */
  limiter: LimiterFactory
  /** Runs `then` once the writes of the turn in progress are durable (at once outside a turn). */
  afterCommit(then: () => void): void
  health(): Promise<StorageHealth>
  /** Writes what is queued and closes connections. */
  close(): Promise<void>
}

/** One analytics event as stored: ids, numbers and labels only, never what the user typed (see core/analytics). */
export interface StoredAnalyticsEvent {
  /** Milliseconds since the epoch. */
  at: number
  channelId: string
  conversationId: string
  kind: string
  /** The event's own fields (intent id, step, outcome…), as JSON. */
  data: Record<string, unknown>
}

/** What the conversations did, for the help-desk report: appended with the turn's writes, read by period. */
export interface AnalyticsEvents {
  /** Queues the event with the turn's writes (the engine's write batch or turn transaction); never awaited by a turn. */
  append(event: StoredAnalyticsEvent): Promise<void>
  /** Events with `from <= at < to` (ms), oldest first. */
  query(from: number, to: number): Promise<StoredAnalyticsEvent[]>
  /**
   * How many conversations had each problem recognised (not out of scope) with `from <= at < to`: the outage-spike
   * check's one grouped query.
   */
  recognisedConversations(from: number, to: number): Promise<Map<string, number>>
  /** Forgets events and transcripts from before `before` (ms): the retention job. Says how many of each went. */
  deleteBefore(before: number): Promise<{ events: number; transcripts: number }>
}

/** The user was asked to rate the help: after the bot solved a problem, or after an agent closed a case. */
export interface RatingRequest {
  id: string
  channelId: string
  conversationId: string
  after: 'bot' | 'agent'
  /** The case an agent closed (after: 'agent'). */
  caseId?: string
  /** The procedure that solved it (after: 'bot'). */
  procedureId?: string
  /** ISO time it was asked. */
  askedAt: string
}

/** A request and its answer: a score of 1 to 5 and a comment, redacted (user text). */
export interface StoredRating extends RatingRequest {
  score?: number
  comment?: string
  ratedAt?: string
}

/** Ratings of the help, with the case or conversation they are about. */
export interface Ratings {
  ask(request: RatingRequest): Promise<void>
  /** The conversation's newest request asked at or after `since` (ISO) and not answered yet. */
  pending(channelId: string, conversationId: string, since: string): Promise<RatingRequest | undefined>
  /** Stores the score (and a comment) of an unanswered request; false when it was answered already or is unknown. */
  rate(id: string, score: number, ratedAt: string, comment?: string): Promise<boolean>
  /** Adds a comment to an answered request that has none yet; false otherwise. */
  comment(id: string, comment: string): Promise<boolean>
  /** The answered ratings of a case, oldest first. */
  forCase(caseId: string): Promise<StoredRating[]>
  /** Every request of a conversation, answered or not, oldest first. */
  forConversation(channelId: string, conversationId: string): Promise<StoredRating[]>
  /** Forgets ratings asked before `before` (ms): the retention job, as for transcripts. Says how many went. */
  deleteBefore(before: number): Promise<number>
}

/** The outage notice agents set: a banner on the help page and the bot's first message, until it expires. */
export interface ServiceNotice {
  /** Plain text, as the agent wrote it (never read as HTML or markdown). */
  text: string
  setBy: string
  /** Milliseconds since the epoch. */
  setAt: number
  expiresAt: number
}

/** The one current service notice, shared by every instance. */
export interface ServiceNotices {
  /** Replaces the notice. */
  set(notice: ServiceNotice): Promise<void>
  /** The notice, if one is set and has not expired at `now`. */
  current(now: number): Promise<ServiceNotice | undefined>
  /** Takes the notice down before it expires. */
  clear(): Promise<void>
}

/** An utterance a lead proposes for an intent, from a redacted transcript, for the content owner to review. */
export interface TrainingSuggestion {
  id: number
  text: string
  intentId: string
  /** What the bot made of it: out of scope, or clarified (asked which of two). */
  source: 'out-of-scope' | 'clarified'
  suggestedBy: string
  at: number
}

/** The review store of proposed training utterances: downloaded by the content owner, never read by the recognizer. */
export interface TrainingSuggestions {
  add(suggestion: Omit<TrainingSuggestion, 'id'>): Promise<TrainingSuggestion>
  /** Oldest first. */
  list(): Promise<TrainingSuggestion[]>
  /** False when there was no such suggestion. */
  delete(id: number): Promise<boolean>
  /** Forgets suggestions from before `before` (ms): the retention job. */
  deleteBefore(before: number): Promise<number>
}
