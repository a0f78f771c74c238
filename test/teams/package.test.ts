import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateRawSync, inflateSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { buildManifest, checkIcons, packageTeamsApp, validateManifest, type ManifestValues } from '../../src/teams/manifest.js'
import { pngInfo } from '../../src/teams/png.js'

const values: ManifestValues = {
  TEAMS_APP_ID: '3f0c6b2e-8d4a-4c1e-9b7a-2d5e6f7a8b9c',
  TEAMS_APP_VERSION: '1.2.3',
  MicrosoftAppId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  TEAMS_DEVELOPER_NAME: 'CAC Help Desk',
  TEAMS_WEBSITE_URL: 'https://help.example.mil',
  TEAMS_PRIVACY_URL: 'https://help.example.mil/privacy',
  TEAMS_TERMS_URL: 'https://help.example.mil/terms',
  PUBLIC_HOST: 'help.example.mil',
}
const out = mkdtempSync(join(tmpdir(), 'teams-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

/** The files in a zip, read from its central directory (stored or deflated entries). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10)
    const size = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
    const local = zip.readUInt32LE(at + 42)
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString()
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(dataStart, dataStart + size)
    files.set(name, method === 8 ? inflateRawSync(data) : data)
    at += 46 + nameLength + extra
  }
  return files
}

/** RGBA pixels of a PNG written with filter 0 on every row (as ours are). */
function pixels(png: Buffer): number[][] {
  const { width, height } = pngInfo(png)
  const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8)
  const raw = inflateSync(idat)
  const result: number[][] = []
  for (let y = 0; y < height; y++) {
    expect(raw[y * (1 + width * 4)]).toBe(0)
    for (let x = 0; x < width; x++) result.push([...raw.subarray(y * (1 + width * 4) + 1 + x * 4, y * (1 + width * 4) + 5 + x * 4)])
  }
  return result
}

describe('the Teams app package', () => {
  it('validates against the official schema and zips manifest.json with both icons at the root', async () => {
    const file = join(out, 'app.zip')

    expect(await packageTeamsApp(values, file)).toEqual([])
    const files = unzip(readFileSync(file))

    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png'])
    const manifest = JSON.parse(files.get('manifest.json')!.toString())
    expect(manifest).toMatchObject({
      manifestVersion: '1.24',
      id: values.TEAMS_APP_ID,
      version: '1.2.3',
      developer: { privacyUrl: 'https://help.example.mil/privacy', termsOfUseUrl: 'https://help.example.mil/terms' },
      bots: [{ botId: values.MicrosoftAppId, scopes: ['personal', 'team'] }],
      validDomains: ['help.example.mil'],
    })
    expect(validateManifest(manifest)).toEqual([])
  })

  it.each([
    { name: 'an app id that is not a GUID', change: { TEAMS_APP_ID: 'cac-helpdesk' }, error: /^\/id: must match pattern/ },
    { name: 'a privacy page that is not a web address', change: { TEAMS_PRIVACY_URL: 'ftp://help.example.mil/privacy' }, error: /^\/developer\/privacyUrl: must match pattern/ },
    { name: 'a bot id that is not a GUID', change: { MicrosoftAppId: 'none' }, error: /^\/bots\/0\/botId: must match pattern/ },
  ])('rejects $name', ({ change, error }) => {
    expect(validateManifest(buildManifest({ ...values, ...change }))).toEqual([expect.stringMatching(error)])
  })

  it('takes the package version from configuration, checked as MAJOR.MINOR.PATCH', async () => {
    const { loadConfig } = await import('../../src/core/config.js')

    expect(loadConfig({}).TEAMS_APP_VERSION).toBe('1.0.0')
    expect(loadConfig({ TEAMS_APP_VERSION: '2.10.0' }).TEAMS_APP_VERSION).toBe('2.10.0')
    for (const bad of ['1.0', '1.0.0-beta', 'v1.0.1', '01.0.0', '']) {
      expect(() => loadConfig({ TEAMS_APP_VERSION: bad }), bad).toThrow(/MAJOR\.MINOR\.PATCH[\s\S]*TEAMS_APP_VERSION/)
    }
  })

  it('never leaves a placeholder unfilled', () => {
    expect(() => buildManifest(values, '{"id": "${TEAMS_APP_ID}", "x": "${NOT_A_SETTING}"}')).toThrow(/no value for \$\{NOT_A_SETTING\}/)
  })

  it('has a 192×192 color icon and a 32×32 outline icon that is only white on transparency', () => {
    expect(checkIcons()).toEqual([])
    const outline = pixels(readFileSync('deploy/teams/outline.png'))
    const kinds = new Set(outline.map(([r, g, b, a]) => (a === 0 ? 'transparent' : r === 255 && g === 255 && b === 255 && a === 255 ? 'white' : 'other')))
    expect([...kinds].sort()).toEqual(['transparent', 'white'])
  })

  it('npm run teams:package names the settings it is missing', () => {
    let output = ''
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'src/tools/teamsPackage.ts'], { encoding: 'utf8', stdio: 'pipe', env: { PATH: process.env.PATH } })
    } catch (err) {
      output = (err as { stderr: string }).stderr
    }
    expect(output).toBe('teams:package needs these settings: TEAMS_APP_ID, MicrosoftAppId, TEAMS_WEBSITE_URL, TEAMS_PRIVACY_URL, TEAMS_TERMS_URL, PUBLIC_URL (see README, "Microsoft Teams")\n')
  })
})

describe('Teams settings', () => {
  it('takes only https:// addresses for the pages the manifest links to (the schema alone allows http)', async () => {
    const { loadConfig } = await import('../../src/core/config.js')

    expect(() => loadConfig({ TEAMS_PRIVACY_URL: 'http://help.example.mil/privacy' })).toThrow(/https:\/\/ address[\s\S]*TEAMS_PRIVACY_URL/)
    expect(loadConfig({ TEAMS_PRIVACY_URL: 'https://help.example.mil/privacy' }).TEAMS_PRIVACY_URL).toBe('https://help.example.mil/privacy')
  })
})
