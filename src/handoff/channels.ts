import type { CloudAdapter } from 'botbuilder'
import type { DirectLineAdapter } from '../directline/adapter.js'
import { WEBCHAT_CHANNEL } from '../directline/adapter.js'
import type { HandoffService } from './service.js'
import type { AgentsChannel } from '../core/config.js'
import type { ActivityLog } from '../core/ports.js'
import { createTeamsAgentsChannel } from '../teams/agentsChannel.js'

/** Tells the handoff how to reach users outside their turn: in-process on the website, proactively elsewhere. */
export function connectHandoffChannels(
  handoff: HandoffService,
  {
    cloudAdapter,
    directLine,
    appId,
    agentsChannel,
    website,
  }: {
    cloudAdapter: CloudAdapter
    directLine: DirectLineAdapter
    appId: string
    agentsChannel?: AgentsChannel
    /** The website's conversations and how long one lives (DIRECTLINE_TOKEN_MAX_AGE): past that the page cannot resume it. */
    website?: { activities: ActivityLog; maxAgeSeconds: number }
  },
): void {
  const reachable = website
    ? async (reference: { conversation?: { id?: string } }) => {
        const conversation = reference.conversation?.id ? await website.activities.conversation(reference.conversation.id) : undefined
        return Boolean(conversation) && (!conversation!.createdAt || Date.parse(conversation!.createdAt) + website.maxAgeSeconds * 1000 > Date.now())
      }
    : undefined
  handoff.registerSender(WEBCHAT_CHANNEL, (reference, logic) => directLine.continueConversation(reference, logic), reachable)
  handoff.registerSender('*', (reference, logic) => cloudAdapter.continueConversationAsync(appId, reference, logic))
  if (agentsChannel) handoff.useAgentsThreads(createTeamsAgentsChannel({ adapter: cloudAdapter, appId, channel: agentsChannel }))
}
