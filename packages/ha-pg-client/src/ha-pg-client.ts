import { EventEmitter } from 'node:events'
import pg from 'pg'
import { HaPgError } from './errors.js'
import { LeaderTracker, type LeaderEpoch } from './leader-tracker.js'
import { fenceClient, type HoldContext } from './held-client.js'
import { WarmUp, type KeyHolder } from './warm-up.js'
import { ensureWritable, MemberPool, type PoolCounts, type PoolEvents } from './member-pool.js'
import { validateOptions, type HaPgClientOptions, type HaPgLogger, type PatroniModeOptions } from './options.js'
import { PatroniApi } from './patroni-api.js'
import { retryVerdict } from './retry-policy.js'
import { readOnlyServer } from './classify-error.js'
import { runStatement, type StatementLimits } from './statement.js'
import { isSubmittable, submitOn, type Callback } from './submittable.js'
import { ReplicaReads } from './replica-reads.js'

/** Per-call options of {@link HaPgClient.query}. */
export interface QueryOptions {
  /** `leader` (default) or `replica`: a replica within `maxLagBytes`, else the leader. */
  readonly role?: 'leader' | 'replica'
  /** Replica reads only: the most replay lag (bytes, from `/cluster`) accepted. Default: 1 MiB. */
  readonly maxLagBytes?: number
  /** The statement may run twice: retry it even when its outcome is unknown. */
  readonly idempotent?: boolean
  /**
   * Bound on the whole call (waiting for a leader, checkout, statement). On expiry the statement is
   * cancelled on the server (CancelRequest) and the call fails with `HAPG_STATEMENT_TIMEOUT`.
   * Default: the client's `queryTimeoutMs`, else none for the statement itself.
   */
  readonly timeoutMs?: number
  /** Aborts the call (`HAPG_ABORTED`); a statement already sent is cancelled on the server. */
  readonly signal?: AbortSignal
}

/**
 * Typed events. The client's own carry one payload object; pg-pool's (`connect`, `acquire`, `release`,
 * `remove`, `error`) are forwarded from every pool it keeps, with pg-pool's arguments, as pg-pool emits them.
 */
export interface HaPgClientEvents extends PoolEvents {
  leaderChanged: [{ readonly from: string | null; readonly to: string; readonly timeline: number }]
  discoveryFailed: [{ readonly error: unknown }]
  poolRetired: [{ readonly member: string; readonly reason: string }]
  retry: [{ readonly attempt: number; readonly code: string; readonly delayMs: number }]
}

/** A snapshot for `/readyz`, logs and Prometheus. */
export interface ClientStats {
  readonly mode: 'static' | 'patroni'
  readonly leader: { readonly name: string; readonly host: string; readonly port: number; readonly timeline: number } | null
  readonly leaseValid: boolean
  readonly leaseAgeMs: number | null
  readonly pools: readonly PoolCounts[]
  readonly counters: {
    readonly leaderChanges: number
    readonly retries: number
    readonly retiredPools: number
    readonly discoveryFailures: number
    readonly msWithoutLeader: number
    /** Patroni REST calls sent so far (divide by uptime for calls/s; see the README's fleet figures). */
    readonly restCalls: number
  }
}

type Attempt<T> = (client: pg.PoolClient, pool: MemberPool, limits: StatementLimits, epoch: LeaderEpoch | undefined) => Promise<T>
interface RetryHow {
  readonly handOff?: boolean
  readonly budgetMs?: number
  readonly timeoutMs?: number | undefined
  readonly signal?: AbortSignal | undefined
}
/** pg-pool's `max` when none is given (pg-pool/index.js). */
const PG_POOL_DEFAULT_MAX = 10
const SILENT: HaPgLogger = { info() {}, warn() {} }

/** A checkout or statement timeout: what an attempt started with too little time left ends with. */
function isDeadlineCut(err: unknown): boolean {
  return err instanceof HaPgError && (err.code === 'HAPG_STATEMENT_TIMEOUT' || err.code === 'HAPG_FAILOVER_TIMEOUT')
}

