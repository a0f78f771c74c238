import { createWriteStream, mkdirSync, readFileSync } from 'node:fs'
import yazl from 'yazl'
import { pngInfo } from './png.js'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import AjvModule from 'ajv-draft-04'
import formatsModule from 'ajv-formats'

// Both are CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule
const addFormats = (formatsModule as unknown as { default: typeof formatsModule }).default ?? formatsModule

export const MANIFEST_VERSION = 'v1.24'
export const TEMPLATE = 'deploy/teams/manifest.template.json'

/** Values the manifest takes from configuration. */
export interface ManifestValues {
  TEAMS_APP_ID: string
  TEAMS_APP_VERSION: string
  MicrosoftAppId: string
  TEAMS_DEVELOPER_NAME: string
  TEAMS_WEBSITE_URL: string
  TEAMS_PRIVACY_URL: string
  TEAMS_TERMS_URL: string
  PUBLIC_HOST: string
}

/** Fills the template's `${NAME}` placeholders (JSON-escaped); an unknown placeholder is an error, never left in. */
export function buildManifest(values: ManifestValues, template = readFileSync(TEMPLATE, 'utf8')): Record<string, unknown> {
  const filled = template.replace(/\$\{([A-Za-z_]+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`${TEMPLATE}: no value for \${${name}}`)
    return JSON.stringify(values[name as keyof ManifestValues]).slice(1, -1)
  })
  return JSON.parse(filled) as Record<string, unknown>
}

/** The official Teams manifest JSON schema, from npm @microsoft/app-manifest: validated offline. */
function schema(): object {
  const entry = createRequire(import.meta.url).resolve('@microsoft/app-manifest')
  const root = join(dirname(entry), 'json-schemas', 'teams', MANIFEST_VERSION, 'MicrosoftTeams.schema.json')
  return JSON.parse(readFileSync(root, 'utf8')) as object
}

/** Validation errors as `path: message` lines; empty when the manifest is valid. */
export function validateManifest(manifest: unknown): string[] {
  const ajv = new (Ajv as unknown as new (options: object) => import('ajv').default)({ allErrors: true, strict: false })
  ;(addFormats as unknown as (ajv: object) => void)(ajv)
  const validate = ajv.compile(schema())
  if (validate(manifest)) return []
  return (validate.errors ?? []).map((e: { instancePath: string; message?: string; params?: object }) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
}

/** Checks the icons Teams requires: color 192×192, outline 32×32, both PNG with transparency allowed. */
export function checkIcons(dir = 'deploy/teams'): string[] {
  const problems: string[] = []
  for (const [file, size] of [['color.png', 192], ['outline.png', 32]] as const) {
    try {
      const { width, height } = pngInfo(readFileSync(join(dir, file)))
      if (width !== size || height !== size) problems.push(`${file}: ${width}×${height}, must be ${size}×${size}`)
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`)
    }
  }
  return problems
}

/** Builds, validates and zips the app package Teams admins upload: manifest.json and the two icons at the root. */
export async function packageTeamsApp(values: ManifestValues, outFile: string, dir = 'deploy/teams'): Promise<string[]> {
  const manifest = buildManifest(values, readFileSync(join(dir, 'manifest.template.json'), 'utf8'))
  const problems = [...validateManifest(manifest), ...checkIcons(dir)]
  if (problems.length > 0) return problems
  mkdirSync(dirname(outFile), { recursive: true })
  const zip = new yazl.ZipFile()
  const mtime = new Date('2026-01-01T00:00:00Z') // fixed, so the same input gives the same zip
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'manifest.json', { mtime })
  for (const icon of ['color.png', 'outline.png']) zip.addBuffer(readFileSync(join(dir, icon)), icon, { mtime })
  zip.end()
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(outFile)).on('close', resolve).on('error', reject))
  return []
}
