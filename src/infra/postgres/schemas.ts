import pg from 'pg'
import { quoteIdentifier } from './database.js'

/** Drops a schema and everything in it (a benchmark's or a test's scratch schema). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`)
  } finally {
    await client.end()
  }
}
