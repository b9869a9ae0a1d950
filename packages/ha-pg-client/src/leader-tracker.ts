import { HaPgError } from './errors.js'
import type { PatroniApi, PatroniMember, PatroniTiming, PrimaryAnswer, RestResult } from './patroni-api.js'
import { apiBase, decideLeader, learnedApiUrls, namesLeader, type LeaderDecision } from './topology.js'
import { settledWithin } from './settled-within.js'
import type { KeyHolder } from './warm-up.js'
import { clientTiming, deriveTiming, LEADER_RACE_MS, PATRONI_DEFAULT_TIMING, type ClientTiming } from './timing.js'

/** One leader epoch: a member on a timeline. A new epoch means a new pool. */
export interface LeaderEpoch {
  readonly id: number
  readonly name: string
  readonly host: string
  readonly port: number
  readonly timeline: number
  /** Its Patroni REST base URL. */
  readonly apiUrl: string
}

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

const PRIMARY_ROLES = new Set(['master', 'primary'])
/** After a majority of views answered, how long to wait for the stragglers (a frozen Patroni never answers). */
const SETTLE_MS = 30
/** Without a lease, how long a round waits for the candidate's `GET /primary` before the next round may start. */
const CONFIRM_WAIT_MS = 100
/** In steady state, a full round (every member's `/cluster`) runs at least this often; others ask one member. */
const FULL_ROUND_EVERY = 4
/** While a leader race runs, paced rounds come at least this often (±50 % jitter); each asks one member. */
const RACE_POLL_MS = 250
/** While the key holder promotes, rounds that ask only its `/primary` come this often: as many calls per second as race rounds. */
const HOLDER_POLL_MS = 125
/** At most this many of those in a row; then a race round asks a `/cluster` view again (the holder may have lost the key). */
const HOLDER_ROUNDS = 3

type Confirmable = PatroniMember & { readonly api_url: string; readonly host: string; readonly port: number }

/**
 * Finds and leases the leader. Discovery asks every member's `/cluster` in parallel, picks a candidate
 * ({@link decideLeader}) and confirms it with `GET /primary` on that member. A confirmation sent at `t`
 * grants a lease until `t + leaseMs`; writes are only sent, and only reported successful, under a lease.
 */
export class LeaderTracker {
  readonly #o: LeaderTrackerOptions
  #urls: Set<string>
  readonly #seeds: readonly string[]
  #patroniTiming: PatroniTiming | undefined
  #patroniVersion: string | undefined
  #configAt = Number.NEGATIVE_INFINITY
  /** When the last lease ended (or was revoked); the watchdog counts from here. */
  #leaseEnd = Number.NEGATIVE_INFINITY
  #rounds = 0
  #fullRoundNeeded = true
  #napStreak = 0
  /** While leaderless, no paced round before this time (see {@link LeaderTracker.refreshPaced}). */
  #nextPacedRoundAt = Number.NEGATIVE_INFINITY
  /** When the leased leader's key would expire had it stopped refreshing it at its last answer (+ jitter): paced rounds start over then. */
  #keyExpiresAt = Number.POSITIVE_INFINITY
  /** The leader granted last, until a round sees the key free or with another member (paced rounds start over once per grant). */
  #motionWatchedLeader: string | undefined
  /** Until then, no lease and the key seen moving: a leader race runs, paced rounds stay short and ask one member. */
  #raceUntil = Number.NEGATIVE_INFINITY
  /** A race round's `/primary` answer as a primary: the confirmation of the full round it starts, if that decides its member. */
  #probe: { readonly url: string; readonly sentAt: number; readonly answer: RestResult<PrimaryAnswer> } | undefined
  /** Race rounds so far: every other one asks the candidates' `/primary` rather than a view. */
  #raceRounds = 0
  /** The key holder a race round saw still promoting, and how many rounds asked only its `/primary` since. */
  #promoting: { readonly url: string; rounds: number } | undefined
  /** The members other than the leader whose `/cluster` answered in the last full round: who a race round asks. */
  #answering: readonly string[] = []
  /** When the last finished discovery round began (what it decided was seen from then on). */
  #lastRoundAt = Number.NEGATIVE_INFINITY
  #rejected: string | undefined
  /** The lease of the current grant (shortened when the leader's DCS contact is old). */
  #leaseMs = 0
  /** The Patroni timing the lease is derived from (the safety view, see effectiveTiming). */
  #leaseBasis: PatroniTiming = PATRONI_DEFAULT_TIMING
  #timing: ClientTiming
  #leader: LeaderEpoch | undefined
  #leaseStart = Number.NEGATIVE_INFINITY
  #maxTimeline = -1
  #epochs = 0
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
  readonly #createdAt: number
  /** Milliseconds without a valid lease, up to the last grant. */
  #leaderlessTotal = 0
  readonly counters = { leaderChanges: 0, discoveryFailures: 0, refreshes: 0, restCalls: 0 }

