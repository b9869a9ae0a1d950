import type pg from 'pg'
import { HaPgError } from './errors.js'
import type { LeaderEpoch } from './leader-tracker.js'
import type { MemberPool } from './member-pool.js'
import { destroySocket, runStatement, type StatementLimits } from './statement.js'

/** What fencing a held client needs from HaPgClient. */
export interface HoldContext {
  readonly pool: MemberPool
  readonly epoch: LeaderEpoch
  /** Resolves with the currently leased epoch, waiting for one up to the failover deadline. */
  waitForLease(): Promise<LeaderEpoch>
  /** Whether `epoch` is leased right now. */
  hasLease(epoch: LeaderEpoch): boolean
  /** Rejects with `HAPG_OUTCOME_UNKNOWN` unless an acknowledgement at `ackAt` counts for `epoch`. */
  confirmAck(epoch: LeaderEpoch, ackAt: number): Promise<void>
  now(): number
  /** Default per-statement limits (the client's `queryTimeoutMs`). */
  readonly limits: StatementLimits
}

type QueryArgs = [text: string | pg.QueryConfig | pg.Submittable, values?: unknown, callback?: unknown]

/** Per-statement options a held client's `query` takes as a third argument, like HaPgClient#query. */
export interface HeldQueryOptions {
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

/**
 * Puts a client checked out on the leader under the same write guarantee as `HaPgClient#query`
 * (issue #11, critical 2):
 * - before each statement, the lease of the client's epoch must be valid (waiting for it, bounded);
 *   if another epoch was leased meanwhile, the session is on a deposed leader: it is destroyed and the
 *   statement fails with `HAPG_SESSION_FENCED` without being sent;
 * - each acknowledgement must arrive under that lease (or the epoch is re-confirmed), else
 *   `HAPG_OUTCOME_UNKNOWN`, and the session is destroyed so nothing more runs in it;
 * - when the epoch's pool retires, the session is destroyed at once (HAProxy's
 *   `on-marked-down shutdown-sessions`); statements in flight get `HAPG_OUTCOME_UNKNOWN`.
 * Submittables (pg-cursor, pg-query-stream) are passed through unfenced, after the same pre-checks.
 * Returns the function that lifts the fence (call it before release); it says whether the session was fenced (then destroy it).
 */
export function fenceClient(client: pg.PoolClient, ctx: HoldContext): () => boolean {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be restored as is; called only through original.bind(client)
  const original = client.query
  const raw = original.bind(client) as (...args: unknown[]) => unknown
  // What runStatement sends through: the client with its own, unfenced query.
  const unfenced = Object.create(client, { query: { value: raw } }) as pg.PoolClient
  let fenced: Error | undefined
  const fence = (reason: Error): void => {
    fenced ??= reason
    destroySocket(client)
  }
  const untrack = ctx.pool.track(fence)

  const ready = async (): Promise<void> => {
    if (fenced === undefined && !ctx.hasLease(ctx.epoch)) {
      const leased = await ctx.waitForLease()
      if (leased.id !== ctx.epoch.id) fence(new Error(`the leader moved from ${ctx.epoch.name} to ${leased.name}`))
    }
    if (ctx.pool.retired) fence(new Error(`the pool for ${ctx.epoch.name} retired`))
    if (fenced !== undefined) throw new HaPgError('HAPG_SESSION_FENCED', `this session was on ${ctx.epoch.name}, which is no longer the leased leader; it was closed and the statement was not sent`, { cause: fenced })
  }

  const run = async (query: pg.QueryConfig, options: HeldQueryOptions): Promise<pg.QueryResult> => {
    await ready()
    const result = await runStatement(unfenced, ctx.pool, query, { ...ctx.limits, ...options })
    try {
      await ctx.confirmAck(ctx.epoch, ctx.now())
    } catch (err) {
      fence(err as Error)
      throw err
    }
    return result
  }

  const query = (...args: QueryArgs): unknown => {
    const [text, second, third] = args
    if (typeof (text as pg.Submittable).submit === 'function') {
      ready().then(() => raw(...args), (err: unknown) => (text as unknown as { handleError?(e: unknown): void }).handleError?.(err))
      return text
    }
    const callback = [second, third].find((a) => typeof a === 'function') as ((err: unknown, res?: unknown) => void) | undefined
    const values = Array.isArray(second) ? second : undefined
    const options = (typeof third === 'object' && third !== null ? third : {}) as HeldQueryOptions
    const config: pg.QueryConfig = typeof text === 'string' ? { text } : { ...(text as pg.QueryConfig) }
    if (values !== undefined) config.values = values
    const promise = run(config, options)
    if (callback === undefined) return promise
    promise.then((res) => callback(null, res), (err: unknown) => callback(err))
    return undefined
  }
  client.query = query as typeof client.query
  let lifted = false
  return () => {
    if (!lifted) {
      lifted = true
      untrack()
      client.query = original
    }
    return fenced !== undefined
  }
}
