import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type restify from 'restify'
import { STRICT_HOST } from '../core/callers.js'
import type { ServiceNotice } from '../core/ports.js'

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public')

/** Web Chat's bundle, found through the package directory: the package's exports map hides dist/. */
function webChatBundlePath(): string {
  const entry = createRequire(import.meta.url).resolve('botframework-webchat')
  const marker = `${sep}botframework-webchat${sep}`
  return join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), 'dist', 'webchat.js')
}

interface Asset {
  type: string
  body: Buffer
  gzipped: Buffer
  maxAge: number
}

const bytes = (text: string | Buffer, type: string, maxAge: number): Asset => {
  const body = Buffer.from(text)
  return { type, body, gzipped: gzipSync(body), maxAge }
}
const asset = (path: string, type: string, maxAge: number): Asset => bytes(readFileSync(path), type, maxAge)

const STAFFED_SENTENCE = 'one step at a time and can pass you to a help-desk agent.'
const UNSTAFFED_SENTENCE = 'one step at a time and tells you where to turn when they run out.'

// Only our own origin: the page must work on a closed network and must not load anything from elsewhere. WebSockets
// go to our own host only (PUBLIC_URL's, else the Host the page was loaded from, if it is a plain host name).
function securityHeaders(req: restify.Request, publicUrl: string | undefined) {
  const host = publicUrl ? new URL(publicUrl).host : req.header('host') ?? ''
  const sockets = STRICT_HOST.test(host) ? ` ws://${host} wss://${host}` : ''
  return {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      `connect-src 'self'${sockets}; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  }
}

/** The help page with Web Chat: `/`, and its script, style and the Web Chat bundle under `/static/`. */
export function registerHelpPage(
  server: restify.Server,
  {
    publicUrl,
    desk,
    notices,
  }: { publicUrl?: string; desk?: { readonly staffed: boolean }; notices?: { current(): Promise<ServiceNotice | undefined> } } = {},
): void {
  // The page promises an agent only while someone can take a chat (the queue's own flag, read per request).
  const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8')
  if (!html.includes(STAFFED_SENTENCE)) throw new Error(`index.html no longer says "${STAFFED_SENTENCE}": update page.ts with it`)
  const unstaffedPage = bytes(html.replace(STAFFED_SENTENCE, UNSTAFFED_SENTENCE), 'text/html; charset=utf-8', 0)
  const assets: Record<string, Asset> = {
    '/': bytes(html, 'text/html; charset=utf-8', 0),
    '/static/page.css': asset(join(PUBLIC, 'page.css'), 'text/css; charset=utf-8', 300),
    '/static/page.js': asset(join(PUBLIC, 'page.js'), 'text/javascript; charset=utf-8', 300),
    '/static/webchat.js': asset(webChatBundlePath(), 'text/javascript; charset=utf-8', 86_400),
  }
  server.get('/favicon.ico', async (_req, res) => {
    res.writeHead(204, { 'cache-control': 'public, max-age=86400' })
    res.end()
  })
  // The outage notice agents set, for the page's banner: its text (shown as text, never as HTML) and how long it has
  // left (the page hides it then, whatever the visitor's clock says).
  server.get('/api/notice', async (req, res) => {
    const notice = await notices?.current()
    const body = JSON.stringify({
      notice: notice ? { text: notice.text, expiresInSeconds: Math.max(1, Math.ceil((notice.expiresAt - Date.now()) / 1000)) } : null,
    })
    res.writeHead(200, { ...securityHeaders(req, publicUrl), 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(body)
  })
  for (const [path, asIs] of Object.entries(assets)) {
    server.get(path, async (req, res) => {
      const file = path === '/' && !desk?.staffed ? unstaffedPage : asIs
      const gzip = /\bgzip\b/.test(req.header('accept-encoding') ?? '')
      const body = gzip ? file.gzipped : file.body
      res.writeHead(200, {
        ...securityHeaders(req, publicUrl),
        'content-type': file.type,
        'content-length': body.length,
        'cache-control': file.maxAge ? `public, max-age=${file.maxAge}` : 'no-cache',
        vary: 'accept-encoding',
        ...(gzip && { 'content-encoding': 'gzip' }),
      })
      res.end(body)
    })
  }
}
