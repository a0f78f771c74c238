import { isIP } from 'node:net'
import { z } from 'zod'
import { HelpDeskError } from './errors.js'
import { parseTrustedProxies } from './clientAddress.js'
import { isWithinHours } from './handoffCase.js'

const score = z.coerce.number().min(0).max(1)
const httpsUrl = z.url({ protocol: /^https$/, error: 'an https:// address' })

const AgentAccountsSchema = z.array(
  z.object({
    username: z.string().regex(/^[a-z0-9._-]{2,40}$/, 'lower-case letters, digits, . _ -'),
    name: z.string().min(1).max(80),
    passwordHash: z.string().regex(/^scrypt\$/, 'a hash made by npm run agent:hash'),
    // A lead also sees the console's Analytics view; without a role, an agent.
    role: z.enum(['agent', 'lead']).optional(),
  }),
)
export type AgentAccount = z.infer<typeof AgentAccountsSchema>[number]

const AgentsChannelSchema = z.object({
  serviceUrl: z.url(),
  channelId: z.string().regex(/^19:.+@thread\.(tacv2|skype)$/, 'a Teams channel id, 19:...@thread.tacv2'),
  tenantId: z.string().min(1),
})
export type AgentsChannel = z.infer<typeof AgentsChannelSchema>

/** A setting that holds JSON: parsed and checked against `schema`, or an issue that starts with `expected`. */
function parseJson<T extends z.ZodType>(schema: T, expected: string) {
  return (raw: string, ctx: z.RefinementCtx): z.infer<T> => {
    try {
      return schema.parse(JSON.parse(raw))
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${expected}: ${(err as Error).message}` })
      return z.NEVER
    }
  }
}

/** A comma-separated list; empty entries dropped. */
const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item))

/** Every setting; the README's configuration table and env.example list each one (a test checks). */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  // Several instances: PostgreSQL (+ Redis). Empty = the SQLite file in DATA_DIR and in-process events (one instance).
  DATABASE_URL: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')]).default(''),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL name').default('public'),
  REDIS_URL: z.union([z.literal(''), z.string().regex(/^rediss?:\/\//, 'a redis:// URL')]).default(''),
  REDIS_KEY_PREFIX: z.string().max(100).default('helpdesk:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KNOWLEDGE_DIR: z.string().min(1).default('knowledge/procedures'),
  // The decision rule (src/core/routing.ts), chosen by `npm run eval -- --cv`: 5-fold cross-validation on the
  // training data of the CAC intents and the public corpora together. See README "Intent matching".
  RECOGNIZER_MIN_SCORE: score.default(0.75),
  RECOGNIZER_SUGGEST_SCORE: score.default(0.15),
  RECOGNIZER_AMBIGUITY_MARGIN: score.default(0.1),
  RECOGNIZER_ACT_MARGIN: score.default(0.2),
  MAX_REPROMPTS: z.coerce.number().int().min(0).max(10).default(2),
  RECOGNIZER_MAX_CHARS: z.coerce.number().int().min(50).max(4000).default(500), // what one message may cost to understand
  // The website channel (built-in Direct Line).
  PUBLIC_URL: z.url().optional(), // e.g. https://help.example.mil when behind a proxy; else taken from each request
  DIRECTLINE_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(), // default: made once, kept in the database
  DIRECTLINE_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(1800),
  DIRECTLINE_TOKEN_MAX_AGE: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400), // refreshing ends here
  // Load shedding: above this turn latency (p95 over a second, from arrival to answer, ms) or event-loop delay (p99
  // over a second, ms), new conversations get 503 with Retry-After and open ones carry on; 0 = not on that measure.
  SHED_TURN_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(200),
  SHED_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  // Website turns in flight at once, all conversations together (first come first served); a turn waits for a slot at
  // most DIRECTLINE_TURN_SLOT_MS (then it runs without one) and holds one at most that long (then it carries on
  // without it, so a stuck turn does not hold up the others).
  DIRECTLINE_TURNS_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(32),
  DIRECTLINE_TURN_SLOT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30), // a request body must arrive by then
  DIRECTLINE_RATE_LIMIT: z.coerce.number().int().positive().default(60), // activities per conversation per minute
  DIRECTLINE_GENERATE_LIMIT: z.coerce.number().int().positive().default(30), // new conversations per address per minute
  DIRECTLINE_MAX_TEXT: z.coerce.number().int().positive().max(100_000).default(4000),
  // Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated); empty = none.
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .refine((spec) => {
      try {
        parseTrustedProxies(spec)
        return true
      } catch {
        return false
      }
    }, 'addresses or CIDR ranges, comma-separated, e.g. "10.0.0.0/8, 192.168.1.5"'),
  // Transcripts and analytics events older than this are deleted (daily, by one instance).
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // Human handoff and the agent console.
  HANDOFF_WAIT_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300), // then the user may leave a message
  HANDOFF_HOURS: z
    .string()
    .default('always')
    .refine((spec) => {
      try {
        isWithinHours(spec, 'UTC')
        return true
      } catch {
        return false
      }
    }, 'expected e.g. "Mon-Fri 07:00-18:00" or "always"'),
  HANDOFF_TIMEZONE: z
    .string()
    .default('America/New_York')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone })
        return true
      } catch {
        return false
      }
    }, 'an IANA time zone, e.g. America/New_York'),
  // JSON: [{"username":"alice","name":"Alice Smith","passwordHash":"scrypt$..."}]; make hashes with `npm run agent:hash`.
  AGENT_ACCOUNTS: z
    .string()
    .default('[]')
    .transform(parseJson(AgentAccountsSchema, 'not a JSON list of agent accounts')),
  AGENT_SESSION_HOURS: z.coerce.number().min(0.1).max(24).default(8),
  // A Teams channel where handoffs are announced to agents: {"serviceUrl","channelId","tenantId"} (JSON).
  TEAMS_AGENTS_CHANNEL: z
    .string()
    .optional()
    .transform((raw, ctx) => (raw ? parseJson(AgentsChannelSchema, 'expected {"serviceUrl","channelId","tenantId"}')(raw, ctx) : undefined)),
  // The Teams app package (npm run teams:package); not needed to run the bot.
  TEAMS_APP_ID: z.uuid().optional(),
  // Teams refuses an update whose version it already has: raise it for every new package.
  TEAMS_APP_VERSION: z
    .string()
    .regex(/^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/, 'a version MAJOR.MINOR.PATCH, e.g. 1.0.1 (Teams takes no pre-release tag)')
    .default('1.0.0'),
  TEAMS_DEVELOPER_NAME: z.string().min(1).max(32).default('CAC Help Desk'),
  TEAMS_WEBSITE_URL: httpsUrl.optional(),
  TEAMS_PRIVACY_URL: httpsUrl.optional(),
  TEAMS_TERMS_URL: httpsUrl.optional(),
  // /api/messages without an app id: who may post (loopback always) and which serviceUrls the bot may call back.
  BOT_ALLOWED_ADDRESSES: list(z.string().refine((a) => isIP(a) !== 0, 'an IP address')),
  BOT_ALLOWED_SERVICE_URLS: list(z.url({ protocol: /^https?$/ })),
  BOT_OUTGOING_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(15), // each call to a channel's connector
  MAX_VALUE_BYTES: z.coerce.number().int().min(256).max(65_536).default(8192), // an activity's `value`, as JSON (413 above)
  MicrosoftAppId: z.string().default(''), // empty = local Emulator, no authentication
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI', '']).default(''),
  MicrosoftAppTenantId: z.string().default(''),
  // Azure Government: https://botframework.azure.us (empty = the public cloud).
  ChannelService: z.union([z.literal(''), httpsUrl]).default(''),
  // Where the keys that sign channel tokens are published (botbuilder's setting); default: Bot Framework's own.
  ToBotFromChannelOpenIdMetadataUrl: z.url().optional(),
})
export type Config = Readonly<z.infer<typeof ConfigSchema>>

/** The only reader of process.env. Fails fast, listing every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env)
  if (!parsed.success) throw new HelpDeskError('HD_CONFIG_INVALID', z.prettifyError(parsed.error))
  const config = parsed.data
  if (config.RECOGNIZER_SUGGEST_SCORE > config.RECOGNIZER_MIN_SCORE) {
    throw new HelpDeskError('HD_CONFIG_INVALID', 'RECOGNIZER_SUGGEST_SCORE must not exceed RECOGNIZER_MIN_SCORE')
  }
  return Object.freeze(config)
}
