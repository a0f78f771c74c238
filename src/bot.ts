import { ActivityHandler, ActivityTypes, type ConversationState, type TurnContext } from 'botbuilder'
import type { DialogState } from 'botbuilder-dialogs'
import { markWelcomedThisTurn, type HelpDeskState } from '../dialogs/helpDeskState.js'
import type { MainDialog } from '../dialogs/mainDialog.js'
import { messages } from '../dialogs/messages.js'
import { withProblemButtons } from '../dialogs/prompts.js'
import { JOIN_EVENT, JoinValueSchema } from './core/channelInput.js'
import type { Owner } from './core/handoffCase.js'
import type { AnalyticsRecorder } from './core/analytics.js'
import type { ServiceNotice } from './core/ports.js'

/** What the bot needs of the human handoff (the HandoffService). */
export interface HandoffGate {
  ownerOf(context: TurnContext): Promise<Owner>
  /** `aside`: the bot's own answer while the user waits in the queue (true when it replied; 'bot': the bot takes it). */
  onUserMessage(context: TurnContext, aside?: () => Promise<boolean | 'bot'>): Promise<'bot' | undefined>
  onStatusEvent(context: TurnContext): Promise<void>
  onAgentThreadMessage(context: TurnContext): Promise<boolean>
  onUserTyping(context: TurnContext): Promise<void>
}

/** The help-desk bot: welcomes once per conversation, then hands every message to the main dialog. */
export class HelpDeskBot extends ActivityHandler {
  constructor(
    private readonly conversationState: ConversationState,
    private readonly state: HelpDeskState,
    private readonly mainDialog: MainDialog,
    private readonly handoff: HandoffGate,
    private readonly extras: {
      analytics?: AnalyticsRecorder
      /** The outage notice agents set, said before the welcome while it is in force. */
      notices?: { current(): Promise<ServiceNotice | undefined> }
    } = {},
  ) {
    super()
    const dialogState = conversationState.createProperty<DialogState>('DialogState')

    this.onMembersAdded(async (context, next) => {
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== context.activity.recipient?.id)
      if (joined) await this.welcomeOnce(context)
      await next()
    })

    // Teams: installing the app is the first contact.
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.welcomeOnce(context)
      await next()
    })

    // The help page's join event: welcome once, and note the browser and OS so steps that don't apply are skipped.
    this.onEvent(async (context, next) => {
      if (context.activity.name === 'handoff.status') await this.handoff.onStatusEvent(context)
      if (context.activity.name === JOIN_EVENT) {
        const { browser, os } = JoinValueSchema.parse(context.activity.value ?? {})
        const profile = await this.state.profile.get(context, {})
        // Only a hint: a phone showing the page is not the computer with the CAC reader, so its browser is not kept.
        const phone = os === 'ios' || os === 'android'
        const useBrowser = browser && browser !== 'other' && browser !== 'safari' && !phone && !profile.browser
        const useOs = os && os !== 'other' && !phone && !profile.os
        await this.state.profile.set(context, {
          ...profile,
          ...(useBrowser && { browser }),
          ...(useOs && { os }),
          hinted: [...(profile.hinted ?? []), ...(useBrowser ? (['browser'] as const) : []), ...(useOs ? (['os'] as const) : [])],
        })
        await this.welcomeOnce(context)
      }
      await next()
    })

    // A user typing while an agent has the chat: the agent's console shows it.
    this.onTyping(async (context, next) => {
      await this.handoff.onUserTyping(context)
      await next()
    })

    this.onMessage(async (context, next) => {
      if (await this.handoff.onAgentThreadMessage(context)) return next() // an agent working a case from Teams
      await this.welcomeOnce(context)
      // While a case holds the conversation the bot stays out of it: the handoff relays, queues or takes a message.
      if ((await this.handoff.ownerOf(context)) === 'bot') await this.mainDialog.run(context, dialogState)
      // A correction while waiting ("go back, I picked wrong") takes the user out of the queue and back to the bot.
      else if ((await this.handoff.onUserMessage(context, () => this.mainDialog.whileWaiting(context))) === 'bot') await this.mainDialog.run(context, dialogState)
      await next()
    })
  }

  /** Welcome on first contact, whichever arrives first: the join or the first message. */
  private async welcomeOnce(context: TurnContext): Promise<void> {
    if (await this.state.welcomed.get(context, false)) return
    await this.state.welcomed.set(context, true)
    markWelcomedThisTurn(context)
    this.extras.analytics?.record(context, { kind: 'conversation.started' })
    const notice = await this.extras.notices?.current()
    // Plain text: an agent's words are never read as markdown or HTML by the user's client.
    if (notice) await context.sendActivity({ type: ActivityTypes.Message, text: notice.text, textFormat: 'plain' })
    // The most common problems as buttons: one tap on a phone instead of typing.
    await context.sendActivity(withProblemButtons(messages.welcome))
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context)
    await this.conversationState.saveChanges(context, false)
  }
}
