import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

/** Runs `npm run knowledge:check` the way staff do, and returns its exit code and output. */
function knowledgeCheck(dir?: string): { status: number; output: string } {
  try {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'src/tools/knowledgeCheck.ts', ...(dir ? [dir] : [])], {
      encoding: 'utf8',
      stdio: 'pipe',
    })
    return { status: 0, output }
  } catch (err) {
    const failed = err as { status: number; stdout: string; stderr: string }
    return { status: failed.status, output: failed.stdout + failed.stderr }
  }
}

describe('npm run knowledge:check', () => {
  it('passes the real knowledge', () => {
    expect(knowledgeCheck()).toEqual({ status: 0, output: 'knowledge ok: 18 procedures, 33 intents, 10 canned replies\n' })
  })

  it('fails on a broken file, naming the file and the field', () => {
    const { status, output } = knowledgeCheck('test/fixtures/broken/unknown-outcome')

    expect(status).toBe(1)
    expect(output).toContain('HD_KNOWLEDGE_INVALID: test/fixtures/broken/unknown-outcome/password-reset.json: steps.reset.onNo: unknown outcome "nowhere"')
  })
})
