/** `npm run agent:hash -- PASSWORD`: prints the salted hash to put in AGENT_ACCOUNTS. The password is not stored. */
import { hashPassword } from '../agent/auth.js'

const password = process.argv[2]
if (!password || password.length < 12) {
  process.stderr.write('usage: npm run agent:hash -- PASSWORD   (at least 12 characters)\n')
  process.exit(2)
}
process.stdout.write(`${hashPassword(password)}\n`)
