import { describe, expect, it } from 'vitest'
import { createCallerPolicy } from '../../src/core/callers.js'

const policy = (fields: Partial<Parameters<typeof createCallerPolicy>[0]> = {}) =>
  createCallerPolicy({ appId: '', channelService: '', allowedAddresses: [], allowedServiceUrls: [], ...fields })
const allows = (p: ReturnType<typeof policy>, url: string) => p.checkServiceUrl(url).ok

describe('createCallerPolicy', () => {
  it('takes callers from loopback only without an app id, from anywhere with one', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.8.9.10'].map((a) => policy().allowsCaller(a))).toEqual([true, true, true, true])
    expect(['192.0.2.7', '::ffff:192.0.2.7', '10.0.0.1', undefined].map((a) => policy().allowsCaller(a))).toEqual([false, false, false, false])
    expect(policy({ allowedAddresses: ['192.0.2.7'] }).allowsCaller('::ffff:192.0.2.7')).toBe(true)
    expect(policy({ appId: 'app' }).allowsCaller('203.0.113.9')).toBe(true)
  })

  it.each([
    { url: 'https://smba.trafficmanager.net/amer/', cloud: '', ok: true },
    { url: 'https://webchat.botframework.com/', cloud: '', ok: true },
    { url: 'https://smba.infra.gcc.teams.microsoft.com/', cloud: '', ok: true },
    { url: 'http://smba.trafficmanager.net/amer/', cloud: '', ok: false }, // not https
    { url: 'https://botframework.com.attacker.example/', cloud: '', ok: false },
    { url: 'https://evilbotframework.com/', cloud: '', ok: false },
    { url: 'https://smba.infra.gov.teams.microsoft.us/', cloud: '', ok: false }, // a government host on the public cloud
    { url: 'https://smba.infra.gov.teams.microsoft.us/', cloud: 'https://botframework.azure.us', ok: true },
    { url: 'https://smba.infra.dod.teams.microsoft.us/', cloud: 'https://botframework.azure.us', ok: true },
    { url: 'https://webchat.botframework.azure.us/', cloud: 'https://botframework.azure.us', ok: true },
    { url: 'https://smba.trafficmanager.net/amer/', cloud: 'https://botframework.azure.us', ok: false },
    { url: 'http://localhost:51234/', cloud: '', ok: true }, // the Emulator
  ])('with an app id and ChannelService "$cloud", $url is allowed: $ok', ({ url, cloud, ok }) => {
    expect(allows(policy({ appId: 'app', channelService: cloud }), url)).toBe(ok)
  })

  it('allows only loopback and the allow-list without an app id', () => {
    expect(allows(policy(), 'http://127.0.0.1:9/')).toBe(true)
    expect(allows(policy(), 'http://[::1]:9/')).toBe(true)
    expect(allows(policy(), 'https://smba.trafficmanager.net/amer/')).toBe(false)
    expect(allows(policy({ allowedServiceUrls: ['https://connector.example.mil/bot'] }), 'https://connector.example.mil/bot/v3/x')).toBe(true)
    expect(allows(policy({ allowedServiceUrls: ['https://connector.example.mil/bot'] }), 'https://connector.example.mil/botnet/')).toBe(false)
  })
})
