import type pg from 'pg'

/** pg's Submittable as its Client drives it (pg/lib/client.js): these two end its use of the connection. */
export interface DrivenSubmittable extends pg.Submittable {
  handleReadyForQuery(...args: unknown[]): void
  handleError(err: unknown, ...rest: unknown[]): void
  callback?: unknown
}

/** A node-style callback, as pg.Pool#query takes one. */
export type Callback<R> = (err: Error | null, result?: R) => void

/** Whether `q` is a Submittable (pg-cursor, pg-query-stream, a pg.Query): anything with `submit`. */
export const isSubmittable = (q: unknown): q is DrivenSubmittable => typeof (q as Partial<pg.Submittable> | null)?.submit === 'function'

/**
 * Checks out a client with `connect`, hands it `submittable`, and releases it when pg is done with it:
 * at ReadyForQuery (finished, closed, or failed and synced), or at an error (with it, so pg-pool
 * destroys the session). A failed checkout reaches the Submittable as its error. Returns `submittable`
 * at once, as `pg.Pool#query` does, unbuffered: rows flow as the Submittable reads them.
 */
export function submitOn<T extends DrivenSubmittable>(connect: () => Promise<pg.PoolClient>, submittable: T, callback: Callback<unknown> | undefined): T {
  // pg's Client calls both on every Submittable it runs (pg/lib/client.js), so both exist.
  const sub: DrivenSubmittable = submittable
  const onReady = sub.handleReadyForQuery.bind(sub)
  const onError = sub.handleError.bind(sub)
  void connect().then(
    (client) => {
      // Once: the Submittable gets its own handlers back (an error is followed by ReadyForQuery when the
      // session survives it), so the client is released exactly once.
      const release = (err?: unknown): void => {
        sub.handleReadyForQuery = onReady
        sub.handleError = onError
        client.release(err as Error | undefined)
      }
      sub.handleReadyForQuery = (...args: unknown[]) => {
        onReady(...args)
        release()
      }
      sub.handleError = (err: unknown, ...args: unknown[]) => {
        onError(err, ...args)
        release(err)
      }
      // pg's Client#query calls a callback given beside a Submittable when it ends (as `callback`).
      if (callback !== undefined) sub.callback = callback
      client.query(sub)
    },
    (err: unknown) => onError(err),
  )
  return submittable
}
