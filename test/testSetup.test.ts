import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const SCRIPT = 'src/tools/testSetup.sh'
const setup = (env: Record<string, string>) =>
  execFileSync('/bin/bash', [SCRIPT], { env: { ...process.env, SETUP_DRY_RUN: '1', ...env }, encoding: 'utf8' }).trim().split('\n').filter(Boolean)

// A PATH with the basic tools but no apt-get: what a machine where the user may not install looks like.
const noApt = mkdtempSync(join(tmpdir(), 'no-apt-'))
for (const tool of ['id', 'ls', 'head', 'env']) symlinkSync(execFileSync('/bin/bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(noApt, tool))
afterAll(() => rmSync(noApt, { recursive: true, force: true }))

describe("npm test's own set-up", () => {
  it('runs before the tests, and .ci/run calls exactly the README command and installs nothing itself', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    const ci = readFileSync('.ci/run', 'utf8')

    expect(pkg.scripts.pretest).toBe(`bash ${SCRIPT}`)
    expect(ci).toMatch(/^npm ci --no-audit --no-fund && npm test$/m)
    expect(ci).not.toMatch(/apt-get|chromium -|pg_ctlcluster|redis-server/)
    expect(readFileSync('README.md', 'utf8')).toContain('npm ci && npm test')
  })

  it('installs Debian\'s chromium when it is missing and the user may', () => {
    const lines = setup({ CHROMIUM: '/nonexistent/chromium' })

    expect(lines).toContain('setup would run: env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium')
  })

  it('says in one line what to run when it may not install', () => {
    const lines = setup({ CHROMIUM: '/nonexistent/chromium', PATH: noApt })

    expect(lines).toEqual(['setup: the browser tests need Debian\'s Chromium at /nonexistent/chromium: run  sudo apt-get install -y chromium'])
  })

  it('does nothing when the browser is there and PostgreSQL and Redis answer', () => {
    expect(setup({ CHROMIUM: process.execPath })).toEqual([])
  })
})
