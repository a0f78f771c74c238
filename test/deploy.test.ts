import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigSchema } from '../src/core/config.js'

const read = (path: string) => readFileSync(path, 'utf8')
const settings = Object.keys(ConfigSchema.shape)

describe('settings are documented', () => {
  it.each(settings)('%s is in the README configuration table and in env.example', (name) => {
    expect(read('README.md')).toContain(`| \`${name}\` |`)
    expect(read('env.example')).toMatch(new RegExp(`^#? ?${name}=`, 'm'))
  })

  it('passes every runtime setting through the compose file', () => {
    const compose = read('deploy/compose.yaml')
    const setByImage = ['PORT', 'HOST', 'DATA_DIR', 'KNOWLEDGE_DIR'] // the Dockerfile sets these; PORT is the published port
    const packagingOnly = settings.filter((s) => s.startsWith('TEAMS_') && s !== 'TEAMS_AGENTS_CHANNEL')
    for (const name of settings.filter((s) => !setByImage.includes(s) && !packagingOnly.includes(s))) {
      expect(compose, name).toMatch(new RegExp(`^\\s+${name}: \\$\\{${name}:-`, 'm'))
    }
  })
})

describe('deploy/', () => {
  it('builds in two stages and runs as a non-root user with a health check, as npm start does', () => {
    const dockerfile = read('deploy/Dockerfile')
    const start = JSON.parse(read('package.json')).scripts.start as string

    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m)
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[]
    expect(cmd.join(' ')).toBe(start)
  })

  it('registers the bot with the Teams and Web Chat channels, and notes Azure Government', () => {
    const bicep = read('deploy/infra/main.bicep')

    expect(bicep).toContain("name: 'MsTeamsChannel'")
    expect(bicep).toContain("name: 'WebChatChannel'")
    expect(bicep).toContain("endpoint: '${publicUrl}/api/messages'")
    expect(bicep).toContain('https://botframework.azure.us')
    expect(bicep).not.toMatch(/@secure\(\)\s*param \w+ string = '/)
  })

  it('runs two instances behind a reverse proxy on PostgreSQL and Redis in the scaled profile', () => {
    const compose = read('deploy/compose.yaml')
    const nginx = read('deploy/proxy/nginx.conf')
    const scaled = (service: string) => new RegExp(`^  ${service}:[^\\n]*\\n    profiles: \\[scaled\\]`, 'm')

    for (const service of ['postgres', 'redis', 'helpdesk-1', 'proxy']) expect(compose, service).toMatch(scaled(service))
    expect(compose).toMatch(/^  helpdesk-2: \*instance$/m) // the same as helpdesk-1
    expect(compose).toMatch(/DATABASE_URL: postgres:\/\/helpdesk:\$\{POSTGRES_PASSWORD:\?/)
    expect(compose).toMatch(/REDIS_URL: redis:\/\/redis:6379/)
    expect(compose).toMatch(/DIRECTLINE_TOKEN_SECRET: \$\{DIRECTLINE_TOKEN_SECRET:\?/) // one secret for every instance
    expect(nginx).toMatch(/server helpdesk-1:3978[^;]*;\s*server helpdesk-2:3978/)
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade') // the Direct Line WebSocket
    expect(nginx).toContain('proxy_buffering off') // the agent console's server-sent events
    expect(nginx).toContain('X-Forwarded-For $proxy_add_x_forwarded_for')
  })

  it('commits no secret', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]))
    const text = [...files('deploy').filter((f) => !f.endsWith('.png')), 'env.example', '.dockerignore'].map(read).join('\n')

    expect(text).not.toMatch(/MicrosoftAppPassword[=:][ \t]*[\w+/~.-]{8,}/)
    expect(text).not.toMatch(/scrypt\$\d+\$[\w-]+\$/)
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/)
    expect(text).not.toMatch(/DIRECTLINE_TOKEN_SECRET[=:][ \t]*[\w+/~.-]{8,}/)
  })
})
