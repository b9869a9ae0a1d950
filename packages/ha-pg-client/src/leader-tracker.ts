import { HaPgError } from './errors.js'
import { CONFIRM_WAIT_MS, LeaderRace } from './leader-race.js'
import { Lease, type LeaderEpoch } from './lease.js'
import { keyExpiry, leaseFor, type LeaseTermsContext } from './lease-terms.js'
import type { PatroniApi, PatroniMember, PatroniTiming, RestResult } from './patroni-api.js'
import { quorumSettled } from './quorum-settled.js'
import { settledWithin } from './settled-within.js'
import { clientTiming, deriveTiming, PATRONI_DEFAULT_TIMING, type ClientTiming } from './timing.js'
import { apiBase, decideLeader, learnedApiUrls, namesLeader, promoted, type LeaderDecision } from './topology.js'
import type { KeyHolder } from './warm-up.js'
import { decideWithoutDcs } from './without-dcs.js'

export type { LeaderEpoch } from './lease.js'

export interface TrackerHooks {
  leaderChanged(from: LeaderEpoch | undefined, to: LeaderEpoch): void
  discoveryFailed(error: unknown): void
  /** After every discovery round (the client's watchdog of statements on a leader without a lease). */
  afterRound?(): void
  /** A user timing that Patroni's timing makes unsafe, and what is used instead. */
  timingRejected?(why: string): void
  /** A round without a lease saw this member hold the leader key: likely the next leader (see warm-up.ts). */
  keyHolderSeen?(holder: KeyHolder): void
}

export interface LeaderTrackerOptions {
  readonly urls: readonly string[]
  readonly api: PatroniApi
  readonly timing: Partial<ClientTiming>
  readonly now: () => number
  readonly random: () => number
  readonly hooks: TrackerHooks
  /** First poll period while callers wait for a leader; it doubles (with jitter) up to the discovery interval. */
  readonly waitPollMs?: number
  /** How often `GET /config` is read again (Patroni's timing can change at run time). Default 30 s. */
  readonly configRefreshMs?: number
  /** A wall clock, only to read Patroni's `dcs_last_seen` (a Unix time). Default `Date.now`. */
  readonly wallClock?: () => number
}

/** In steady state, a full round (every member's `/cluster`) runs at least this often; others ask one member. */
const FULL_ROUND_EVERY = 4

type Confirmable = PatroniMember & { readonly api_url: string; readonly host: string; readonly port: number }

/**
 * Finds and leases the leader. Discovery asks every member's `/cluster` in parallel, picks a candidate
 * ({@link decideLeader}) and confirms it with `GET /primary` on that member. A confirmation sent at `t`
 * grants a lease until `t + leaseMs` ({@link Lease}, its terms in lease-terms.ts); writes are only sent,
 * and only reported successful, under a lease. Rounds are paced here; through a leader race the race
 * chooses whom each round asks ({@link LeaderRace}).
 */
export class LeaderTracker {
  readonly #o: LeaderTrackerOptions
  #urls: Set<string>
  readonly #seeds: readonly string[]
  #patroniTiming: PatroniTiming | undefined
  #patroniVersion: string | undefined
  #configAt = Number.NEGATIVE_INFINITY
  readonly #lease: Lease
  readonly #race: LeaderRace
  #rounds = 0
  #fullRoundNeeded = true
  #napStreak = 0
  /** While leaderless, no paced round before this time (see {@link LeaderTracker.refreshPaced}). */
  #nextPacedRoundAt = Number.NEGATIVE_INFINITY
  /** When the leased leader's key would expire had it stopped refreshing it at its last answer (+ jitter): paced rounds start over then. */
  #keyExpiresAt = Number.POSITIVE_INFINITY
  /** When the last finished discovery round began (what it decided was seen from then on). */
  #lastRoundAt = Number.NEGATIVE_INFINITY
  #rejected: string | undefined
  /** The Patroni timing the lease is derived from (the safety view, see effectiveTiming). */
  #leaseBasis: PatroniTiming = PATRONI_DEFAULT_TIMING
  #timing: ClientTiming
  #maxTimeline = -1
  #members: readonly PatroniMember[] = []
  #lastDecision: LeaderDecision = { kind: 'none', reason: 'unreachable' }
  /** Why the last round heard from no member (a refused TLS handshake, a 401…): the cause of a failover timeout. */
  #lastFailure: HaPgError | undefined
  #inflight: Promise<void> | undefined
  readonly #confirming = new Map<string, Promise<void>>()
  /** Callers napping in waitForLease; a grant wakes them at once. */
  readonly #wakers = new Set<() => void>()
  #timer: NodeJS.Timeout | undefined
  #closed = false
  readonly counters = { leaderChanges: 0, discoveryFailures: 0, refreshes: 0, restCalls: 0 }

