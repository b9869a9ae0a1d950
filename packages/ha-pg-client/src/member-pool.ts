import pg from 'pg'
import { HaPgError } from './errors.js'

/** A pg.Client that remembers the server's `in_hot_standby` ParameterStatus (PostgreSQL 14+ reports it, and updates it on promotion). */
export class FencedClient extends pg.Client {
  /** `true` on a standby, `false` on a writable primary, `undefined` if the server never said (PostgreSQL < 14). */
  hotStandby: boolean | undefined

  constructor(config?: string | pg.ClientConfig) {
    super(config)
    // pg-pool listens for 'error' only while a client is idle. A checked-out client whose server ends
    // the session (demotion, pg_terminate_backend) would emit an unhandled 'error' and crash the
    // process; its statement rejects with the same error, which is where callers see it.
    this.on('error', () => {})
    this.connection.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) => {
      if (msg.parameterName === 'in_hot_standby') this.hotStandby = msg.parameterValue === 'on'
    })
  }
}

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
 * One pg.Pool bound to one member (`config` carries its host and port) (and, for the leader, one epoch). Retiring it closes idle
 * connections at once, destroys checked-out ones when they are released (pg-pool's `end()`), and
 * aborts statements this client has in flight on it, since their acknowledgement could no longer count.
 */
export class MemberPool {
  readonly target: PoolTarget
  readonly #pool: pg.Pool
  readonly #inflight = new Set<(reason: Error) => void>()
  #retired: Promise<void> | undefined

  constructor(Pool: typeof pg.Pool, config: pg.PoolConfig, target: PoolTarget, onIdleError: (err: Error) => void) {
    this.target = target
    this.#pool = new Pool({ ...config, Client: FencedClient } as pg.PoolConfig)
    // An idle client's error (server restart, demotion) is emitted on the pool: without a listener Node crashes.
    this.#pool.on('error', onIdleError)
  }

  get retired(): boolean {
    return this.#retired !== undefined
  }

  /** Checks out a client. Errors here mean the statement never ran. */
  checkout(): Promise<pg.PoolClient> {
    if (this.#retired !== undefined) return Promise.reject(new HaPgError('HAPG_NOT_WRITABLE', `the pool for ${this.target.member} is retired`))
    return this.#pool.connect()
  }

  /** Registers an abort for a statement in flight; returns the unregister function. */
  track(abort: (reason: Error) => void): () => void {
    this.#inflight.add(abort)
    return () => this.#inflight.delete(abort)
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
    }
    return this.#retired
  }
}

/**
 * Throws `HAPG_NOT_WRITABLE` unless the session is on a writable primary. A reported
 * `in_hot_standby = off` is trusted; otherwise (`on`, or PostgreSQL < 14) `SELECT pg_is_in_recovery()`
 * decides: a session opened while the leader was still promoting says `on` until the server next
 * answers it, so it is asked again rather than thrown away (the server reports the new value with the answer).
 */
export async function ensureWritable(client: pg.PoolClient): Promise<void> {
  if ((client as unknown as Partial<FencedClient>).hotStandby === false) return
  const inRecovery = (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]?.r
  if (inRecovery !== false) throw new HaPgError('HAPG_NOT_WRITABLE', 'the session is on a read-only (standby) server')
}

/**
 * Runs one statement with a client-side deadline. On expiry, or when `pool` retires, the socket is
 * destroyed: `statement_timeout` does not interrupt a commit that waits for a synchronous standby.
 */
export async function runStatement<R extends pg.QueryResultRow>(client: pg.PoolClient, pool: MemberPool, query: pg.QueryConfig, deadlineMs: number): Promise<pg.QueryResult<R>> {
  let reject!: (reason: Error) => void
  const stopped = new Promise<never>((_, r) => (reject = r))
  const abort = (reason: Error): void => {
    reject(reason) // first, so the caller sees why, not the socket error the destroy causes
    destroySocket(client)
  }
  const untrack = pool.track(abort)
  const timer = setTimeout(() => abort(new HaPgError('HAPG_STATEMENT_TIMEOUT', `no answer within ${deadlineMs} ms; the connection was destroyed`)), Math.max(1, deadlineMs))
  try {
    return await Promise.race([client.query<R>(query), stopped])
  } finally {
    clearTimeout(timer)
    untrack()
  }
}

function destroySocket(client: pg.PoolClient): void {
  const stream = (client as { connection?: { stream?: { destroy(): void } } }).connection?.stream
  stream?.destroy()
}
