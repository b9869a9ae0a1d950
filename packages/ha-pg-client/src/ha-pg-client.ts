import { EventEmitter } from 'node:events'
import pg from 'pg'
import { HaPgError } from './errors.js'
import { LeaderTracker, type LeaderEpoch } from './leader-tracker.js'
import { ensureWritable, MemberPool, runStatement, type PoolCounts } from './member-pool.js'
import { validateOptions, type HaPgClientOptions, type HaPgLogger, type PatroniModeOptions } from './options.js'
import { PatroniApi } from './patroni-api.js'
import { retryVerdict } from './retry-policy.js'
import { readableReplicas } from './topology.js'

/** Per-call options of {@link HaPgClient.query}. */
export interface QueryOptions {
  /** `leader` (default) or `replica`: a replica within `maxLagBytes`, else the leader. */
  readonly role?: 'leader' | 'replica'
  /** Replica reads only: the most replication lag (bytes, from `/cluster`) accepted. Default: unbounded. */
  readonly maxLagBytes?: number
  /** The statement may run twice: retry it even when its outcome is unknown. */
  readonly idempotent?: boolean
}

/** Typed events, each with one payload object. */
export interface HaPgClientEvents {
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
  readonly counters: { readonly leaderChanges: number; readonly retries: number; readonly retiredPools: number; readonly discoveryFailures: number; readonly msWithoutLeader: number }
}

