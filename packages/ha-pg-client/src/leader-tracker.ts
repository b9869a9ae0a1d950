import { HaPgError } from './errors.js'
import type { PatroniApi, PatroniMember, PatroniTiming, RestResult } from './patroni-api.js'
import { apiBase, decideLeader, learnedApiUrls, type LeaderDecision } from './topology.js'
import { deriveTiming, PATRONI_DEFAULT_TIMING, type ClientTiming } from './timing.js'

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
}

export interface LeaderTrackerOptions {
  readonly urls: readonly string[]
  readonly api: PatroniApi
  readonly timing: Partial<ClientTiming>
  readonly now: () => number
  readonly random: () => number
  readonly hooks: TrackerHooks
  /** Poll period while callers wait for a leader. */
  readonly waitPollMs?: number
}

const PRIMARY_ROLES = new Set(['master', 'primary'])
/** After a majority of views answered, how long to wait for the stragglers (a frozen Patroni never answers). */
const SETTLE_MS = 30
/** Without a lease, how long a round waits for the candidate's `GET /primary` before the next round may start. */
const CONFIRM_WAIT_MS = 100

type Confirmable = PatroniMember & { readonly api_url: string; readonly host: string; readonly port: number }

/**
 * Finds and leases the leader. Discovery asks every member's `/cluster` in parallel, picks a candidate
 * ({@link decideLeader}) and confirms it with `GET /primary` on that member. A confirmation sent at `t`
 * grants a lease until `t + leaseMs`; writes are only sent, and only reported successful, under a lease.
 */
export class LeaderTracker {
  readonly #o: LeaderTrackerOptions
  readonly #urls: Set<string>
  #patroniTiming: PatroniTiming | undefined
  #timing: ClientTiming
  #leader: LeaderEpoch | undefined
  #leaseStart = Number.NEGATIVE_INFINITY
  #maxTimeline = -1
  #epochs = 0
  #members: readonly PatroniMember[] = []
  #lastDecision: LeaderDecision = { kind: 'none', reason: 'unreachable' }
  #inflight: Promise<void> | undefined
  readonly #confirming = new Map<string, Promise<void>>()
  /** Callers napping in waitForLease; a grant wakes them at once. */
  readonly #wakers = new Set<() => void>()
  #timer: NodeJS.Timeout | undefined
  #closed = false
  #leaderlessSince: number | undefined
  #leaderlessTotal = 0
  readonly counters = { leaderChanges: 0, discoveryFailures: 0, refreshes: 0 }

