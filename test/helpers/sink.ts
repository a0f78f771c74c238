import { Writable } from 'node:stream'

/** A pino destination that keeps every log line, parsed (after pino's own test helper). */
export function sink(): Writable & { lines: Record<string, unknown>[]; raw: string[] } {
  const lines: Record<string, unknown>[] = []
  const raw: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line)
        lines.push(JSON.parse(line))
      }
      callback()
    },
  })
  return Object.assign(stream, { lines, raw })
}
