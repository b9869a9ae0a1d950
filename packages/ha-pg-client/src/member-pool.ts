import pg from 'pg'
import { HaPgError } from './errors.js'
import { settledWithin } from './settled-within.js'
import { runStatement, type AbortRegistry } from './statement.js'

/**
 * A pg.Client that remembers the server's `in_hot_standby` and `default_transaction_read_only`
 * ParameterStatus (PostgreSQL 14+ reports both, and updates them on promotion or reload), which is what
 * libpq's `target_session_attrs=read-write` looks at.
 */
export class FencedClient extends pg.Client {
  /** `true` on a standby, `false` on a writable primary, `undefined` if the server never said (PostgreSQL < 14). */
  hotStandby: boolean | undefined
  /** `default_transaction_read_only` as reported, `undefined` if the server never said (PostgreSQL < 14). */
  defaultReadOnly: boolean | undefined

  constructor(config?: string | pg.ClientConfig) {
    super(config)
    // pg-pool listens for 'error' only while a client is idle. A checked-out client whose server ends
    // the session (demotion, pg_terminate_backend) would emit an unhandled 'error' and crash the
    // process; its statement rejects with the same error, which is where callers see it.
    this.on('error', () => {})
    this.connection.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) => {
      if (msg.parameterName === 'in_hot_standby') this.hotStandby = msg.parameterValue === 'on'
      if (msg.parameterName === 'default_transaction_read_only') this.defaultReadOnly = msg.parameterValue === 'on'
    })
  }
}

/**
 * pg-pool's events (node-postgres.com/apis/pool#events), with pg-pool's own arguments:
 * `connect` (client), `acquire` (client), `release` (err, client), `remove` (client), `error` (err, client).
 */
export interface PoolEvents {
  connect: [client: pg.PoolClient]
  acquire: [client: pg.PoolClient]
  release: [err: Error | boolean | undefined, client: pg.PoolClient]
  remove: [client: pg.PoolClient]
  error: [err: Error, client: pg.PoolClient]
}

/** Where a MemberPool sends its pool's events: called synchronously, as pg-pool emits them. */
export type PoolEventSink = <K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]) => void

/** The events forwarded as they are; `error` (an idle client's) goes through the pool's own handler. */
const FORWARDED = ['connect', 'acquire', 'release', 'remove'] as const

/** What the pool is for: the leader of one epoch, or one replica. */
export interface PoolTarget {
  readonly member: string
  readonly role: 'leader' | 'replica'
}

/** Counts for stats(): the same three numbers pg.Pool exposes. */
export interface PoolCounts {
  readonly member: string
  readonly role: 'leader' | 'replica'
  readonly total: number
  readonly idle: number
  readonly waiting: number
}

/**
 * One pg.Pool bound to one member (`config` carries its host and port) (and, for the leader, one epoch).
 * Retiring it closes idle connections at once, destroys checked-out ones when they are released
 * (pg-pool's `end()`), aborts what this client has in flight or holds on it (its acknowledgement could
 * no longer count), and rejects every checkout still waiting: pg-pool's `end()` leaves waiters pending
 * forever (issue #11, critical 1), so the pool keeps its own list of them.
 */
export class MemberPool {
  readonly target: PoolTarget
  readonly #pool: pg.Pool
  readonly #inflight = new Set<(reason: Error) => void>()
  readonly #waiters = new Set<(reason: Error) => void>()
  readonly #now: () => number
  #retired: Promise<void> | undefined
  /** After a failed connect: until when checkouts that would open a connection fail at once, how long that lasts, and why. */
  #connectBackoff: { until: number; ms: number; error: Error } | undefined
  /** Sessions {@link MemberPool.warm} is still opening: a checkout waits for one rather than open one beside it. */
  readonly #warming = new Set<Promise<void>>()