  constructor(options: LeaderTrackerOptions) {
    this.#o = options
    this.#seeds = options.urls.map(apiBase)
    this.#urls = new Set(this.#seeds)
    this.#timing = { ...deriveTiming(PATRONI_DEFAULT_TIMING), ...options.timing }
    options.api.timeoutMs = this.#timing.restTimeoutMs
    this.#lease = new Lease(() => options.now())
    this.#race = new LeaderRace({
      api: options.api,
      now: () => options.now(),
      members: () => this.#members,
      keyHolderSeen: (member) => this.#seeKeyHolder(member),
      roundNow: () => this.#roundNow(),
    })
  }

  get timing(): ClientTiming {
    return this.#timing
  }

  get leader(): LeaderEpoch | undefined {
    return this.#lease.leader
  }

  get members(): readonly PatroniMember[] {
    return this.#members
  }

  /** Milliseconds since the current lease was granted, or undefined without a leader. */
  leaseAge(): number | undefined {
    return this.#lease.age()
  }

  /** Total milliseconds spent without a valid lease, lapsed or revoked (including now, if leaderless). */
  msWithoutLeader(): number {
    return this.#lease.msWithout()
  }

  /** Whether `epoch` is leased at time `at`. */
  hasLease(epoch: LeaderEpoch, at = this.#o.now()): boolean {
    return this.#lease.holds(epoch, at)
  }

  /** 0 while a lease is valid; else how long ago the last one ended (Infinity if there never was one). */
  leaseLostForMs(): number {
    return this.#lease.lostForMs()
  }

  /** Whether the leased epoch is `epoch` and its lease began after `at` (a re-confirmation covering `at`). */
  confirmedSince(epoch: LeaderEpoch, at: number): boolean {
    return this.#lease.confirmedSince(epoch, at)
  }

  start(): void {
    void this.refresh()
    this.#schedule()
  }

  /** One discovery round; concurrent callers share the round in flight (single-flight). */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    if (this.#inflight !== undefined) return this.#inflight
    const startedAt = this.#o.now()
    this.#inflight = this.#round().finally(() => {
      this.#inflight = undefined
      this.#lastRoundAt = startedAt
    })
    return this.#inflight
  }

  /**
   * A discovery round, unless a paced one ran within the current backoff: every caller that waits for
   * a lease or just failed on the leader shares one schedule per process, `waitPollMs` doubling up to
   * the discovery interval (±50 % jitter), started over by a grant. Without it each failing statement
   * asked for its own round, about 16 REST calls/s per process through a failover (issue #11, major 6).
   */
  refreshPaced(): Promise<void> {
    const now = this.#o.now()
    if (now >= this.#keyExpiresAt) {
      // the lost leader's key may be gone by now (give or take the second of dcs_last_seen and of the
      // spread), and a replica promotes right after: the race is as good as on
      this.#keyExpiresAt = Number.POSITIVE_INFINITY
      this.#raceOn(now)
    }
    if (this.#inflight !== undefined) return this.#inflight
    if (now < this.#nextPacedRoundAt) return Promise.resolve()
    this.#nextPacedRoundAt = Math.min(now + this.#backoffMs(), this.#keyExpiresAt)
    return this.refresh()
  }

  /**
   * Resolves with the leased epoch, waiting (polling discovery) until `deadline`. Rejects with
   * `HAPG_NO_LEADER` at once when the members answer that their DCS is down, and with
   * `HAPG_FAILOVER_TIMEOUT` when the deadline passes.
   */
  async waitForLease(deadline: number): Promise<LeaderEpoch> {
    const since = this.#o.now()
    for (;;) {
      if (this.#closed) throw new HaPgError('HAPG_CLOSED', 'the client is closed')
      if (this.#lease.valid()) return this.#lease.leader as LeaderEpoch
      await this.refreshPaced()
      const now = this.#o.now()
      if (this.#lease.valid(now)) return this.#lease.leader as LeaderEpoch
      // fail fast only on what a round begun during this wait said: a round begun before it may have seen
      // answers from before a change (found under load: a DCS-down view ending a wait for refused members)
      const fresh = this.#lastRoundAt >= since
      if (fresh && this.#lastDecision.kind === 'none' && this.#lastDecision.reason === 'dcs-unavailable') {
        throw new HaPgError('HAPG_NO_LEADER', 'no leader: the Patroni members report that their DCS is unavailable')
      }
      if (fresh && this.#lastDecision.kind === 'none' && this.#lastDecision.reason === 'standby-cluster') {
        throw new HaPgError('HAPG_STANDBY_CLUSTER', 'this is a Patroni standby cluster: its standby_leader replicates from another cluster and takes no writes')
      }
      if (now >= deadline) {
        const cause = this.#lastDecision.kind === 'none' ? this.#lastFailure : undefined
        const why = cause === undefined ? this.#describe() : `${this.#describe()}: ${cause.message}: ${String(cause.cause)}`
        throw new HaPgError('HAPG_FAILOVER_TIMEOUT', `no confirmed leader within the failover deadline (${why})`, cause === undefined ? undefined : { cause })
      }
      await this.#nap(Math.max(1, Math.min(this.#nextPacedRoundAt - now, deadline - now)))
    }
  }

  /** Ends the current lease at once (the leader's session said it is read-only, or a member named another leader). */
  revoke(): void {
    if (this.#lease.revoke()) this.#fullRoundNeeded = true
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    await this.#inflight
    await Promise.all(this.#confirming.values())
  }

  /**
   * The pause between discovery rounds while callers wait: `waitPollMs` (50 ms) doubling up to the
   * discovery interval, ±50 % jitter, so a fleet of clients does not poll the members in lockstep
   * exactly while they promote (issue #11, major 6). It starts over after a grant.
   */
  #backoffMs(): number {
    const interval = this.#timing.discoveryIntervalMs
    const racePace = this.#race.pollMs(this.#o.now())
    const cap = racePace === undefined ? interval : Math.min(racePace, interval)
    const base = Math.min(cap, (this.#o.waitPollMs ?? 50) * 2 ** this.#napStreak)
    this.#napStreak = Math.min(this.#napStreak + 1, 16)
    return Math.max(1, Math.round(base * (0.5 + this.#o.random())))
  }

  /** Sleeps `ms`, or less if a lease is granted meanwhile. A ref'd timer on purpose: a waiting caller keeps the process alive, for a bounded time. */
  #nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        this.#wakers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.#wakers.add(wake)
    })
  }

  #schedule(): void {
    if (this.#closed) return
    const base = this.#timing.discoveryIntervalMs
    const delay = Math.round(base * (0.8 + 0.4 * this.#o.random()))
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => {
        this.#o.hooks.afterRound?.()
        this.#schedule()
      })
    }, delay)
    this.#timer.unref()
  }

  /**
   * One round. In steady state (a valid lease, no doubt) it asks one member's `/cluster` (rotating) and
   * the leader's `/primary`: 2 REST calls per interval instead of one per member plus one (issue #11,
   * major 6). Every FULL_ROUND_EVERY-th round, while no lease is held, and after anything unexpected
   * (another leader named, a failed answer, a revoke), it asks every member. During a leader race
   * (see {@link LeaderTracker.#noticeMotion}) a round asks one member that answered the last full round
   * and goes no further while the race visibly goes on ({@link LeaderTracker.#raceMayBeOver}).
   */
  async #round(): Promise<void> {
    this.counters.refreshes += 1
    this.#rounds += 1
    const all = [...this.#urls]
    const leased = this.#lease.valid()
    const racing = !leased && !this.#fullRoundNeeded && this.#race.runs(this.#o.now())
    const full = !racing && (!leased || this.#fullRoundNeeded || this.#rounds % FULL_ROUND_EVERY === 0 || all.length === 1)
    this.#fullRoundNeeded = false
    if (!racing) this.#race.stopWatching()
    else {
      const step = this.#race.roundWithoutView()
      if (step !== undefined) {
        if ((await step) === 'done') return
        this.#fullRoundNeeded = true
        return this.#round()
      }
    }
    const pickFrom = racing ? this.#race.answering : all
    const asked = full ? all : [pickFrom[this.#rounds % pickFrom.length] as string]
    // After a race probe found its member promoted, one view from another member that names it is enough:
    // with the member's own /primary, two members agree. On the loaded lab a majority of views took up to
    // 950 ms (they read the DCS, one of whose members was cut off with the leader).
    const probe = full ? this.#race.probe : undefined
    const agrees = probe === undefined ? undefined : (view: RestResult<{ members?: PatroniMember[] }>, i: number): boolean => asked[i] !== probe.url && namesLeader(view, probe.url)
    const { results: views, early } = await quorumSettled(asked.map((url) => this.#o.api.cluster(url)), agrees)
    // not the leader: once lost, its view is the stalest (cut off from its DCS, Patroni serves its last cache)
    if (full && !early) this.#race.answering = asked.filter((url, i) => views[i]?.ok === true && url !== this.#lease.leader?.apiUrl)
    if (early) this.#fullRoundNeeded = true // the next round hears every member again
    if (!full && !(views[0] as RestResult<unknown>).ok) {
      this.#fullRoundNeeded = true
      return this.#round()
    }
    if (views.every((v) => !v.ok)) {
      this.counters.discoveryFailures += 1
      const failed = views[0] as { error: unknown }
      this.#lastFailure = new HaPgError('HAPG_DISCOVERY_FAILED', 'no Patroni member answered GET /cluster', { cause: failed.error })
      this.#o.hooks.discoveryFailed(this.#lastFailure)
    } else {
      this.#lastFailure = undefined
      const freshest = views.find((v) => v.ok && v.body.members !== undefined) as { body: { members: PatroniMember[] } } | undefined
      if (freshest !== undefined) {
        this.#members = freshest.body.members
        // Forget members that left (issue #11, major 11): known = the seeds plus whatever the views list now.
        this.#urls = new Set([...this.#seeds, ...learnedApiUrls(views)])
      }
      if (this.#patroniTiming === undefined || this.#o.now() - this.#configAt >= (this.#o.configRefreshMs ?? 30_000)) {
        await this.#learnTiming(asked[views.findIndex((v) => v.ok)] as string)
      }
    }
    let decision = decideLeader(views)
    if (!leased && decision.kind === 'candidate') this.#seeKeyHolder(decision.member)
    if (racing && (await this.#race.goesOn(decision))) {
      this.#lastDecision = decision
      return
    }
    // One view only ever renews the current leader; anything else is decided by every member's view.
    if (!full && (racing || decision.kind !== 'candidate' || decision.member.name !== this.#lease.leader?.name)) {
      this.#fullRoundNeeded = true
      return this.#round()
    }
    if ((!full || early) && decision.kind === 'candidate') decision = { ...decision, unanimous: false }
    if (decision.kind === 'none' && (decision.reason === 'unreachable' || decision.reason === 'dcs-unavailable')) decision = await decideWithoutDcs(this.#o.api, asked, views, this.#members, this.#lease.leader)
    this.#lastDecision = decision
    this.#noticeMotion(decision, views.filter((v) => v.ok).length)
    if (decision.kind !== 'candidate') return this.revoke()
    const member = decision.member
    if (this.#lease.leader !== undefined && this.#lease.leader.name !== member.name) this.revoke()
    if (member.api_url === undefined || member.host === undefined || member.port === undefined) return this.revoke()
    const confirmation = this.#confirm(decision, member as Confirmable)
    // With a valid lease this is a background renewal: wait for it. Without one, callers are waiting:
    // do not let a frozen candidate (its /primary never answers) hold up the next round. The
    // confirmation goes on by itself and grants the lease if it succeeds.
    if (this.#lease.valid()) return await confirmation
    await settledWithin(confirmation, CONFIRM_WAIT_MS)
  }

  /**
   * The first round after a grant that sees the leader key move ({@link LeaderRace.noticeMotion}) starts
   * the paced rounds over at `waitPollMs`: the new leader is seconds, often milliseconds, away (issue #11:
   * HaPgClient followed about 1 s after libpq). From then (and from the moment the lost leader's key may
   * expire) until a grant, the rounds stay at most a race round apart and ask one member each: as many REST
   * calls per second as full rounds at the discovery interval on three members, but the winner is seen
   * within a quarter second, not a second (a frozen or partitioned leader used up the doubling before the
   * race ended: issue #11, followed 0.9 s late).
   */
  #noticeMotion(decision: LeaderDecision, answered: number): void {
    if (!this.#race.noticeMotion(decision, answered)) return
    this.#raceOn(this.#o.now())
    this.#nextPacedRoundAt = this.#o.now() + this.#backoffMs()
    this.#wakeNappers()
  }

  /** The race runs from `now` ({@link LeaderRace.start}), and paced rounds start over. */
  #raceOn(now: number): void {
    this.#race.start(now, this.#leaseBasis)
    this.#napStreak = 0
  }

  #seeKeyHolder({ name, host, port }: PatroniMember): void {
    if (host !== undefined && port !== undefined) this.#o.hooks.keyHolderSeen?.({ name, host, port })
  }

  /** Callers napping in waitForLease look again at once. */
  #wakeNappers(): void {
    for (const wake of this.#wakers) wake()
  }

  /** The next round, now and full: waiting callers are woken and their paced schedule starts over. */
  #roundNow(): void {
    this.#fullRoundNeeded = true
    this.#nextPacedRoundAt = Number.NEGATIVE_INFINITY
    this.#wakeNappers()
  }

  /** `GET /primary` on the candidate, at most one in flight per member; grants or revokes the lease. */
  #confirm(decision: LeaderDecision & { kind: 'candidate' }, member: Confirmable): Promise<void> {
    const url = apiBase(member.api_url)
    const inflight = this.#confirming.get(url)
    if (inflight !== undefined) return inflight
    // A race probe's answer confirms its own member, once; the lease starts when the probe was sent.
    const probe = this.#race.takeProbe(url)
    const sentAt = probe?.sentAt ?? this.#o.now()
    const generation = this.#lease.epochs
    const run = (async () => {
      // No lease before Patroni's timing is known: the lease length depends on it (issue #11, major 4).
      if (this.#patroniTiming === undefined) await this.#learnTiming(url)
      if (this.#patroniTiming === undefined) return
      const answer = probe?.answer ?? (await this.#o.api.primary(url))
      // Another leader was granted meanwhile: this late answer says nothing about it.
      if (this.#lease.epochs !== generation && this.#lease.leader?.name !== member.name) return
      if (!answer.ok) {
        // 503 means "not the primary": end the lease now. A timeout proves nothing; the lease lapses by itself.
        if (answer.status !== undefined) this.revoke()
        return
      }
      if (!promoted(answer)) return this.revoke()
      const body = answer.body
      const version = body.patroni?.version
      if (version !== undefined && version !== this.#patroniVersion) {
        this.#patroniVersion = version
        this.#applyTiming(this.#patroniTiming)
      }
      // While a node shuts down (switchover), Patroni may answer without a timeline: that is no new epoch.
      const leader = this.#lease.leader
      const timeline = body.timeline ?? member.timeline ?? (leader?.name === member.name ? leader.timeline : 0)
      // Never go back to a lower timeline, unless every member agrees (the 3.0.2 "old leader takes the key back" case).
      if (timeline < this.#maxTimeline && !decision.unanimous) return this.revoke()
      const terms = this.#termsContext()
      const leaseMs = leaseFor(body, terms)
      if (leaseMs <= 0) return this.revoke()
      this.#grant({ name: member.name, host: member.host, port: member.port, timeline, apiUrl: url }, sentAt, leaseMs)
      this.#keyExpiresAt = keyExpiry(body, sentAt, terms)
    })().finally(() => this.#confirming.delete(url))
    this.#confirming.set(url, run)
    return run
  }

  #termsContext(): LeaseTermsContext {
    const { leaseMs, discoveryIntervalMs } = this.#timing
    return { leaseMs, discoveryIntervalMs, basis: this.#leaseBasis, now: () => this.#o.now(), wallClock: () => (this.#o.wallClock ?? Date.now)(), random: () => this.#o.random() }
  }

  #grant(next: Omit<LeaderEpoch, 'id'>, sentAt: number, leaseMs: number): void {
    this.#lease.grant(next, sentAt, leaseMs, (from, to) => {
      this.counters.leaderChanges += from === undefined ? 0 : 1
      this.#o.hooks.leaderChanged(from, to)
    })
    this.#maxTimeline = next.timeline
    this.#napStreak = 0
    this.#nextPacedRoundAt = Number.NEGATIVE_INFINITY
    this.#race.end(next.name)
    this.#wakeNappers()
  }

  /** Reads `GET /config` (at start, then every `configRefreshMs`); a failed read keeps what was known. */
  async #learnTiming(url: string): Promise<void> {
    const answer = await this.#o.api.config(url)
    if (!answer.ok) return
    const { ttl, loop_wait, retry_timeout } = { ...PATRONI_DEFAULT_TIMING, ...answer.body }
    this.#configAt = this.#o.now()
    this.#applyTiming({ ttl, loop_wait, retry_timeout })
  }

  #applyTiming(shown: PatroniTiming): void {
    this.#patroniTiming = shown
    const { timing, lease, rejected } = clientTiming(shown, this.#patroniVersion, this.#o.timing)
    if (rejected !== undefined && rejected !== this.#rejected) this.#o.hooks.timingRejected?.(rejected)
    this.#rejected = rejected
    this.#timing = timing
    this.#leaseBasis = lease
    this.#o.api.timeoutMs = timing.restTimeoutMs
  }

  #describe(): string {
    const d = this.#lastDecision
    return d.kind === 'candidate' ? `candidate ${d.member.name} not confirmed` : d.reason
  }
}
