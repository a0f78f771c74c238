import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The PostgreSQL and Redis the scale-out tests use (.ci/run starts them when they are not running). */
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A fresh schema and Redis key prefix for one test file, so files running in parallel never meet; dropped after. */
export function freshNamespace(): { schema: string; redisPrefix: string; drop(): Promise<void> } {
  const tag = randomBytes(5).toString('hex')
  const schema = `t_${tag}`
  return {
    schema,
    redisPrefix: `test:${tag}:`,
    drop: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    },
  }
}