  constructor(options: LeaderTrackerOptions) {
    this.#o = options
    this.#urls = new Set(options.urls.map(apiBase))
    this.#timing = { ...deriveTiming(PATRONI_DEFAULT_TIMING), ...options.timing }
    options.api.timeoutMs = this.#timing.restTimeoutMs
    this.#leaderlessSince = options.now()
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

  /** Total milliseconds spent without a valid lease (including now, if leaderless). */
  msWithoutLeader(): number {
    return this.#leaderlessTotal + (this.#leaderlessSince === undefined ? 0 : this.#o.now() - this.#leaderlessSince)
  }

  /** Whether `epoch` is leased at time `at`. */
  hasLease(epoch: LeaderEpoch, at = this.#o.now()): boolean {
    return this.#leader?.id === epoch.id && at < this.#leaseStart + this.#timing.leaseMs
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
    this.#inflight ??= this.#round().finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  /**
   * Resolves with the leased epoch, waiting (polling discovery) until `deadline`. Rejects with
   * `HAPG_NO_LEADER` at once when the members answer that their DCS is down, and with
   * `HAPG_FAILOVER_TIMEOUT` when the deadline passes.
   */
  async waitForLease(deadline: number): Promise<LeaderEpoch> {
    for (;;) {
      if (this.#closed) throw new HaPgError('HAPG_CLOSED', 'the client is closed')
      const leader = this.#leader
      if (leader !== undefined && this.hasLease(leader)) return leader
      await this.refresh()
      const now = this.#o.now()
      const leased = this.#leader
      if (leased !== undefined && this.hasLease(leased, now)) return leased
      if (this.#lastDecision.kind === 'none' && this.#lastDecision.reason === 'dcs-unavailable') {
        throw new HaPgError('HAPG_NO_LEADER', 'no leader: the Patroni members report that their DCS is unavailable')
      }
      if (now >= deadline) {
        throw new HaPgError('HAPG_FAILOVER_TIMEOUT', `no confirmed leader within the failover deadline (${this.#describe()})`)
      }
      await this.#nap(Math.min(this.#o.waitPollMs ?? 50, Math.max(1, deadline - now)))
    }
  }

  /** Ends the current lease at once (the leader's session said it is read-only, or a member named another leader). */
  revoke(): void {
    if (this.#leader !== undefined && this.#leaseStart !== Number.NEGATIVE_INFINITY) {
      this.#leaseStart = Number.NEGATIVE_INFINITY
      this.#leaderlessSince ??= this.#o.now()
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    await this.#inflight
    await Promise.all(this.#confirming.values())
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
      void this.refresh().finally(() => this.#schedule())
    }, delay)
    this.#timer.unref()
  }

  async #round(): Promise<void> {
    this.counters.refreshes += 1
    const asked = [...this.#urls]
    const views = await quorumSettled(asked.map((url) => this.#o.api.cluster(url)))
    for (const url of learnedApiUrls(views)) this.#urls.add(url)
    if (views.every((v) => !v.ok)) {
      this.counters.discoveryFailures += 1
      const failed = views[0] as { error: unknown }
      this.#o.hooks.discoveryFailed(new HaPgError('HAPG_DISCOVERY_FAILED', 'no Patroni member answered GET /cluster', { cause: failed.error }))
    } else {
      const freshest = views.find((v) => v.ok && v.body.members !== undefined) as { body: { members: PatroniMember[] } } | undefined
      if (freshest !== undefined) this.#members = freshest.body.members
      await this.#learnTiming(asked[views.findIndex((v) => v.ok)] as string)
    }
    let decision = decideLeader(views)
    if (decision.kind === 'none' && (decision.reason === 'unreachable' || decision.reason === 'dcs-unavailable')) decision = await this.#withoutDcs(asked)
    this.#lastDecision = decision
    if (decision.kind !== 'candidate') return this.revoke()
    const member = decision.member
    if (this.#leader !== undefined && this.#leader.name !== member.name) this.revoke()
    if (member.api_url === undefined || member.host === undefined || member.port === undefined) return this.revoke()
    const confirmation = this.#confirm(decision, member as Confirmable)
    // With a valid lease this is a background renewal: wait for it. Without one, callers are waiting:
    // do not let a frozen candidate (its /primary never answers) hold up the next round. The
    // confirmation goes on by itself and grants the lease if it succeeds.
    if (this.#leader !== undefined && this.hasLease(this.#leader)) return await confirmation
    await raceTimer(confirmation, CONFIRM_WAIT_MS)
  }

  /**
   * No member answered `/cluster`. Patroni 3.0.2 cannot answer it without its DCS (the request fails or
   * hangs), but `/primary` still answers from the node's own state. With `failsafe_mode` the leader
   * keeps its role (and answers 200) while it reaches every member: it stays the candidate. If a
   * majority answers `/primary` at all, the members are up and their DCS is not: `dcs-unavailable`.
   */
  async #withoutDcs(urls: readonly string[]): Promise<LeaderDecision> {
    const answers = await quorumSettled(urls.map((url) => this.#o.api.primary(url)))
    const known = new Map(this.#members.filter((m) => m.api_url !== undefined).map((m) => [apiBase(m.api_url as string), m] as const))
    const leader = this.#leader
    if (leader !== undefined) known.set(leader.apiUrl, { name: leader.name, role: 'leader', state: 'running', api_url: leader.apiUrl, host: leader.host, port: leader.port, timeline: leader.timeline })
    const primary = urls.findIndex((url, i) => answers[i]?.ok === true && known.has(url))
    if (primary >= 0) return { kind: 'candidate', member: known.get(urls[primary] as string) as PatroniMember, votes: 0, unanimous: false }
    const answered = answers.filter((a) => a.status !== undefined).length
    return { kind: 'none', reason: answered * 2 > urls.length ? 'dcs-unavailable' : 'unreachable' }
  }

  /** `GET /primary` on the candidate, at most one in flight per member; grants or revokes the lease. */
  #confirm(decision: LeaderDecision & { kind: 'candidate' }, member: Confirmable): Promise<void> {
    const url = apiBase(member.api_url)
    const inflight = this.#confirming.get(url)
    if (inflight !== undefined) return inflight
    const sentAt = this.#o.now()
    const generation = this.#epochs
    const run = (async () => {
      const answer = await this.#o.api.primary(url)
      // Another leader was granted meanwhile: this late answer says nothing about it.
      if (this.#epochs !== generation && this.#leader?.name !== member.name) return
      if (!answer.ok) {
        // 503 means "not the primary": end the lease now. A timeout proves nothing; the lease lapses by itself.
        if (answer.status !== undefined) this.revoke()
        return
      }
      if (!PRIMARY_ROLES.has(answer.body.role ?? 'master')) return this.revoke()
      // While a node shuts down (switchover), Patroni may answer without a timeline: that is no new epoch.
      const timeline = answer.body.timeline ?? member.timeline ?? (this.#leader?.name === member.name ? this.#leader.timeline : 0)
      // Never go back to a lower timeline, unless every member agrees (the 3.0.2 "old leader takes the key back" case).
      if (timeline < this.#maxTimeline && !decision.unanimous) return this.revoke()
      this.#grant({ name: member.name, host: member.host, port: member.port, timeline, apiUrl: url }, sentAt)
    })().finally(() => this.#confirming.delete(url))
    this.#confirming.set(url, run)
    return run
  }

  #grant(next: Omit<LeaderEpoch, 'id'>, sentAt: number): void {
    const current = this.#leader
    const same = current !== undefined && current.name === next.name && current.host === next.host && current.port === next.port && current.timeline === next.timeline && current.apiUrl === next.apiUrl
    if (!same) {
      const epoch = { id: ++this.#epochs, ...next }
      this.#leader = epoch
      this.#leaseStart = Number.NEGATIVE_INFINITY
      this.counters.leaderChanges += current === undefined ? 0 : 1
      this.#o.hooks.leaderChanged(current, epoch)
    }
    this.#maxTimeline = next.timeline
    this.#leaseStart = Math.max(this.#leaseStart, sentAt)
    for (const wake of this.#wakers) wake()
    if (this.#leaderlessSince !== undefined) {
      this.#leaderlessTotal += Math.max(0, this.#o.now() - this.#leaderlessSince)
      this.#leaderlessSince = undefined
    }
  }

  async #learnTiming(url: string): Promise<void> {
    if (this.#patroniTiming !== undefined) return
    const answer = await this.#o.api.config(url)
    if (!answer.ok) return
    const { ttl, loop_wait, retry_timeout } = { ...PATRONI_DEFAULT_TIMING, ...answer.body }
    this.#patroniTiming = { ttl, loop_wait, retry_timeout }
    this.#timing = { ...deriveTiming(this.#patroniTiming), ...this.#o.timing }
    this.#o.api.timeoutMs = this.#timing.restTimeoutMs
  }

  #describe(): string {
    const d = this.#lastDecision
    return d.kind === 'candidate' ? `candidate ${d.member.name} not confirmed` : d.reason
  }
}

/**
 * Resolves with every answer once all settled, or `SETTLE_MS` after a majority answered: a frozen
 * member must not hold up a round. Unsettled answers count as timeouts.
 */
function quorumSettled<T>(calls: Promise<RestResult<T>>[]): Promise<RestResult<T>[]> {
  const results: (RestResult<T> | undefined)[] = calls.map(() => undefined)
  const majority = Math.floor(calls.length / 2) + 1
  return new Promise((resolve) => {
    let done = 0
    let timer: NodeJS.Timeout | undefined
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      resolve(results.map((r) => r ?? { ok: false, error: new Error('no answer before the round settled') }))
    }
    calls.forEach((call, i) => {
      void call.then((result) => {
        results[i] = result
        done += 1
        if (done === calls.length) finish()
        else if (done === majority && timer === undefined) timer = setTimeout(finish, SETTLE_MS)
      })
    })
  })
}

/** Resolves when `p` settles or after `ms`, whichever comes first; the timer never outlives it. */
async function raceTimer(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}


