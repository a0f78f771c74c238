import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const DRIVERS = /^(better-sqlite3|pg|pg-[\w-]+|node-pg-migrate|ioredis|redis|@redis\/[\w-]+)$/
const ROOTS = ['src', 'dialogs', 'intents']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : []
  })
}

/** Every module a file imports: static imports, re-exports and dynamic import() of a literal. */
function importsOf(text: string): string[] {
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g), ...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)]
  return found.map((m) => m[1]!)
}

describe('storage behind ports', () => {
  it('finds the drivers where they belong, so the scan itself works', () => {
    const infra = sourceFiles('src/infra').flatMap((file) => importsOf(readFileSync(file, 'utf8')))
    expect(infra).toContain('better-sqlite3')
  })

  it('imports no database or Redis driver outside src/infra/', () => {
    const offenders = ROOTS.flatMap(sourceFiles)
      .filter((file) => relative('src/infra', file).startsWith('..'))
      .flatMap((file) => importsOf(readFileSync(file, 'utf8')).filter((module) => DRIVERS.test(module)).map((module) => `${file} imports ${module}`))

    expect(offenders).toEqual([])
  })
})
