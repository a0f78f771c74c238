import type { Activity, PagedResult, TranscriptInfo, TranscriptStore } from 'botbuilder'
import type { TranscriptLog } from '../core/ports.js'

const PAGE = 500

/**
 * botbuilder's TranscriptStore over the transcript port. Fed by TranscriptLoggerMiddleware, which runs after the
 * redaction middleware, so what is stored is already redacted. Typing and trace activities are not kept.
 */
export class PortTranscriptStore implements TranscriptStore {
  constructor(private readonly log: TranscriptLog) {}

  async logActivity(activity: Activity): Promise<void> {
    if (activity.type === 'typing' || activity.type === 'trace') return
    const at = (activity.timestamp ? new Date(activity.timestamp) : new Date()).toISOString()
    await this.log.log({ channelId: activity.channelId, conversationId: activity.conversation.id, at, activity })
  }

  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string): Promise<PagedResult<Activity>> {
    const page = await this.log.page(channelId, conversationId, Number(continuationToken ?? 0) || 0, PAGE)
    return {
      items: page.activities as unknown as Activity[],
      continuationToken: page.activities.length === PAGE ? String(page.cursor) : '',
    }
  }

  /** The whole transcript, oldest first. */
  async all(channelId: string, conversationId: string): Promise<Activity[]> {
    const activities: Activity[] = []
    let token: string | undefined
    do {
      const page = await this.getTranscriptActivities(channelId, conversationId, token)
      activities.push(...page.items)
      token = page.continuationToken || undefined
    } while (token)
    return activities
  }

  async listTranscripts(channelId: string): Promise<PagedResult<TranscriptInfo>> {
    const rows = await this.log.conversations(channelId)
    return { items: rows.map((r) => ({ channelId, id: r.conversationId, created: new Date(r.created) })), continuationToken: '' }
  }

  /** The most recent conversations of every channel, newest first, with when they started and last spoke. */
  recent(limit = 50) {
    return this.log.recent(limit)
  }

  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    await this.log.delete(channelId, conversationId)
  }
}
