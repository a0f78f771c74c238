import { z } from 'zod'
import { HelpDeskError } from './errors.js'

const score = z.coerce.number().min(0).max(1)

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KNOWLEDGE_DIR: z.string().min(1).default('knowledge/procedures'),
  // Chosen from `npm run eval` on intents/evaluation.jsonl: see README "Intent matching".
  RECOGNIZER_MIN_SCORE: score.default(0.5),
  RECOGNIZER_SUGGEST_SCORE: score.default(0.2),
  RECOGNIZER_AMBIGUITY_MARGIN: score.default(0.15),
  MAX_REPROMPTS: z.coerce.number().int().min(0).max(10).default(2),
  // The website channel (built-in Direct Line).
  PUBLIC_URL: z.url().optional(), // e.g. https://help.example.mil when behind a proxy; else taken from each request
  DIRECTLINE_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(), // default: made once, kept in the database
  DIRECTLINE_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(1800),
  DIRECTLINE_RATE_LIMIT: z.coerce.number().int().positive().default(60), // activities per conversation per minute
  DIRECTLINE_GENERATE_LIMIT: z.coerce.number().int().positive().default(30), // new conversations per address per minute
  DIRECTLINE_MAX_TEXT: z.coerce.number().int().positive().max(100_000).default(4000),
  MicrosoftAppId: z.string().default(''), // empty = local Emulator, no authentication
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI', '']).default(''),
  MicrosoftAppTenantId: z.string().default(''),
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