  constructor(options: LeaderTrackerOptions) {
    this.#o = options
    this.#seeds = options.urls.map(apiBase)
    this.#urls = new Set(this.#seeds)
    this.#timing = { ...deriveTiming(PATRONI_DEFAULT_TIMING), ...options.timing }
    options.api.timeoutMs = this.#timing.restTimeoutMs
    this.#createdAt = options.now()
  }

  get timing(): ClientTiming {
    return this.#timing
  }

  get leader(): LeaderEpoch | undefined {
    return this.#leader
  }

  get members(): readonly PatroniMember[] {
    return this.#members
  }

  /** Milliseconds since the current lease was granted, or undefined without a leader. */
  leaseAge(): number | undefined {
    return this.#leader === undefined ? undefined : this.#o.now() - this.#leaseStart
  }

  /** Total milliseconds spent without a valid lease, lapsed or revoked (including now, if leaderless). */
  msWithoutLeader(): number {
    const now = this.#o.now()
    const leader = this.#leader
    if (leader !== undefined && this.hasLease(leader, now)) return this.#leaderlessTotal
    return this.#leaderlessTotal + now - this.#leaselessSince()
  }

  /** When the time without a lease began: the end of the last lease (lapsed or revoked), else the start. */
  #leaselessSince(): number {
    return Number.isFinite(this.#leaseEnd) ? this.#leaseEnd : this.#createdAt
  }

  /** Whether `epoch` is leased at time `at`. */
  hasLease(epoch: LeaderEpoch, at = this.#o.now()): boolean {
    return this.#leader?.id === epoch.id && at < this.#leaseStart + this.#leaseMs
  }

  /** 0 while a lease is valid; else how long ago the last one ended (Infinity if there never was one). */
  leaseLostForMs(): number {
    const leader = this.#leader
    if (leader !== undefined && this.hasLease(leader)) return 0
    return this.#o.now() - this.#leaseEnd
  }