  constructor(Pool: typeof pg.Pool, config: pg.PoolConfig, target: PoolTarget, onIdleError: (err: Error, client: pg.PoolClient) => void, sink?: PoolEventSink, now: () => number = () => performance.now()) {
    this.target = target
    this.#now = now
    this.#pool = new Pool({ ...config, Client: config.Client ?? FencedClient } as pg.PoolConfig)
    // An idle client's error (server restart, demotion) is emitted on the pool: without a listener Node crashes.
    this.#pool.on('error', onIdleError)
    // Re-emitted synchronously, so the order and timing are pg-pool's (`connect` before the checkout resolves…).
    if (sink !== undefined) for (const name of FORWARDED) this.#pool.on(name, (...args: unknown[]) => sink(name, ...(args as PoolEvents[typeof name])))
  }

  get retired(): boolean {
    return this.#retired !== undefined
  }

  /**
   * Checks out a client within `timeoutMs` (the rest of the caller's deadline). Errors here mean the
   * statement never ran. A client that arrives after the caller gave up goes straight back to the pool.
   */
  checkout(timeoutMs: number): Promise<pg.PoolClient> {
    // pg-pool opens a new session when none is idle, even while one it is opening would soon be: measured
    // on a fleet of 200 clients, the warmed session still connecting at the grant plus the call's own
    // made 2 per client on the new leader, past its max_connections (53300).
    if (this.#warming.size > 0 && this.#pool.idleCount === 0 && this.#retired === undefined && timeoutMs > 0) {
      const start = this.#now()
      return settledWithin(Promise.race(this.#warming), timeoutMs).then(() => this.checkout(timeoutMs - (this.#now() - start)))
    }
    return this.#checkout(timeoutMs)
  }

  #checkout(timeoutMs: number): Promise<pg.PoolClient> {
    if (this.#retired !== undefined) return Promise.reject(this.#retiredError())
    // Measured (a kill -9 of the leader at 200 writes/s): every waiting call retried its own connect, about
    // 9,000 connection attempts from one process in the seconds before the lease lapsed. After a failed
    // connect, one attempt per backoff window (25 ms doubling to 500 ms) probes the member; the other
    // checkouts that would need a new connection fail at once with the same error (nothing ran).
    const backoff = this.#connectBackoff
    if (backoff !== undefined && this.#pool.idleCount === 0 && this.#now() < backoff.until) return Promise.reject(backoff.error)
    return new Promise((resolve, reject) => {
      let settled = false
      const fail = (reason: Error): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.#waiters.delete(fail)
        reject(reason)
      }
      const timer = setTimeout(() => fail(new HaPgError('HAPG_FAILOVER_TIMEOUT', `no connection to ${this.target.member} within ${Math.round(timeoutMs)} ms`)), Math.max(1, timeoutMs))
      this.#waiters.add(fail)
      this.#pool.connect().then(
        (client) => {
          this.#connectBackoff = undefined
          if (settled) return void client.release(this.#retired !== undefined)
          settled = true
          clearTimeout(timer)
          this.#waiters.delete(fail)
          silenceErrors(client)
          resolve(client)
        },
        (err: unknown) => {
          // A wait in pg-pool's queue that timed out says the pool is saturated, not that the member is unreachable.
          if (!isQueueTimeout(err)) this.#connectFailed(err as Error)
          fail(err as Error)
        },
      )
    })
  }

  /**
   * Opens sessions until `sessions` are open or opening (pg-pool counts a session from its connect on),
   * each within `timeoutMs`, and leaves them idle. pg-pool hands out idle sessions before it opens one,
   * so the idle ones are checked out in the same burst and the rest are new; all go back at once. A
   * failed one is dropped: the connect backoff applies to the next, as to any checkout.
   */
  warm(sessions: number, timeoutMs: number): void {
    const { totalCount, idleCount } = this.#pool
    if (this.#retired !== undefined || sessions <= totalCount) return
    for (let i = 0; i < idleCount + sessions - totalCount; i++) {
      const warming = this.#checkout(timeoutMs).then((client) => client.release(), () => {})
      this.#warming.add(warming)
      void warming.then(() => this.#warming.delete(warming))
    }
  }

  /** Opens (or, for a probe that failed once the window had ended, doubles) the connect backoff window. */
  #connectFailed(error: Error): void {
    const now = this.#now()
    const b = this.#connectBackoff
    if (b !== undefined && now < b.until) return // one of the attempts already under way when the window opened
    const ms = b === undefined ? 25 : Math.min(b.ms * 2, 500)
    this.#connectBackoff = { until: now + ms, ms, error }
  }

  /** Registers an abort for a statement in flight or a session held by a caller; returns the unregister function. */
  track(abort: (reason: Error) => void): () => void {
    this.#inflight.add(abort)
    return () => this.#inflight.delete(abort)
  }

  /** Whether nothing uses this pool: no connection, no waiter, nothing in flight or held. */
  get unused(): boolean {
    return this.#pool.totalCount === 0 && this.#waiters.size === 0 && this.#inflight.size === 0
  }

  /** pg-pool's `expiredCount`: clients past `maxLifetimeSeconds`, closed when next released. */
  get expiredCount(): number {
    return this.#pool.expiredCount
  }

  counts(): PoolCounts {
    return { member: this.target.member, role: this.target.role, total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount }
  }

  /** Idempotent. Resolves when every connection of this pool is closed. */
  retire(reason: string): Promise<void> {
    if (this.#retired === undefined) {
      const error = new HaPgError('HAPG_OUTCOME_UNKNOWN', `the pool for ${this.target.member} was retired (${reason}) while a statement was in flight`)
      for (const abort of this.#inflight) abort(error)
      this.#inflight.clear()
      this.#retired = this.#pool.end()
      const refused = this.#retiredError(reason)
      for (const fail of this.#waiters) fail(refused)
    }
    return this.#retired
  }

  #retiredError(reason?: string): HaPgError {
    return new HaPgError('HAPG_NOT_WRITABLE', `the pool for ${this.target.member} is retired${reason === undefined ? '' : ` (${reason})`}`)
  }
}

/** pg-pool's error for a checkout that waited `connectionTimeoutMillis` in its queue behind a full pool (pg-pool/index.js, `connect()`). */
const QUEUE_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect'

function isQueueTimeout(err: unknown): boolean {
  return err instanceof Error && err.message === QUEUE_TIMEOUT_MESSAGE
}

const silenced = new WeakSet<object>()
/** The same guard as FencedClient's, for a custom `Client` (pg-native…): a checked-out client's 'error' must not crash the process. */
function silenceErrors(client: pg.PoolClient): void {
  if (client instanceof FencedClient || silenced.has(client) || typeof client.on !== 'function') return
  silenced.add(client)
  client.on('error', () => {})
}

/**
 * Throws `HAPG_NOT_WRITABLE` unless the session is on a writable primary whose default transactions are
 * read-write, as libpq's `target_session_attrs=read-write` decides. Reported `in_hot_standby = off` and
 * `default_transaction_read_only = off` are trusted; otherwise (`on`, or PostgreSQL < 14) one query
 * decides: a session opened while the leader was still promoting says `on` until the server next
 * answers it, so it is asked again rather than thrown away (the server reports the new value with the
 * answer). Bounded by `timeoutMs`, like every step of the connection path.
 */
export async function ensureWritable(client: pg.PoolClient, pool: AbortRegistry, timeoutMs: number): Promise<void> {
  const c = client as unknown as Partial<FencedClient>
  if (c.hotStandby === false && c.defaultReadOnly === false) return
  const text = "SELECT pg_is_in_recovery() AS r, current_setting('default_transaction_read_only') = 'on' AS ro"
  const row = (await runStatement<{ r: unknown; ro: unknown }>(client, pool, { text }, { timeoutMs, cancel: false })).rows[0]
  if (row?.r !== false) throw new HaPgError('HAPG_NOT_WRITABLE', 'the session is on a read-only (standby) server')
  if (row.ro !== false) throw new HaPgError('HAPG_NOT_WRITABLE', 'the server runs with default_transaction_read_only = on')
}
