import { isIP } from 'node:net'
import type { Config } from './config.js'

/** Who may post to /api/messages and which `serviceUrl`s the bot may call back: the SSRF and open-endpoint guard. */
export interface CallerPolicy {
  /** True when a request from `address` may reach the bot (any address once a Bot Framework token is required). */
  allowsCaller(address: string | undefined): boolean
  /** True when the bot may send to `serviceUrl`; the reason when not. */
  checkServiceUrl(serviceUrl: string): { ok: true } | { ok: false; reason: string }
}

/** A host name or address with an optional port, nothing else (what a browser sends as Host). */
export const STRICT_HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i

// The connectors Bot Framework channels call from: Azure Bot Service and Teams, per cloud. GCC is on the public cloud;
// GCC-High and DoD are on Azure Government (ChannelService=https://botframework.azure.us).
const PUBLIC_HOSTS = ['.botframework.com', 'smba.trafficmanager.net', 'smba.infra.gcc.teams.microsoft.com']
const GOVERNMENT_HOSTS = ['.botframework.azure.us', 'smba.infra.gov.teams.microsoft.us', 'smba.infra.dod.teams.microsoft.us']

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms: the Emulator on the same machine. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false
  const plain = address.replace(/^::ffff:/i, '')
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'))
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || isLoopbackAddress(host)
}

const hostMatches = (hostname: string, pattern: string) =>
  pattern.startsWith('.') ? hostname.endsWith(pattern) && hostname.length > pattern.length : hostname === pattern

export interface CallerPolicyOptions {
  /** Set: every request carries a Bot Framework token, so any address may call. */
  appId: string
  /** ChannelService: Azure Government's hosts when it names botframework.azure.us. */
  channelService: string
  /** Extra caller addresses (exact IPs) when there is no app id. */
  allowedAddresses: readonly string[]
  /** Extra `serviceUrl` prefixes, e.g. an on-premises connector or the Teams agents' channel. */
  allowedServiceUrls: readonly string[]
}

export function createCallerPolicy({ appId, channelService, allowedAddresses, allowedServiceUrls }: CallerPolicyOptions): CallerPolicy {
  const government = /\.azure\.us(\/|$)/i.test(channelService)
  const cloudHosts = government ? GOVERNMENT_HOSTS : PUBLIC_HOSTS
  const extraAddresses = new Set(allowedAddresses.map((a) => a.replace(/^::ffff:/i, '')))
  const prefixes = allowedServiceUrls.map((u) => u.toLowerCase().replace(/\/?$/, '/'))
  return {
    allowsCaller(address) {
      if (appId) return true
      return isLoopbackAddress(address) || (address !== undefined && extraAddresses.has(address.replace(/^::ffff:/i, '')))
    },
    checkServiceUrl(serviceUrl) {
      let url: URL
      try {
        url = new URL(serviceUrl)
      } catch {
        return { ok: false, reason: 'serviceUrl is not a URL.' }
      }
      if (url.username || url.password) return { ok: false, reason: 'serviceUrl may not carry credentials.' }
      const normalised = `${url.origin}${url.pathname}`.toLowerCase().replace(/\/?$/, '/')
      if (prefixes.some((prefix) => normalised.startsWith(prefix))) return { ok: true }
      if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)) return { ok: true } // the Emulator
      if (appId && url.protocol === 'https:' && cloudHosts.some((pattern) => hostMatches(url.hostname.toLowerCase(), pattern))) return { ok: true }
      return {
        ok: false,
        reason: appId
          ? `serviceUrl ${url.host} is not a Bot Framework host of this cloud, nor in BOT_ALLOWED_SERVICE_URLS.`
          : `serviceUrl ${url.host} is neither loopback nor in BOT_ALLOWED_SERVICE_URLS.`,
      }
    },
  }
}

/** The policy the settings describe; the Teams agents' channel is configured, so trusted. */
export function callerPolicyOf(config: Config): CallerPolicy {
  return createCallerPolicy({
    appId: config.MicrosoftAppId,
    channelService: config.ChannelService,
    allowedAddresses: config.BOT_ALLOWED_ADDRESSES,
    allowedServiceUrls: [...config.BOT_ALLOWED_SERVICE_URLS, ...(config.TEAMS_AGENTS_CHANNEL ? [config.TEAMS_AGENTS_CHANNEL.serviceUrl] : [])],
  })
}