  /** Whether the leased epoch is `epoch` and its lease began after `at` (a re-confirmation covering `at`). */
  confirmedSince(epoch: LeaderEpoch, at: number): boolean {
    return this.#leader?.id === epoch.id && this.#leaseStart >= at && this.hasLease(epoch)
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
      const leader = this.#leader
      if (leader !== undefined && this.hasLease(leader)) return leader
      await this.refreshPaced()
      const now = this.#o.now()
      const leased = this.#leader
      if (leased !== undefined && this.hasLease(leased, now)) return leased
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
    if (this.#leader !== undefined && this.#leaseStart !== Number.NEGATIVE_INFINITY) {
      this.#leaseEnd = Math.min(this.#leaseEnd, this.#o.now())
      this.#leaseStart = Number.NEGATIVE_INFINITY
      this.#fullRoundNeeded = true
    }
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
    const racePace = this.#promoting === undefined ? RACE_POLL_MS : HOLDER_POLL_MS
    const cap = this.#o.now() < this.#raceUntil ? Math.min(racePace, interval) : interval
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
    const leased = this.#leader !== undefined && this.hasLease(this.#leader)
    const racing = !leased && !this.#fullRoundNeeded && this.#o.now() < this.#raceUntil && this.#answering.length > 0
    const full = !racing && (!leased || this.#fullRoundNeeded || this.#rounds % FULL_ROUND_EVERY === 0 || all.length === 1)
    this.#fullRoundNeeded = false
    if (!racing) this.#promoting = undefined
    else if (this.#promoting !== undefined && this.#promoting.rounds < HOLDER_ROUNDS) return this.#watchHolder(this.#promoting)
    else if (this.#promoting === undefined && this.#raceRounds++ % 2 === 0) return this.#askCandidates()
    const pickFrom = racing ? this.#answering : all
    const asked = full ? all : [pickFrom[this.#rounds % pickFrom.length] as string]
    // After a race probe found its member promoted, one view from another member that names it is enough:
    // with the member's own /primary, two members agree. On the loaded lab a majority of views took up to
    // 950 ms (they read the DCS, one of whose members was cut off with the leader).
    const probe = full ? this.#probe : undefined
    const agrees = probe === undefined ? undefined : (view: RestResult<{ members?: PatroniMember[] }>, i: number): boolean => asked[i] !== probe.url && namesLeader(view, probe.url)
    const { results: views, early } = await quorumSettled(asked.map((url) => this.#o.api.cluster(url)), agrees)
    // not the leader: once lost, its view is the stalest (cut off from its DCS, Patroni serves its last cache)
    if (full && !early) this.#answering = asked.filter((url, i) => views[i]?.ok === true && url !== this.#leader?.apiUrl)
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
    if (racing && !(await this.#raceMayBeOver(decision))) return
    // One view only ever renews the current leader; anything else is decided by every member's view.
    if (!full && (racing || decision.kind !== 'candidate' || decision.member.name !== this.#leader?.name)) {
      this.#fullRoundNeeded = true
      return this.#round()
    }
    if ((!full || early) && decision.kind === 'candidate') decision = { ...decision, unanimous: false }
    if (decision.kind === 'none' && (decision.reason === 'unreachable' || decision.reason === 'dcs-unavailable')) decision = await this.#withoutDcs(asked, views)
    this.#lastDecision = decision
    this.#noticeMotion(decision, views.filter((v) => v.ok).length)
    if (decision.kind !== 'candidate') return this.revoke()
    const member = decision.member
    if (this.#leader !== undefined && this.#leader.name !== member.name) this.revoke()
    if (member.api_url === undefined || member.host === undefined || member.port === undefined) return this.revoke()
    const confirmation = this.#confirm(decision, member as Confirmable)
    // With a valid lease this is a background renewal: wait for it. Without one, callers are waiting:
    // do not let a frozen candidate (its /primary never answers) hold up the next round. The
    // confirmation goes on by itself and grants the lease if it succeeds.
    if (this.#leader !== undefined && this.hasLease(this.#leader)) return await confirmation
    await settledWithin(confirmation, CONFIRM_WAIT_MS)
  }

  /**
   * No member answered `/cluster`. Patroni 3.0.2 cannot answer it without its DCS (the request fails or
   * hangs), but `/primary` still answers from the node's own state. With `failsafe_mode` the leader
   * keeps its role (and answers 200) while it reaches every member: it stays the candidate. If a
   * majority answers `/primary` at all, the members are up and their DCS is not: `dcs-unavailable`.
   */
  async #withoutDcs(urls: readonly string[], views: readonly RestResult<unknown>[]): Promise<LeaderDecision> {
    const { results: answers } = await quorumSettled(urls.map((url) => this.#o.api.primary(url)))
    const known = new Map(this.#members.filter((m) => m.api_url !== undefined).map((m) => [apiBase(m.api_url as string), m] as const))
    const leader = this.#leader
    if (leader !== undefined) known.set(leader.apiUrl, { name: leader.name, role: 'leader', state: 'running', api_url: leader.apiUrl, host: leader.host, port: leader.port, timeline: leader.timeline })
    const primary = urls.findIndex((url, i) => answers[i]?.ok === true && known.has(url))
    if (primary >= 0) return { kind: 'candidate', member: known.get(urls[primary] as string) as PatroniMember, votes: 0, unanimous: false }
    // Only a node's own answer about its role counts (200 primary, 503 not): a 401 or 404 says nothing about
    // its DCS, and counting it turned a refused password into "DCS unavailable" (HAPG_NO_LEADER).
    const answered = answers.filter((a) => a.ok || a.status === 503).length
    // `/cluster` that merely timed out (busy members racing for the key while the leader is frozen) says
    // nothing about the DCS: keep waiting. Only refused, closed or 5xx answers from a majority do.
    const slow = views.filter((v) => !v.ok && v.timedOut === true).length
    return { kind: 'none', reason: answered * 2 > urls.length && slow * 2 <= views.length ? 'dcs-unavailable' : 'unreachable' }
  }

  /**
   * The first round after a grant that sees the leader key free (`no-leader`: the race is on), held
   * by another member (it promotes now), or still held by the leader in no more than half of the views
   * that answered (a leader cut off from its DCS names itself from its last cache; the others see the
   * key free) starts the paced rounds over at `waitPollMs`: the new leader is seconds, often
   * milliseconds, away. Once per grant, so views that keep changing cannot make a fleet poll fast for
   * long (issue #11: HaPgClient followed about 1 s after libpq).
   *
   * From then (and from the moment the lost leader's key may expire) until a grant, the rounds stay at
   * most RACE_POLL_MS apart and ask one member each ({@link LeaderTracker.#raceOn}): as many REST calls
   * per second as full rounds at the discovery interval on three members, but the winner is seen within
   * a quarter second, not a second (a frozen or partitioned leader used up the doubling before the race
   * ended: issue #11, followed 0.9 s late).
   */
  #noticeMotion(decision: LeaderDecision, answered: number): void {
    const watched = this.#motionWatchedLeader
    if (watched === undefined) return
    const moved = decision.kind === 'candidate' ? decision.member.name !== watched || (answered > 0 && decision.votes * 2 <= answered) : decision.reason === 'no-leader'
    if (!moved) return
    this.#motionWatchedLeader = undefined
    this.#raceOn(this.#o.now())
    this.#nextPacedRoundAt = this.#o.now() + this.#backoffMs()
    this.#wakeNappers()
  }

  /**
   * Paced rounds start over and, until a grant, stay at the race pace for as long as Patroni may take
   * from the key's expiry to a new leader: the part of the failover deadline after `ttl` (a replica
   * notices within `loop_wait`, its race's 2 s status requests, the promotion within `retry_timeout`,
   * the new role at the next loop). 20/1/5: 9 s. Measured on the lab: a partitioned leader was replaced
   * up to 5.6 s after its key's ttl.
   */
  #raceOn(now: number): void {
    const { loop_wait, retry_timeout } = this.#leaseBasis
    this.#raceUntil = now + (2 * loop_wait + retry_timeout) * 1000 + LEADER_RACE_MS
    this.#napStreak = 0
  }

  /**
   * A race round's one view: the key still free, or held by a member whose `/primary` does not answer
   * 200 as a primary within CONFIRM_WAIT_MS (its PostgreSQL still promotes), means the race goes on: 1
   * or 2 REST calls, not a full round and a confirmation. Anything else is for a full round to decide.
   */
  async #raceMayBeOver(decision: LeaderDecision): Promise<boolean> {
    this.#probe = undefined // an earlier probe's answer is older than what this round sees
    this.#promoting = undefined
    if (decision.kind === 'none' && decision.reason !== 'no-leader') return true
    this.#lastDecision = decision
    // a key holder without a REST address could never be confirmed: the race goes on for this client
    const holder = decision.kind === 'candidate' ? decision.member.api_url : undefined
    if (holder === undefined) return false
    const url = apiBase(holder)
    const answer = await this.#probeHolder(url)
    if (answer === 'promoted') return true
    // Patroni 4 answers 200 as a replica while it promotes: watch it (3.x answers 503 until it is the primary)
    if (answer?.ok === true) this.#promoting = { url, rounds: 0 }
    return false
  }

  /**
   * A race round that asks every candidate's `/primary` (who answered the last full round, never the lost
   * leader) instead of one `/cluster` view. Patroni answers `/primary` from its own state; `/cluster` reads
   * the DCS, and on the lab, with an etcd member cut off along with the leader, views took 300–950 ms
   * while `/primary` took 100–140 ms. Every other race round is still a view, which may name a holder
   * this client did not ask. On three members, as many REST calls as a view and its probe.
   */
  async #askCandidates(): Promise<void> {
    const answers = await Promise.all(this.#answering.map(async (url) => ({ url, answer: await this.#probeHolder(url) })))
    if (answers.some(({ answer }) => answer === 'promoted')) {
      this.#fullRoundNeeded = true
      return this.#round()
    }
    const holder = answers.find(({ answer }) => answer !== undefined && answer !== 'promoted' && answer.ok)
    if (holder !== undefined) this.#holdsKey(holder.url)
  }

  /** A candidate answered `/primary` 200 as a replica: Patroni 4's key holder while it promotes. Watched, and its sessions warmed. */
  #holdsKey(url: string): void {
    this.#promoting = { url, rounds: 0 }
    this.#seeKeyHolderAt(url)
  }

  /**
   * A race round while the key holder promotes: its `/primary` only, no `/cluster` view, every
   * HOLDER_POLL_MS: as many REST calls per second as race rounds (one call, not two, twice as often), and
   * the end of the promotion seen twice as soon. An answer as a primary starts the full round that
   * decides; anything but 200 as a replica (it lost the key, or is gone) and every HOLDER_ROUNDS-th round
   * go back to race rounds, whose view may name another holder.
   */
  async #watchHolder(promoting: { readonly url: string; rounds: number }): Promise<void> {
    promoting.rounds += 1
    const answer = await this.#probeHolder(promoting.url)
    if (answer === 'promoted') {
      this.#fullRoundNeeded = true
      return this.#round()
    }
    if (answer !== undefined && !answer.ok) this.#promoting = undefined
  }

  /**
   * `GET /primary` on the key holder, waited for CONFIRM_WAIT_MS: 'promoted' (kept as the confirmation,
   * see {@link LeaderTracker.#promotedProbe}), another answer, or undefined if it did not answer in time.
   */
  async #probeHolder(url: string): Promise<'promoted' | RestResult<PrimaryAnswer> | undefined> {
    const sentAt = this.#o.now()
    const asked = this.#o.api.primary(url)
    const answer = await settledWithin(asked, CONFIRM_WAIT_MS)
    if (answer !== undefined) return this.#promotedProbe(url, sentAt, answer) ? 'promoted' : answer
    // A busy member answers late (on the lab's loaded hosts, /primary's status query took longer than
    // the wait): a late answer as a primary asks every member at once rather than at the next race round.
    void asked.then((late) => {
      if (this.#promotedProbe(url, sentAt, late)) this.#roundNow()
      else if (late.ok && this.#promoting === undefined && this.#o.now() < this.#raceUntil) this.#holdsKey(url)
    })
    return undefined
  }

  /**
   * Whether a race probe says its member is the primary; if so it is kept as the confirmation of the
   * full round that follows (one `/primary` less on a node that just promoted, and the lease starts at
   * the probe: no later than a confirmation sent after the round would). That round's views must still
   * decide that member, so nothing is granted on one view.
   */
  #promotedProbe(url: string, sentAt: number, answer: RestResult<PrimaryAnswer>): boolean {
    if (!promoted(answer)) return false
    this.#probe = { url, sentAt, answer }
    // Its sessions open now, while the full round's views come: on the lab they took 300-950 ms, and
    // warmed only from that round's decision, no session was open on the new leader at its lease.
    this.#seeKeyHolderAt(url)
    return true
  }

  #seeKeyHolder({ name, host, port }: PatroniMember): void {
    if (host !== undefined && port !== undefined) this.#o.hooks.keyHolderSeen?.({ name, host, port })
  }

  #seeKeyHolderAt(url: string): void {
    const member = this.#members.find((m) => m.api_url !== undefined && apiBase(m.api_url) === url)
    if (member !== undefined) this.#seeKeyHolder(member)
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
    const probe = this.#probe?.url === url ? this.#probe : undefined
    this.#probe = undefined
    const sentAt = probe?.sentAt ?? this.#o.now()
    const generation = this.#epochs
    const run = (async () => {
      // No lease before Patroni's timing is known: the lease length depends on it (issue #11, major 4).
      if (this.#patroniTiming === undefined) await this.#learnTiming(url)
      if (this.#patroniTiming === undefined) return
      const answer = probe?.answer ?? (await this.#o.api.primary(url))
      // Another leader was granted meanwhile: this late answer says nothing about it.
      if (this.#epochs !== generation && this.#leader?.name !== member.name) return
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
      const timeline = body.timeline ?? member.timeline ?? (this.#leader?.name === member.name ? this.#leader.timeline : 0)
      // Never go back to a lower timeline, unless every member agrees (the 3.0.2 "old leader takes the key back" case).
      if (timeline < this.#maxTimeline && !decision.unanimous) return this.revoke()
      const leaseMs = this.#leaseFor(body)
      if (leaseMs <= 0) return this.revoke()
      this.#grant({ name: member.name, host: member.host, port: member.port, timeline, apiUrl: url }, sentAt, leaseMs)
      this.#keyExpiresAt = this.#keyExpiry(body, sentAt)
    })().finally(() => this.#confirming.delete(url))
    this.#confirming.set(url, run)
    return run
  }

  /**
   * The lease one confirmation grants. A `/primary` 200 proves only that the leader key was refreshed
   * within `ttl` (Patroni's `is_leader()`). When the answer says the member last reached its DCS
   * (`dcs_last_seen`) more than `loop_wait` ago, its key may expire that much sooner, so the lease is
   * shortened by the excess; under `failsafe_mode_is_active` the leader runs on the confirmation of
   * every member instead of the key, and the full lease holds. Older answers without the field: full lease.
   */
  #leaseFor(body: PrimaryAnswer): number {
    const leaseMs = this.#timing.leaseMs
    if (body.failsafe_mode_is_active === true || typeof body.dcs_last_seen !== 'number') return leaseMs
    const ageMs = Math.max(0, (this.#o.wallClock ?? Date.now)() - body.dcs_last_seen * 1000)
    return Math.min(leaseMs, leaseMs - (ageMs - this.#leaseBasis.loop_wait * 1000))
  }

  /**
   * When the leader key would expire had the leader stopped refreshing it by the time of this answer:
   * `ttl` after its last DCS contact (`dcs_last_seen`, whole seconds), else after `sentAt − loop_wait`.
   * Spread over the next second (or discovery interval, if shorter) so that a fleet reading the same
   * `dcs_last_seen` does not ask in lockstep. Only a hint for pacing: no lease depends on it.
   * Under `failsafe_mode_is_active` no replica may take the key: no hint.
   */
  #keyExpiry(body: PrimaryAnswer, sentAt: number): number {
    if (body.failsafe_mode_is_active === true) return Number.POSITIVE_INFINITY
    const { ttl, loop_wait } = this.#leaseBasis
    // the last contact on the monotonic clock: dcs_last_seen is a wall-clock time, read as an age
    const contactAt = typeof body.dcs_last_seen === 'number' ? this.#o.now() - Math.max(0, (this.#o.wallClock ?? Date.now)() - body.dcs_last_seen * 1000) : sentAt - loop_wait * 1000
    const spreadMs = Math.min(1000, this.#timing.discoveryIntervalMs) * this.#o.random()
    return contactAt + ttl * 1000 + spreadMs
  }

  #grant(next: Omit<LeaderEpoch, 'id'>, sentAt: number, leaseMs: number): void {
    const current = this.#leader
    const now = this.#o.now()
    // a lease that lapsed (a frozen leader's /primary times out: nothing revokes it) counts as much as a revoked one
    if (current === undefined || !this.hasLease(current, now)) this.#leaderlessTotal += Math.max(0, now - this.#leaselessSince())
    const same = current !== undefined && current.name === next.name && current.host === next.host && current.port === next.port && current.timeline === next.timeline && current.apiUrl === next.apiUrl
    if (!same) {
      const epoch = { id: ++this.#epochs, ...next }
      this.#leader = epoch
      this.#leaseStart = Number.NEGATIVE_INFINITY
      this.counters.leaderChanges += current === undefined ? 0 : 1
      this.#o.hooks.leaderChanged(current, epoch)
    }
    this.#maxTimeline = next.timeline
    if (sentAt + leaseMs > this.#leaseStart + this.#leaseMs) {
      this.#leaseStart = sentAt
      this.#leaseMs = leaseMs
    }
    this.#leaseEnd = this.#leaseStart + this.#leaseMs
    this.#napStreak = 0
    this.#nextPacedRoundAt = Number.NEGATIVE_INFINITY
    this.#motionWatchedLeader = next.name
    this.#raceUntil = Number.NEGATIVE_INFINITY
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

/**
 * Whether a `/primary` answer says the member is the primary. Patroni answers 200 as soon as the member
 * holds the key (`Ha.is_leader()`), with role `replica` until its PostgreSQL is out of recovery
 * (patroni/api.py, `do_GET`; measured on 4.0.7: 100–200 ms).
 */
function promoted(answer: RestResult<PrimaryAnswer>): boolean {
  return answer.ok && PRIMARY_ROLES.has(answer.body.role ?? 'master')
}

/**
 * Resolves with every answer once all settled, or `SETTLE_MS` after a majority answered: a frozen
 * member must not hold up a round. Or at once (`early`) when an answer is `enough`. Unsettled answers
 * count as timeouts.
 */
function quorumSettled<T>(calls: Promise<RestResult<T>>[], enough?: (result: RestResult<T>, i: number) => boolean): Promise<{ results: RestResult<T>[]; early: boolean }> {
  const results: (RestResult<T> | undefined)[] = calls.map(() => undefined)
  const majority = Math.floor(calls.length / 2) + 1
  return new Promise((resolve) => {
    let done = 0
    let timer: NodeJS.Timeout | undefined
    const finish = (early: boolean): void => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      resolve({ results: results.map((r) => r ?? { ok: false, error: new Error('no answer before the round settled'), timedOut: true }), early })
    }
    calls.forEach((call, i) => {
      void call.then((result) => {
        results[i] = result
        done += 1
        if (done === calls.length) finish(false)
        else if (enough?.(result, i) === true) finish(true)
        else if (done === majority && timer === undefined) timer = setTimeout(() => finish(false), SETTLE_MS)
      })
    })
  })
}
