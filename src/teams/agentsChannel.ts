import { CardFactory, type CloudAdapter, type ConversationParameters } from 'botbuilder'
import type { AgentsChannel } from '../core/config.js'
import type { HandoffCase } from '../core/ports.js'

export const ACCEPT_ACTION = 'hd.accept'

/** Where handoffs are announced to agents who work in Teams: one thread per case in the agents' channel. */
export interface AgentsThreads {
  /** Posts the case's card (packet summary, Accept) as a new thread; returns the thread's conversation id. */
  announce(handoffCase: HandoffCase): Promise<string>
  /** Posts a line into a case's thread. */
  post(thread: string, text: string): Promise<void>
}

/** The card agents see in the channel: what the bot learned, and one button. No images (GCC-High/DoD). */
export function caseCard(handoffCase: HandoffCase): Record<string, unknown> {
  const p = handoffCase.packet
  const facts = [
    ['Asked', p.question],
    ['Problem', p.intentId],
    ['Error messages', p.errorMessages.join(', ')],
    ['Browser / OS', [p.browser, p.os].filter(Boolean).join(' / ')],
    ['Steps tried', p.trail.map((t) => `${t.stepId}${t.answer ? ` → ${t.answer}` : ''}`).join('; ')],
    ['Reason', p.reason],
  ].filter((fact): fact is [string, string] => Boolean(fact[1]))
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: `Help-desk case ${handoffCase.id}: ${p.summary}`,
    body: [
      { type: 'TextBlock', text: `Help-desk case ${handoffCase.id}`, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) },
      { type: 'TextBlock', text: 'Accept to chat with the user in this thread (mention the bot in each reply).', wrap: true, isSubtle: true },
    ],
    actions: [{ type: 'Action.Submit', title: 'Accept', data: { action: ACCEPT_ACTION, caseId: handoffCase.id } }],
  }
}

/** The agents' channel through the Bot Framework adapter (proactive: a new thread per case, replies into it). */
export function createTeamsAgentsChannel({
  adapter,
  appId,
  channel,
  audience = 'https://api.botframework.com',
}: {
  adapter: CloudAdapter
  appId: string
  channel: AgentsChannel
  audience?: string
}): AgentsThreads {
  return {
    async announce(handoffCase) {
      let thread = ''
      const parameters = {
        isGroup: true,
        bot: { id: appId, name: 'CAC Help Desk' },
        tenantId: channel.tenantId,
        channelData: { channel: { id: channel.channelId }, tenant: { id: channel.tenantId } },
        activity: { type: 'message', attachments: [CardFactory.adaptiveCard(caseCard(handoffCase))] },
      } as unknown as ConversationParameters
      await adapter.createConversationAsync(appId, 'msteams', channel.serviceUrl, audience, parameters, async (context) => {
        thread = context.activity.conversation.id
      })
      return thread
    },
    async post(thread, text) {
      const reference = {
        channelId: 'msteams',
        serviceUrl: channel.serviceUrl,
        bot: { id: appId, name: 'CAC Help Desk' },
        conversation: { id: thread, isGroup: true, conversationType: 'channel', tenantId: channel.tenantId, name: '' },
      }
      await adapter.continueConversationAsync(appId, reference, async (context) => {
        await context.sendActivity(text)
      })
    },
  }
}
