import type pg from 'pg'
import { sendCancelRequest, type CancelTarget } from './cancel-request.js'
import { HaPgError } from './errors.js'

/** How long a CancelRequest may take before the connection is destroyed anyway. */
const CANCEL_TIMEOUT_MS = 1_000

/** The part of MemberPool a statement needs: aborts when the pool retires. */
export interface AbortRegistry {
  track(abort: (reason: Error) => void): () => void
}

/** What bounds one statement. */
export interface StatementLimits {
  /** The caller's own timeout; none by default (a long query on a healthy, leased leader runs on). */
  readonly timeoutMs?: number | undefined
  /** The caller's AbortSignal. */
  readonly signal?: AbortSignal | undefined
  /**
   * On timeout or abort, first cancel the statement on the server (CancelRequest), then destroy the
   * connection. `false` for the client's own short checks, where dropping the socket is enough.
   */
  readonly cancel?: boolean
}

/**
 * Runs one statement. It ends early when:
 * - `limits.timeoutMs` passes (`HAPG_STATEMENT_TIMEOUT`) or `limits.signal` aborts (`HAPG_ABORTED`):
 *   a CancelRequest stops the backend (dropping the socket alone leaves it running until it next
 *   writes), then the connection is destroyed;
 * - its pool retires (a deposed leader, or a lease lost for the whole failover deadline): the socket is
 *   destroyed at once. `statement_timeout` does not interrupt a commit that waits for a synchronous standby.
 */
export async function runStatement<R extends pg.QueryResultRow>(client: pg.PoolClient, pool: AbortRegistry, query: pg.QueryConfig, limits: StatementLimits = {}): Promise<pg.QueryResult<R>> {
  const { signal, timeoutMs } = limits
  if (signal?.aborted === true) throw new HaPgError('HAPG_ABORTED', 'aborted before the statement was sent', { cause: signal.reason })
  let reject!: (reason: Error) => void
  const stopped = new Promise<never>((_, r) => (reject = r))
  const abort = (reason: Error, cancel: boolean): void => {
    reject(reason) // first, so the caller sees why, not the socket error the destroy causes
    if (cancel) void sendCancelRequest(client as unknown as CancelTarget, CANCEL_TIMEOUT_MS).then(() => destroySocket(client))
    else destroySocket(client)
  }
  const cancel = limits.cancel !== false
  const untrack = pool.track((reason) => abort(reason, false))
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => abort(new HaPgError('HAPG_STATEMENT_TIMEOUT', `no answer within ${Math.round(timeoutMs)} ms; the statement was cancelled and the connection closed`), cancel), Math.max(1, timeoutMs))
  const onAbort = (): void => abort(new HaPgError('HAPG_ABORTED', 'aborted by the caller; the statement was cancelled and the connection closed', { cause: signal?.reason }), cancel)
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await Promise.race([client.query<R>(query), stopped])
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    untrack()
  }
}

/** Drops the connection under a client at once (the next query on it fails as "not queryable"). */
export function destroySocket(client: pg.PoolClient): void {
  const stream = (client as { connection?: { stream?: { destroy(): void } } }).connection?.stream
  stream?.destroy()
}