type Attempt<T> = (client: pg.PoolClient, pool: MemberPool, deadline: number) => Promise<T>
const SILENT: HaPgLogger = { info() {}, warn() {} }

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
  readonly #pools = new Map<string, MemberPool>()
  readonly #retiring = new Set<Promise<void>>()
  #leaderPool: MemberPool | undefined
  #retries = 0
  #retiredPools = 0
  #closing: Promise<void> | undefined

  constructor(options: HaPgClientOptions) {
    super()
    this.#options = validateOptions(options)
    this.#now = options.now ?? Date.now
    this.#random = options.random ?? Math.random
    this.#log = options.logger ?? SILENT
    if ('connectionString' in this.#options) {
      this.#leaderPool = this.#newPool({ connectionString: this.#options.connectionString }, 'static', 'leader')
      return
    }
    const o: PatroniModeOptions = this.#options
    this.#api = new PatroniApi({ timeoutMs: 2_000, dispatcher: o.dispatcher, ca: o.patroniCa, auth: o.patroniAuth })
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
      },
    })
    this.#tracker.start()
  }

  /** `pg.Pool#query`-compatible; a third argument routes (`role`) and marks idempotent statements. */
  query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, values?: unknown[], options: QueryOptions = {}): Promise<pg.QueryResult<R>> {
    const query: pg.QueryConfig = typeof textOrConfig === 'string' ? { text: textOrConfig } : { ...textOrConfig }
    if (values !== undefined) query.values = values
    if (options.role === 'replica') return this.#replicaQuery<R>(query, options)
    return this.#withRetries(options.idempotent === true, (client, pool, deadline) => runStatement<R>(client, pool, query, deadline - this.#now()))
  }

  /** A client checked out on the leader (lease held, session writable). Release it as usual. */
  async connect(): Promise<pg.PoolClient> {
    return this.#withRetries(true, async (client) => client, { handOff: true })
  }

  /** Runs `fn` inside BEGIN/COMMIT on the leader; ROLLBACK on error. Retried whole only when `idempotent` or when BEGIN never ran. */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
    return this.#withRetries(options.idempotent === true, async (client, pool, deadline) => {
      await runStatement(client, pool, { text: 'BEGIN' }, deadline - this.#now())
      let result: T
      try {
        result = await fn(client)
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw err
      }
      await runStatement(client, pool, { text: 'COMMIT' }, deadline - this.#now())
      return result
    })
  }

  /** Resolves when a confirmed, writable leader answers (static mode: `SELECT 1`); rejects with a HaPgError. */
  async ping(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 2_000
    await this.#withRetries(false, (client, pool) => runStatement(client, pool, { text: 'SELECT 1' }, timeoutMs), { budgetMs: timeoutMs })
  }

  stats(): ClientStats {
    const t = this.#tracker
    const leader = t?.leader
    return {
      mode: t === undefined ? 'static' : 'patroni',
      leader: leader === undefined ? null : { name: leader.name, host: leader.host, port: leader.port, timeline: leader.timeline },
      leaseValid: leader !== undefined && t !== undefined && t.hasLease(leader),
      leaseAgeMs: t?.leaseAge() ?? null,
      pools: [this.#leaderPool, ...this.#pools.values()].flatMap((p) => (p === undefined ? [] : [p.counts()])),
      counters: {
        leaderChanges: t?.counters.leaderChanges ?? 0,
        retries: this.#retries,
        retiredPools: this.#retiredPools,
        discoveryFailures: t?.counters.discoveryFailures ?? 0,
        msWithoutLeader: t?.msWithoutLeader() ?? 0,
      },
    }
  }

  /** Graceful and idempotent: stops discovery, closes every pool and the REST agent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#tracker?.close()
      const pools = [this.#leaderPool, ...this.#pools.values()].flatMap((p) => (p === undefined ? [] : [p.retire('closed')]))
      await Promise.all([...pools, ...this.#retiring])
      await this.#api?.close()
    })()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** The retry loop shared by every leader operation. `handOff`: the caller gets the client and releases it. */
  async #withRetries<T>(idempotent: boolean, attempt: Attempt<T>, how: { handOff?: boolean; budgetMs?: number } = {}): Promise<T> {
    const deadline = this.#now() + (how.budgetMs ?? this.#deadlineMs())
    // Backoff grows with the failures on one leader epoch, and starts over on a new one: a just-promoted
    // leader is retried at 10, 20, 40 ms, not at the 200 ms the dead one had reached.
    let streak = 0
    let lastEpoch: number | undefined
    for (let n = 1; ; n++) {
      let phase: 'connect' | 'statement' = 'connect'
      try {
        if (this.#closing !== undefined) throw new HaPgError('HAPG_CLOSED', 'the client is closed')
        const epoch = await this.#tracker?.waitForLease(deadline)
        if (epoch?.id !== lastEpoch) streak = 0
        lastEpoch = epoch?.id
        const pool = this.#leaderPool as MemberPool
        const client = await pool.checkout()
        let result: T
        try {
          if (epoch !== undefined) await ensureWritable(client)
          phase = 'statement'
          result = await attempt(client, pool, deadline)
          if (epoch !== undefined && how.handOff !== true) await this.#confirmAck(epoch, deadline)
        } catch (err) {
          // A session that is merely read-only (the leader is still promoting) is healthy: keep it, it is
          // asked again at the next checkout. Anything else may have broken it: destroy it.
          client.release(err instanceof HaPgError && err.code === 'HAPG_NOT_WRITABLE' ? undefined : true)
          throw err
        }
        // connect() hands the client to the caller, who releases it.
        if (how.handOff !== true) client.release()
        return result
      } catch (err) {
        streak += 1
        const verdict = retryVerdict(err, phase, streak, idempotent, deadline - this.#now(), this.#random)
        if (verdict.cls.topology) this.#onTopologyError()
        if (!verdict.retry) throw verdict.error
        this.#retries += 1
        this.emit('retry', { attempt: n, code: verdict.cls.code, delayMs: verdict.delayMs })
        await new Promise((resolve) => setTimeout(resolve, verdict.delayMs))
      }
    }
  }

  /**
   * An acknowledgement counts only if it arrived under the lease of its epoch, or if Patroni
   * re-confirmed that very epoch (member and timeline) afterwards. Otherwise the write may be on a
   * deposed leader and be lost: `HAPG_OUTCOME_UNKNOWN`.
   */
  async #confirmAck(epoch: LeaderEpoch, deadline: number): Promise<void> {
    const tracker = this.#tracker as LeaderTracker
    const ackAt = this.#now()
    if (tracker.hasLease(epoch, ackAt)) return
    while (this.#now() < deadline && tracker.leader?.id === epoch.id) {
      await tracker.refresh()
      if (tracker.confirmedSince(epoch, ackAt)) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new HaPgError('HAPG_OUTCOME_UNKNOWN', `acknowledged by ${epoch.name} after its lease ended, and it was not re-confirmed as leader`)
  }

  async #replicaQuery<R extends pg.QueryResultRow>(query: pg.QueryConfig, options: QueryOptions): Promise<pg.QueryResult<R>> {
    const tracker = this.#tracker
    if (tracker === undefined) return this.query<R>(query, undefined, { ...options, role: 'leader' })
    if (tracker.members.length === 0) await tracker.refresh()
    const candidates = readableReplicas(tracker.members, options.maxLagBytes ?? Number.POSITIVE_INFINITY)
    for (const member of candidates) {
      const key = `${member.name}@${member.host}:${member.port}`
      let pool = this.#pools.get(key)
      if (pool === undefined) {
        pool = this.#newPool(this.#memberConfig(member.host as string, member.port as number), member.name, 'replica')
        this.#pools.set(key, pool)
      }
      try {
        const client = await pool.checkout()
        try {
          return await runStatement<R>(client, pool, query, this.#deadlineMs())
        } finally {
          client.release()
        }
      } catch (err) {
        this.#log.warn({ msg: 'replica read failed, trying the next', member: member.name, error: String(err) })
        this.#pools.delete(key)
        this.#retire(pool, 'replica-error')
      }
    }
    return this.query<R>(query, undefined, { ...options, role: 'leader' })
  }

  #onLeaderChanged(from: LeaderEpoch | undefined, to: LeaderEpoch): void {
    const old = this.#leaderPool
    this.#leaderPool = this.#newPool(this.#memberConfig(to.host, to.port), to.name, 'leader')
    if (old !== undefined) this.#retire(old, 'leader-changed')
    this.#log.info({ msg: 'leader changed', from: from?.name ?? null, to: to.name, timeline: to.timeline })
    this.emit('leaderChanged', { from: from?.name ?? null, to: to.name, timeline: to.timeline })
  }

  #onTopologyError(): void {
    void this.#tracker?.refresh()
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
    return new MemberPool(Pool, { ...this.#options.pool, ...config }, { member, role }, (err) => {
      this.#log.warn({ msg: 'idle connection error', member, error: err.message })
      this.#onTopologyError()
    })
  }

  #deadlineMs(): number {
    return this.#options.failoverDeadlineMs ?? this.#tracker?.timing.failoverDeadlineMs ?? 15_000
  }
}
