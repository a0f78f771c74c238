/**
 * `npm run teams:package`: fills deploy/teams/manifest.template.json from configuration, validates it against the
 * official Teams JSON schema (offline), checks the icons, and writes dist/teams/cac-helpdesk-teams.zip.
 */
import { loadConfig } from '../core/config.js'
import { packageTeamsApp } from '../teams/manifest.js'

const OUT = 'dist/teams/cac-helpdesk-teams.zip'
const config = loadConfig()
const needed = {
  TEAMS_APP_ID: config.TEAMS_APP_ID,
  MicrosoftAppId: config.MicrosoftAppId || undefined,
  TEAMS_WEBSITE_URL: config.TEAMS_WEBSITE_URL,
  TEAMS_PRIVACY_URL: config.TEAMS_PRIVACY_URL,
  TEAMS_TERMS_URL: config.TEAMS_TERMS_URL,
  PUBLIC_URL: config.PUBLIC_URL,
}
const missing = Object.entries(needed).filter(([, value]) => !value).map(([name]) => name)
if (missing.length > 0) {
  process.stderr.write(`teams:package needs these settings: ${missing.join(', ')} (see README, "Microsoft Teams")\n`)
  process.exit(2)
}
const problems = await packageTeamsApp(
  {
    TEAMS_APP_ID: needed.TEAMS_APP_ID!,
    TEAMS_APP_VERSION: config.TEAMS_APP_VERSION,
    MicrosoftAppId: needed.MicrosoftAppId!,
    TEAMS_DEVELOPER_NAME: config.TEAMS_DEVELOPER_NAME,
    TEAMS_WEBSITE_URL: needed.TEAMS_WEBSITE_URL!,
    TEAMS_PRIVACY_URL: needed.TEAMS_PRIVACY_URL!,
    TEAMS_TERMS_URL: needed.TEAMS_TERMS_URL!,
    PUBLIC_HOST: new URL(needed.PUBLIC_URL!).host,
  },
  OUT,
)
if (problems.length > 0) {
  process.stderr.write(`the Teams app package is not valid:\n${problems.map((p) => `  ${p}`).join('\n')}\n`)
  process.exit(1)
}
process.stdout.write(`wrote ${OUT}: upload it in Teams admin center > Teams apps > Manage apps > Upload\n`)
