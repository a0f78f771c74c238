import { readFileSync } from 'node:fs'
import { ConversationState, MemoryStorage, TestAdapter, type Activity, type Middleware } from 'botbuilder'
import { DialogTestClient } from 'botbuilder-testing'
import { intents } from '../../intents/index.js'
import { createHelpDeskState, type HelpDeskState } from '../../dialogs/helpDeskState.js'
import { MainDialog } from '../../dialogs/mainDialog.js'
import { ProcedureDialog } from '../../dialogs/procedureDialog.js'
import { secretRedaction, secretWarning } from '../../dialogs/redaction.js'
import type { HandoffPacket, HandoffQueue } from '../../src/core/handoff.js'
import { loadProcedures, type Procedure } from '../../src/core/procedures.js'
import { thresholdsFrom } from '../../src/core/routing.js'
import { createRecognizer, type Recognizer } from '../../src/core/recognizer.js'
import { loadConfig } from '../../src/core/config.js'

export const procedures: ReadonlyMap<string, Procedure> = loadProcedures('knowledge/procedures', {
  seedText: readFileSync('knowledge/seed/cac-ako-help.txt', 'utf8'),
})

let trained: Recognizer | undefined
/** The real recognizer, trained once per test file. */
export function realRecognizer(): Recognizer {
  return (trained ??= createRecognizer(intents, { minScore: loadConfig({}).RECOGNIZER_MIN_SCORE, procedures }))
}

/** Every reply to one user message, text only. */
export async function say(client: DialogTestClient, text: string): Promise<string[]> {
  return (await sayActivities(client, text)).filter((a) => a.type === 'message').map((a) => a.text ?? '')
}

/** Every reply to one user message, whole activities (traces and buttons included). */
export async function sayActivities(client: DialogTestClient, text: string): Promise<Partial<Activity>[]> {
  const replies: Partial<Activity>[] = [await client.sendActivity(text)]
  for (let next = client.getNextReply(); next; next = client.getNextReply()) replies.push(next)
  return replies.filter(Boolean)
}

/** The button titles on the last reply that has any. */
export function buttons(replies: Partial<Activity>[]): string[] {
  const withActions = replies.filter((r) => r.suggestedActions).at(-1)
  return withActions?.suggestedActions?.actions.map((a) => a.title) ?? []
}

/** A handoff queue that keeps what it is given. */
export function recordingQueue({ open = true, staffed = true }: { open?: boolean; staffed?: boolean } = {}): HandoffQueue & { packets: HandoffPacket[]; references: object[] } {
  const packets: HandoffPacket[] = []
  const references: object[] = []
  return {
    staffed,
    packets,
    references,
    async request(packet, reference) {
      packets.push(packet)
      references.push(reference)
      return { id: `HD-TEST${packets.length}`, queued: open }
    },
    async transcript() {
      return [{ type: 'message', text: 'an earlier message' }]
    },
  }
}

export interface MainClientOptions {
  recognizer?: Recognizer
  channelId?: string
  middlewares?: Middleware[]
  queue?: ReturnType<typeof recordingQueue>
}

/** A test client around the real main dialog, with the real knowledge and (by default) the real recognizer. */
export function mainClient({ recognizer = realRecognizer(), channelId = 'test', middlewares = [], queue = recordingQueue() }: MainClientOptions = {}) {
  const conversationState = new ConversationState(new MemoryStorage())
  const state: HelpDeskState = createHelpDeskState(conversationState)
  const defaults = loadConfig({})
  const dialog = new MainDialog({
    recognizer,
    intents,
    procedures,
    procedureDialog: new ProcedureDialog(procedures, state, defaults.MAX_REPROMPTS, queue),
    state,
    handoffQueue: queue,
    thresholds: thresholdsFrom(defaults),
    maxReprompts: defaults.MAX_REPROMPTS,
  })
  const client = new DialogTestClient(channelId, dialog, undefined, [secretRedaction(), secretWarning(), ...middlewares], conversationState)
  // TestAdapter drops trace activities unless told otherwise; the Emulator trace is part of what we test.
  ;(client as unknown as { _testAdapter: TestAdapter })._testAdapter.enableTrace = true
  return { client, queue, state, conversationState }
}