/**
 * A failover-aware replacement for `pg.Pool`: it finds the leader through Patroni's REST API, sends
 * writes only under a client-side lease, keeps one pool per leader epoch and retries what is safe.
 *
 * @example
 * ```ts
 * const db = new HaPgClient({ patroniUrls: ['http://10.0.0.1:8008', 'http://10.0.0.2:8008'], pg: { user: 'app', password, database: 'app' } })
 * await db.query('INSERT INTO users(name) VALUES ($1) ON CONFLICT DO NOTHING', ['ann'], { idempotent: true })
 * const { rows } = await db.query('SELECT * FROM users', [], { role: 'replica', maxLagBytes: 1 << 20 })
 * await db.close()
 * ```
 */
export class HaPgClient extends EventEmitter<HaPgClientEvents> implements AsyncDisposable {
  readonly #options: HaPgClientOptions
  readonly #now: () => number
  readonly #random: () => number
  readonly #log: HaPgLogger
  readonly #api: PatroniApi | undefined
  readonly #tracker: LeaderTracker | undefined
  readonly #retiring = new Set<Promise<void>>()
  #leaderPool: MemberPool | undefined
  /** Sessions opened on a key holder while it promotes, for its epoch (see warm-up.ts). */
  readonly #warmUp = new WarmUp({
    newPool: (holder) => this.#newPool(this.#memberConfig(holder.host, holder.port), holder.name, 'leader'),
    retire: (pool, reason) => this.#retire(pool, reason),
  })
  readonly #replicas = new ReplicaReads({
    newPool: (member) => this.#newPool(this.#memberConfig(member.host, member.port), member.name, 'replica'),
    retire: (pool, reason) => this.#retire(pool, reason),
    warn: (entry) => this.#log.warn(entry),
  })
  #retries = 0
  #retiredPools = 0
  #closing: Promise<void> | undefined
  #ending: Promise<void> | undefined
  /** Calls accepted and not yet settled, and clients handed out and not yet released: what end() waits for. */
  readonly #active = new Set<Promise<unknown>>()

  constructor(options: HaPgClientOptions) {
    super()
    this.#options = validateOptions(options)
    // Monotonic: every lease and deadline is a difference of two readings (issue #11, major 3).
    this.#now = options.now ?? (() => performance.now())
    this.#random = options.random ?? Math.random
    this.#log = options.logger ?? SILENT
    if (!('patroniUrls' in this.#options)) {
      const { connectionString, pg: config } = this.#options
      // Spelled out: both secrets are stored non-enumerable, which a spread would drop.
      const server = { ...config, ...(config?.password !== undefined && { password: config.password }), ...(connectionString !== undefined && { connectionString }) }
      this.#leaderPool = this.#newPool(server, 'static', 'leader')
      return
    }
    const o: PatroniModeOptions = this.#options
    this.#api = new PatroniApi({ timeoutMs: 2_000, dispatcher: o.dispatcher, tls: o.patroniTls, auth: o.patroniAuth })
    const timing = Object.fromEntries((['leaseMs', 'failoverDeadlineMs', 'discoveryIntervalMs', 'restTimeoutMs'] as const).flatMap((k) => (o[k] === undefined ? [] : [[k, o[k]]])))
    this.#tracker = new LeaderTracker({
      urls: o.patroniUrls,
      api: this.#api,
      timing,
      now: this.#now,
      random: this.#random,
      hooks: {
        leaderChanged: (from, to) => this.#onLeaderChanged(from, to),
        discoveryFailed: (error) => {
          this.#log.warn({ msg: 'patroni discovery failed', error: String(error) })
          this.emit('discoveryFailed', { error })
        },
        afterRound: () => this.#watchdog(),
        timingRejected: (why) => this.#log.warn({ msg: 'unsafe timing option ignored', why }),
        keyHolderSeen: (holder) => this.#onKeyHolderSeen(holder),
      },
    })
    this.#tracker.start()
  }

  /**
   * `pg.Pool#query`-compatible: promise and callback forms, `rowMode: 'array'` typed as pg types it, and a
   * Submittable (pg-cursor, pg-query-stream) returned as is and run unbuffered on a fenced leader client,
   * which goes back to the pool when the Submittable is done (the client is destroyed if it failed, as
   * pg-pool does with a failed query's client). A third argument routes (`role`), marks idempotent
   * statements and bounds the call (`timeoutMs`, `signal`).
   */
  query<T extends pg.Submittable>(submittable: T, callback?: (err: Error | null, result?: unknown) => void): T
  query<R extends any[] = any[]>(config: pg.QueryArrayConfig, values?: unknown[], options?: QueryOptions): Promise<pg.QueryArrayResult<R>>
  query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, values?: unknown[], options?: QueryOptions): Promise<pg.QueryResult<R>>
  query<R extends any[] = any[]>(config: pg.QueryArrayConfig, callback: Callback<pg.QueryArrayResult<R>>): void
  query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, callback: Callback<pg.QueryResult<R>>): void
  query<R extends any[] = any[]>(config: pg.QueryArrayConfig, values: unknown[] | undefined, callback: Callback<pg.QueryArrayResult<R>>): void
  query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, values: unknown[] | undefined, callback: Callback<pg.QueryResult<R>>): void
  query(textOrConfig: string | pg.QueryConfig | pg.Submittable, ...rest: unknown[]): unknown {
    if (typeof textOrConfig === 'function') {
      // pg-pool's guard: a callback given where the query belongs gets an error, never a crash.
      const misplaced = textOrConfig as Callback<unknown>
      setImmediate(() => misplaced(new TypeError('Passing a function as the first parameter to query is not supported')))
      return undefined
    }
    const callback = rest.find((a) => typeof a === 'function') as Callback<unknown> | undefined
    // a fenced leader client, as connect() gives, released when pg is done with the Submittable
    if (isSubmittable(textOrConfig)) return submitOn(() => this.connect(), textOrConfig, callback)
    const values = Array.isArray(rest[0]) ? (rest[0] as unknown[]) : undefined
    const options = (typeof rest[1] === 'object' && rest[1] !== null ? rest[1] : {}) as QueryOptions
    const promise = this.#track(this.#query(textOrConfig as string | pg.QueryConfig, values, options))
    if (callback === undefined) return promise
    promise.then((res) => callback(null, res), (err: unknown) => callback(err as Error))
    return undefined
  }

  #query<R extends pg.QueryResultRow>(textOrConfig: string | pg.QueryConfig, values: unknown[] | undefined, options: QueryOptions): Promise<pg.QueryResult<R>> {
    const query: pg.QueryConfig = typeof textOrConfig === 'string' ? { text: textOrConfig } : { ...textOrConfig }
    if (values !== undefined) query.values = values
    if (options.role === 'replica') return this.#replicaQuery<R>(query, options)
    const how = { timeoutMs: options.timeoutMs ?? this.#options.queryTimeoutMs, signal: options.signal }
    return this.#withRetries(options.idempotent === true, (client, pool, limits) => runStatement<R>(client, pool, query, limits), how)
  }

  /**
   * A client checked out on the leader (lease held, session writable), under the same write guarantee
   * as `query()`: see {@link fenceClient}. Release it as usual.
   */
  connect(): Promise<pg.PoolClient>
  /** pg.Pool's callback form: `done` is the client's `release` (a no-op when the checkout failed). */
  connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: Error | boolean) => void) => void): void
  connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: Error | boolean) => void) => void): Promise<pg.PoolClient> | undefined {
    const promise = this.#track(this.#withRetries(true, async (client, pool, _limits, epoch) => this.#hold(client, pool, epoch), { handOff: true }))
    if (callback === undefined) return promise
    promise.then(
      (client) => callback(undefined, client, (release?: Error | boolean) => client.release(release)),
      (err: unknown) => callback(err as Error, undefined, () => {}),
    )
    return undefined
  }

  /**
   * Runs `fn` inside BEGIN/COMMIT on the leader; ROLLBACK (bounded) on error. `fn` gets a fenced client
   * (as from `connect()`). Retried whole only when `idempotent` or when BEGIN never ran.
   */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options: { idempotent?: boolean; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    return this.#track(this.#withRetries(options.idempotent === true, async (raw, pool, limits, epoch) => {
      const lift = this.#fence(raw, pool, epoch)
      // Static mode has no fence: raw.query is pg's own, whose third argument is a callback, so it gets the config alone.
      const send =
        epoch === undefined
          ? (q: pg.QueryConfig) => raw.query(q)
          : // The fence's own query closure, which takes the limits (it ignores `this`).
            // eslint-disable-next-line @typescript-eslint/unbound-method
            (raw.query as (q: pg.QueryConfig, v: undefined, o: StatementLimits) => Promise<unknown>)
      let result: T
      try {
        await send({ text: 'BEGIN' }, undefined, limits)
        try {
          result = await fn(raw)
        } catch (err) {
          lift() // the ROLLBACK goes out unfenced: it must run even on a deposed leader's session
          await runStatement(raw, pool, { text: 'ROLLBACK' }, { timeoutMs: this.#controlTimeoutMs(), cancel: false }).catch(() => undefined)
          throw err
        }
        await send({ text: 'COMMIT' }, undefined, limits)
      } finally {
        lift() // the session goes back to the pool as a plain client
      }
      return result
    }, { timeoutMs: options.timeoutMs ?? this.#options.queryTimeoutMs, signal: options.signal }))
  }

  /** Resolves when a confirmed, writable leader answers (static mode: `SELECT 1`); rejects with a HaPgError. */
  async ping(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 2_000
    await this.#track(this.#withRetries(false, (client, pool, limits) => runStatement(client, pool, { text: 'SELECT 1' }, limits), { budgetMs: timeoutMs, timeoutMs }))
  }

  stats(): ClientStats {
    const t = this.#tracker
    const leader = t?.leader
    return {
      mode: t === undefined ? 'static' : 'patroni',
      leader: leader === undefined ? null : { name: leader.name, host: leader.host, port: leader.port, timeline: leader.timeline },
      leaseValid: leader !== undefined && t !== undefined && t.hasLease(leader),
      leaseAgeMs: t?.leaseAge() ?? null,
      pools: [this.#leaderPool, this.#warmUp.pool, ...this.#replicas.pools].flatMap((p) => (p === undefined ? [] : [p.counts()])),
      counters: {
        leaderChanges: t?.counters.leaderChanges ?? 0,
        retries: this.#retries,
        retiredPools: this.#retiredPools,
        discoveryFailures: t?.counters.discoveryFailures ?? 0,
        msWithoutLeader: t?.msWithoutLeader() ?? 0,
        restCalls: this.#api?.calls ?? 0,
      },
    }
  }

  /** Graceful and idempotent: stops discovery, closes every pool and the REST agent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#tracker?.close()
      const pools = [this.#leaderPool, this.#warmUp.pool, ...this.#replicas.pools].flatMap((p) => (p === undefined ? [] : [p.retire('closed')]))
      await Promise.all([...pools, ...this.#retiring])
      await this.#api?.close()
    })()
    return this.#closing
  }

  /**
   * `pg.Pool#end`, gracefully: new calls fail at once with `HAPG_CLOSED`; calls already accepted run to
   * their end (their retries included), and clients handed out are waited for until released (pg-pool
   * waits for them too); then {@link close}. Idempotent (pg-pool rejects a second `end()`).
   */
  end(): Promise<void>
  end(callback: (err?: Error) => void): void
  end(callback?: (err?: Error) => void): Promise<void> | undefined {
    this.#ending ??= (async () => {
      while (this.#active.size > 0) await Promise.allSettled([...this.#active])
      await this.close()
    })()
    if (callback === undefined) return this.#ending
    this.#ending.then(() => callback(), callback)
    return undefined
  }

  /** `pg.Pool#ending`: `end()` or `close()` was called. */
  get ending(): boolean {
    return this.#ending !== undefined || this.#closing !== undefined
  }

  /** `pg.Pool`'s counts, over the current leader pool. */
  get totalCount(): number {
    return this.#leaderPool?.counts().total ?? 0
  }

  get idleCount(): number {
    return this.#leaderPool?.counts().idle ?? 0
  }

  get waitingCount(): number {
    return this.#leaderPool?.counts().waiting ?? 0
  }

  /** pg-pool's `expiredCount` (clients past `maxLifetimeSeconds`), over the current leader pool. */
  get expiredCount(): number {
    return this.#leaderPool?.expiredCount ?? 0
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /**
   * The retry loop shared by every leader operation. `handOff`: the caller gets the client and releases it.
   * Every wait (lease, checkout, writability check) is bounded by the failover deadline, or by
   * `timeoutMs` when shorter; the statement itself only by `timeoutMs` (and by its pool retiring).
   */
  async #withRetries<T>(idempotent: boolean, attempt: Attempt<T>, how: RetryHow = {}): Promise<T> {
    const start = this.#now()
    const callDeadline = how.timeoutMs === undefined ? Number.POSITIVE_INFINITY : start + how.timeoutMs
    const deadline = Math.min(start + (how.budgetMs ?? this.#deadlineMs()), callDeadline)
    const signal = how.signal
    // Backoff grows with the failures on one leader epoch, and starts over on a new one: a just-promoted
    // leader is retried at 10, 20, 40 ms, not at the 200 ms the dead one had reached.
    let streak = 0
    let lastEpoch: number | undefined
    let lastError: unknown
    // No time left, and an earlier attempt failed on its own: that failure says why the call failed. The
    // lease wait or a checkout can end past the deadline; a checkout or writability check sent then, or
    // cut by the deadline, says nothing new.
    const outOfTime = (): boolean => deadline - this.#now() <= 0 && lastError instanceof Error
    if (this.#ending !== undefined) throw new HaPgError('HAPG_CLOSED', 'the client is ending')
    for (let n = 1; ; n++) {
      let phase: 'connect' | 'statement' = 'connect'
      let leased = false
      try {
        if (this.#closing !== undefined) throw new HaPgError('HAPG_CLOSED', 'the client is closed')
        if (signal?.aborted === true) throw new HaPgError('HAPG_ABORTED', 'aborted by the caller before the statement was sent', { cause: signal.reason })
        const epoch = await this.#tracker?.waitForLease(deadline)
        leased = true
        if (epoch?.id !== lastEpoch) streak = 0
        lastEpoch = epoch?.id
        const pool = this.#leaderPool as MemberPool
        if (outOfTime()) throw lastError
        const client = await pool.checkout(deadline - this.#now())
        let result: T
        try {
          if (epoch !== undefined && outOfTime()) throw lastError
          if (epoch !== undefined) await ensureWritable(client, pool, deadline - this.#now())
          phase = 'statement'
          const limits: StatementLimits = { timeoutMs: how.timeoutMs === undefined ? undefined : callDeadline - this.#now(), signal }
          result = await attempt(client, pool, limits, epoch)
          if (epoch !== undefined && how.handOff !== true) await this.#confirmAck(epoch, this.#now())
        } catch (caught) {
          const err = readOnlyServer(caught, client) ?? caught
          // A session that is merely read-only (the leader is still promoting) is healthy: keep it, it is
          // asked again at the next checkout. Anything else may have broken it: destroy it.
          client.release(err instanceof HaPgError && err.code === 'HAPG_NOT_WRITABLE' ? undefined : true)
          throw err
        }
        // connect() hands the client to the caller, who releases it.
        if (how.handOff !== true) client.release()
        return result
      } catch (caught) {
        streak += 1
        // In the connect phase both limits are the time left (checkout, writability check), so such a timeout is
        // the deadline by construction. Not asked of the clock: a timer runs from the event loop's cached time and
        // can fire a millisecond or so before `#now()` reaches the deadline (seen: "no answer within 16 ms").
        const cut = leased && phase === 'connect' && isDeadlineCut(caught) && lastError instanceof Error
        const err = cut ? lastError : caught
        lastError = err
        const verdict = retryVerdict(err, phase, streak, idempotent, deadline - this.#now(), this.#random)
        if (verdict.cls.topology) this.#onTopologyError()
        if (!verdict.retry) throw verdict.error
        this.#retries += 1
        this.emit('retry', { attempt: n, code: verdict.cls.code, delayMs: verdict.delayMs })
        await new Promise((resolve) => setTimeout(resolve, verdict.delayMs))
      }
    }
  }

  /** Fences a leader client (see held-client.ts) and wraps its `release` to lift the fence (connect()). */
  #hold(client: pg.PoolClient, pool: MemberPool, epoch: LeaderEpoch | undefined): pg.PoolClient {
    const lift = this.#fence(client, pool, epoch)
    let done!: () => void
    void this.#track(new Promise<void>((resolve) => (done = resolve))) // end() waits for the release
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be restored as is; called with release.call(client) below
    const release = client.release
    client.release = (err?: Error | boolean) => {
      client.release = release
      const fenced = lift()
      done()
      release.call(client, err ?? (fenced || undefined))
    }
    return client
  }

  /** Counts `promise` as active until it settles (see end()). */
  #track<T>(promise: Promise<T>): Promise<T> {
    this.#active.add(promise)
    const forget = (): void => void this.#active.delete(promise)
    promise.then(forget, forget)
    return promise
  }

  /** Puts `client` under the write guarantee; returns the (idempotent) function that lifts it and says whether it was fenced. */
  #fence(client: pg.PoolClient, pool: MemberPool, epoch: LeaderEpoch | undefined): () => boolean {
    if (epoch === undefined) return () => false // static mode: no lease, nothing to fence
    const tracker = this.#tracker as LeaderTracker
    const ctx: HoldContext = {
      pool,
      epoch,
      waitForLease: () => tracker.waitForLease(this.#now() + this.#deadlineMs()),
      hasLease: (e) => tracker.hasLease(e),
      confirmAck: (e, ackAt) => this.#confirmAck(e, ackAt),
      now: this.#now,
      limits: { timeoutMs: this.#options.queryTimeoutMs },
    }
    return fenceClient(client, ctx)
  }

  /**
   * An acknowledgement counts only if it arrived under the lease of its epoch, or if Patroni
   * re-confirmed that very epoch (member and timeline) afterwards. Otherwise the write may be on a
   * deposed leader and be lost: `HAPG_OUTCOME_UNKNOWN`.
   */
  async #confirmAck(epoch: LeaderEpoch, ackAt: number): Promise<void> {
    const tracker = this.#tracker as LeaderTracker
    if (tracker.hasLease(epoch, ackAt)) return
    // One lease is enough time to re-confirm the same epoch: discovery runs several rounds in it.
    const deadline = ackAt + tracker.timing.leaseMs
    while (this.#now() < deadline && tracker.leader?.id === epoch.id) {
      await tracker.refresh()
      if (tracker.confirmedSince(epoch, ackAt)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new HaPgError('HAPG_OUTCOME_UNKNOWN', `acknowledged by ${epoch.name} after its lease ended, and it was not re-confirmed as leader`)
  }

  async #replicaQuery<R extends pg.QueryResultRow>(query: pg.QueryConfig, options: QueryOptions): Promise<pg.QueryResult<R>> {
    if (this.#ending !== undefined || this.#closing !== undefined) throw new HaPgError('HAPG_CLOSED', 'the client is closed')
    const tracker = this.#tracker
    const leader = { ...options, role: 'leader' as const }
    if (tracker === undefined) return this.#query<R>(query, undefined, leader)
    if (tracker.members.length === 0) await tracker.refresh()
    const limits: StatementLimits = { timeoutMs: options.timeoutMs ?? this.#options.queryTimeoutMs, signal: options.signal }
    const read = await this.#replicas.read<R>(tracker.members, query, limits, options.maxLagBytes, limits.timeoutMs ?? this.#deadlineMs())
    if (read !== undefined) return read
    return this.#query<R>(query, undefined, leader)
  }

  #onLeaderChanged(from: LeaderEpoch | undefined, to: LeaderEpoch): void {
    const old = this.#leaderPool
    this.#leaderPool = this.#warmUp.take(to) ?? this.#newPool(this.#memberConfig(to.host, to.port), to.name, 'leader')
    if (old !== undefined) this.#retire(old, 'leader-changed')
    this.#log.info({ msg: 'leader changed', from: from?.name ?? null, to: to.name, timeline: to.timeline })
    this.emit('leaderChanged', { from: from?.name ?? null, to: to.name, timeline: to.timeline })
  }

  /**
   * While calls wait for a leader, a member seen holding the key gets sessions for them: as many as
   * there are calls, up to the pool's `max`. Only through a failover: not for the first leader (its
   * calls open their sessions as pg.Pool's do, events and counts included), not for the leader the
   * client already has (its key may only be slow to move), and none without callers, so an idle fleet
   * opens nothing on a promoting node.
   */
  #onKeyHolderSeen(holder: KeyHolder): void {
    const leader = (this.#tracker as LeaderTracker).leader
    if (leader === undefined || (leader.host === holder.host && leader.port === holder.port)) return
    const sessions = Math.min(this.#active.size, this.#options.pool?.max ?? PG_POOL_DEFAULT_MAX)
    if (sessions > 0) this.#warmUp.open(holder, sessions, this.#deadlineMs())
  }

  /**
   * Statements in flight, sessions held and checkouts waiting on a leader that has gone unconfirmed for a
   * whole failover deadline are ended: nothing they do could be acknowledged as a success any more, and
   * without this a statement hung on a dead leader that no one replaced would wait forever. A long
   * query on a leader that keeps its lease is never touched.
   */
  #watchdog(): void {
    const pool = this.#leaderPool as MemberPool
    const tracker = this.#tracker as LeaderTracker
    const leader = tracker.leader
    if (leader === undefined || pool.retired || pool.unused || tracker.leaseLostForMs() < this.#deadlineMs()) return
    this.#leaderPool = this.#newPool(this.#memberConfig(leader.host, leader.port), leader.name, 'leader')
    this.#retire(pool, 'lease-lost')
  }

  #onTopologyError(): void {
    void this.#tracker?.refreshPaced()
  }

  #retire(pool: MemberPool, reason: string): void {
    this.#retiredPools += 1
    const done = pool.retire(reason).catch(() => undefined)
    this.#retiring.add(done)
    void done.then(() => this.#retiring.delete(done))
    this.emit('poolRetired', { member: pool.target.member, reason })
  }

  /** Connection options for one member. The password is stored non-enumerable, so a spread would drop it. */
  #memberConfig(host: string, port: number): pg.PoolConfig {
    const base = (this.#options as PatroniModeOptions).pg
    return { ...base, ...(base.password !== undefined && { password: base.password }), host, port }
  }

  #newPool(config: pg.PoolConfig, member: string, role: 'leader' | 'replica'): MemberPool {
    const Pool = this.#options.Pool ?? pg.Pool
    // pg-pool's own connect timeout, so that a blackholed member cannot hold a slot for minutes of SYN
    // retries (each call is bounded by its own deadline anyway, see MemberPool#checkout).
    const bounded = { connectionTimeoutMillis: this.#deadlineMs(), ...this.#options.pool, ...config, ...(this.#options.Client === undefined ? {} : { Client: this.#options.Client }) }
    return new MemberPool(
      Pool,
      bounded as pg.PoolConfig,
      { member, role },
      (err, client) => {
        this.#log.warn({ msg: 'idle connection error', member, error: err.message })
        this.#onTopologyError()
        // pg.Pool would crash the process without a listener; an idle session dropped by a failover must not.
        if (this.listenerCount('error') > 0) this.emit('error', err, client)
      },
      (event, ...args) => this.emit(event, ...(args as never)),
      () => this.#now(),
    )
  }

  /** Bound on the client's own control statements (ROLLBACK): one lease. */
  #controlTimeoutMs(): number {
    return this.#tracker?.timing.leaseMs ?? 2_000
  }

  #deadlineMs(): number {
    return this.#options.failoverDeadlineMs ?? this.#tracker?.timing.failoverDeadlineMs ?? 15_000
  }
}
