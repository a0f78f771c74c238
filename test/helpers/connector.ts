import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeConnector {
  url: string
  received: { path: string; body: Record<string, any> }[]
  server: Server
}

/**
 * A stand-in for a Bot Framework channel's connector (what Teams or the Emulator run at `serviceUrl`): it records
 * what the bot posts, in the Bot Framework REST wire format, and answers `POST /v3/conversations` with `createdId`.
 */
export function fakeConnector({
  createdId = 'created-conversation',
  onReceive,
}: {
  createdId?: string
  /** Runs before each post is recorded and answered (the bot waits for the answer), e.g. to look at the database. */
  onReceive?: (entry: FakeConnector['received'][number]) => Promise<void>
} = {}): Promise<FakeConnector> {
  const received: FakeConnector['received'] = []
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', async () => {
      const entry = { path: `${req.method} ${req.url}`, body: raw ? JSON.parse(raw) : {} }
      await onReceive?.(entry)
      received.push(entry)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(req.url === '/v3/conversations' ? { id: createdId, activityId: '1' } : { id: `sent-${received.length}` }))
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server })),
  )
}
