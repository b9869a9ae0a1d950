import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const requestIdPattern = /^[\w.:/+=@-]{1,128}$/

/** Generated ids: a random per-process prefix and a counter; unique, short, and cheaper than a UUID. */
const requestIdPrefix = randomBytes(6).toString('hex')
let requestCounter = 0

/** A well-formed incoming `x-request-id` (the first one, if repeated), else a generated id. */
export function requestIdOf(req: IncomingMessage): string {
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 12 && name.toLowerCase() === 'x-request-id') {
      const incoming = raw[i + 1] as string
      if (requestIdPattern.test(incoming)) return incoming
      break
    }
  }
  return `${requestIdPrefix}-${(++requestCounter).toString(36)}`
}
