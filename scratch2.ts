import { SCRIPT } from './src/tools/load.js'
import WebSocket from 'ws'
const url = 'http://127.0.0.1:4557'
async function conv(i: number) {
  const token = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json()) as any
  const auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' }
  for (const text of SCRIPT) await fetch(`${url}/v3/directline/conversations/${token.conversationId}/activities`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', text }) }).then(r => r.arrayBuffer())
}
const t0 = performance.now()
await Promise.all(Array.from({ length: 1000 }, (_, i) => conv(i)))
console.log('s', (performance.now() - t0) / 1000)
