import type { CloudAdapter } from 'botbuilder'
import type { DirectLineAdapter } from '../directline/adapter.js'
import { WEBCHAT_CHANNEL } from '../directline/adapter.js'
import type { HandoffService } from './service.js'
import type { AgentsChannel } from '../core/config.js'
import { createTeamsAgentsChannel } from '../teams/agentsChannel.js'

/** Tells the handoff how to reach users outside their turn: in-process on the website, proactively elsewhere. */
export function connectHandoffChannels(
  handoff: HandoffService,
  { cloudAdapter, directLine, appId, agentsChannel }: { cloudAdapter: CloudAdapter; directLine: DirectLineAdapter; appId: string; agentsChannel?: AgentsChannel },
): void {
  handoff.registerSender(WEBCHAT_CHANNEL, (reference, logic) => directLine.continueConversation(reference, logic))
  handoff.registerSender('*', (reference, logic) => cloudAdapter.continueConversationAsync(appId, reference, logic))
  if (agentsChannel) handoff.useAgentsThreads(createTeamsAgentsChannel({ adapter: cloudAdapter, appId, channel: agentsChannel }))
}
