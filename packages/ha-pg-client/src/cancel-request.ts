import { connect } from 'node:net'

/** What a CancelRequest needs from a connected pg.Client (its BackendKeyData and address). */
export interface CancelTarget {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly processID?: number | null | undefined
  readonly secretKey?: number | null | undefined
}

/** The CancelRequest code of the wire protocol: 1234 in the high half, 5678 in the low half. */
const CANCEL_REQUEST_CODE = 80877102

/**
 * Sends PostgreSQL's CancelRequest for the statement running on `target`'s backend, on a new
 * connection, as libpq's `PQcancel` and pg's `Client#cancel` do: 16 bytes (length 16, code 80877102,
 * the backend's process ID and secret key), after which the server closes the connection without an
 * answer (protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS). Resolves `true` once the bytes were
 * written and the server closed, `false` when there is no key, the connection failed or `timeoutMs`
 * passed. Never rejects: a cancel is best effort by design.
 *
 * @example
 * ```ts
 * await sendCancelRequest(client, 1_000) // client: a connected pg.Client running a statement
 * ```
 */
export function sendCancelRequest(target: CancelTarget, timeoutMs: number): Promise<boolean> {
  const { processID, secretKey, host, port } = target
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return Promise.resolve(false)
  const packet = Buffer.alloc(16)
  packet.writeInt32BE(16, 0)
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4)
  packet.writeInt32BE(processID, 8)
  packet.writeInt32BE(secretKey, 12)
  const pgPort = port ?? 5432 // pg's and libpq's default
  const socket = host?.startsWith('/') === true ? connect(`${host}/.s.PGSQL.${pgPort}`) : connect(pgPort, host ?? 'localhost')
  return new Promise((resolve) => {
    let sent = false
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.once('connect', () => socket.write(packet, () => (sent = true)))
    socket.once('error', () => done(false))
    socket.once('close', () => done(sent))
  })
}
