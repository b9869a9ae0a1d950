import type { SshSession } from '../ssh/session.js'
import { shellQuote } from '../ssh/shell-quote.js'
import type { Stack } from '../stack/schema.js'
import { SOCKET_DIR } from './units.js'

/** One SQL statement on the host's own PostgreSQL as the OS user `postgres` (peer auth on the socket), unaligned. */
export async function sqlOnHost(s: SshSession, stack: Stack, statement: string): Promise<string> {
  const r = await s.run(`sudo -u postgres psql -h ${SOCKET_DIR} -d ${stack.database.name} -XAtc ${shellQuote(statement)}`)
  return r.stdout.trim()
}

/** A `pg_lsn` as PostgreSQL prints it (`16/B374D848`); checked before it goes back into SQL. */
export function checkLsn(value: string): string {
  if (!/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/.test(value)) throw new TypeError(`not a pg_lsn: ${JSON.stringify(value.slice(0, 40))}`)
  return value
}
