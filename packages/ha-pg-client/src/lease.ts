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

/**
 * The leader epoch and its lease: a confirmation sent at `t` leases the epoch until `t + ms`; a revoke
 * ends it at once. Counts the time spent without a valid lease, lapsed or revoked. Only bookkeeping:
 * who confirms, and for how long, is the tracker's business.
 */
export class Lease {
  readonly #now: () => number
  readonly #createdAt: number
  #leader: LeaderEpoch | undefined
  #start = Number.NEGATIVE_INFINITY
  #ms = 0
  /** When the last lease ended (or was revoked). */
  #end = Number.NEGATIVE_INFINITY
  #epochs = 0
  /** Milliseconds without a valid lease, up to the last grant. */
  #leaderlessTotal = 0

  constructor(now: () => number) {
    this.#now = now
    this.#createdAt = now()
  }

  get leader(): LeaderEpoch | undefined {
    return this.#leader
  }

  /** How many epochs were ever made: a confirmation sent before another epoch began knows it by this. */
  get epochs(): number {
    return this.#epochs
  }

  /** Whether `epoch` is leased at time `at`. */
  holds(epoch: LeaderEpoch, at = this.#now()): boolean {
    return this.#leader?.id === epoch.id && at < this.#start + this.#ms
  }

  /** Whether any epoch is leased now. */
  valid(at = this.#now()): boolean {
    return this.#leader !== undefined && this.holds(this.#leader, at)
  }

  /** Milliseconds since the current lease was granted, or undefined without a leader. */
  age(): number | undefined {
    return this.#leader === undefined ? undefined : this.#now() - this.#start
  }

  /** Total milliseconds spent without a valid lease, lapsed or revoked (including now, if leaderless). */
  msWithout(): number {
    const now = this.#now()
    if (this.valid(now)) return this.#leaderlessTotal
    return this.#leaderlessTotal + now - this.#leaselessSince()
  }

  /** 0 while a lease is valid; else how long ago the last one ended (Infinity if there never was one). */
  lostForMs(): number {
    return this.valid() ? 0 : this.#now() - this.#end
  }

  /** Whether the leased epoch is `epoch` and its lease began after `at` (a re-confirmation covering `at`). */
  confirmedSince(epoch: LeaderEpoch, at: number): boolean {
    return this.#leader?.id === epoch.id && this.#start >= at && this.holds(epoch)
  }

  /** Ends the current lease now; false if there was none to end. */
  revoke(): boolean {
    if (this.#leader === undefined || this.#start === Number.NEGATIVE_INFINITY) return false
    this.#end = Math.min(this.#end, this.#now())
    this.#start = Number.NEGATIVE_INFINITY
    return true
  }

  /**
   * Leases `next` from `sentAt` for `ms` (a lease never shrinks: an older confirmation's longer term
   * stands). A member, address or timeline other than the current epoch's makes a new epoch, passed to
   * `onNewEpoch` with the one it replaces before the new lease begins.
   */
  grant(next: Omit<LeaderEpoch, 'id'>, sentAt: number, ms: number, onNewEpoch: (from: LeaderEpoch | undefined, to: LeaderEpoch) => void): void {
    const current = this.#leader
    const now = this.#now()
    // a lease that lapsed (a frozen leader's /primary times out: nothing revokes it) counts as much as a revoked one
    if (!this.valid(now)) this.#leaderlessTotal += Math.max(0, now - this.#leaselessSince())
    const same = current !== undefined && current.name === next.name && current.host === next.host && current.port === next.port && current.timeline === next.timeline && current.apiUrl === next.apiUrl
    if (!same) {
      const epoch = { id: ++this.#epochs, ...next }
      this.#leader = epoch
      this.#start = Number.NEGATIVE_INFINITY
      onNewEpoch(current, epoch)
    }
    if (sentAt + ms > this.#start + this.#ms) {
      this.#start = sentAt
      this.#ms = ms
    }
    this.#end = this.#start + this.#ms
  }

  /** When the time without a lease began: the end of the last lease (lapsed or revoked), else the start. */
  #leaselessSince(): number {
    return Number.isFinite(this.#end) ? this.#end : this.#createdAt
  }
}
