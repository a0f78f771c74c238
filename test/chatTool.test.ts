import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

// `npm run chat` piped: one line is one message, and a line ending in a backslash goes on (a pasted e-mail or error).
describe('npm run chat (terminal channel), piped', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-tool-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
  const chat = (input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/tools/chat.ts'], {
      input,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    })

  it('reads lines joined by a trailing backslash as one message, and stops at "quit"', () => {
    const { stdout, status } = chat('pasting the error:\\\nHTTP 403\\\nForbidden\nquit\nnever read\n')
    expect(status).toBe(0)
    // One answer to the whole paste: the 403 steps, once (not a reply to each line).
    const pasted = stdout.indexOf('you> pasting the error:\nHTTP 403\nForbidden')
    expect(pasted).toBeGreaterThan(0)
    const replies = stdout.slice(pasted).split('\n').filter((line) => line.startsWith('bot> '))
    expect(replies.filter((line) => /403/.test(line))).toHaveLength(1)
    expect(stdout.slice(pasted).match(/you> /g)).toHaveLength(2) // the paste, then the prompt "quit" closed
    expect(stdout).not.toContain('never read')
  })

  it('answers each plain line as its own turn, in order', () => {
    const { stdout } = chat('hi\nthanks\n')
    const hi = stdout.indexOf('you> hi')
    const thanks = stdout.indexOf('you> thanks')
    expect(hi).toBeGreaterThan(0)
    expect(thanks).toBeGreaterThan(hi)
    expect(stdout.slice(hi, thanks)).toMatch(/bot> /)
    expect(stdout.slice(thanks)).toMatch(/bot> .*welcome/i)
  })
})
