import type { PatroniTiming, PrimaryAnswer } from './patroni-api.js'

/** What the terms of one confirmation depend on besides the answer itself. */
export interface LeaseTermsContext {
  /** The client's lease length (`leaseMs`). */
  readonly leaseMs: number
  /** The Patroni timing the lease is derived from (the safety view, see `clientTiming`). */
  readonly basis: PatroniTiming
  /** The client's discovery interval: at most the spread of a key-expiry hint. */
  readonly discoveryIntervalMs: number
  /** The monotonic clock the tracker runs on. */
  readonly now: () => number
  /** A wall clock, only to read `dcs_last_seen` (a Unix time). */
  readonly wallClock: () => number
  readonly random: () => number
}

/**
 * The lease one confirmation grants. A `/primary` 200 proves only that the leader key was refreshed
 * within `ttl` (Patroni's `is_leader()`). When the answer says the member last reached its DCS
 * (`dcs_last_seen`) more than `loop_wait` ago, its key may expire that much sooner, so the lease is
 * shortened by the excess; under `failsafe_mode_is_active` the leader runs on the confirmation of
 * every member instead of the key, and the full lease holds. Older answers without the field: full lease.
 */
export function leaseFor(body: PrimaryAnswer, c: LeaseTermsContext): number {
  if (body.failsafe_mode_is_active === true || typeof body.dcs_last_seen !== 'number') return c.leaseMs
  const ageMs = Math.max(0, c.wallClock() - body.dcs_last_seen * 1000)
  return Math.min(c.leaseMs, c.leaseMs - (ageMs - c.basis.loop_wait * 1000))
}

/**
 * When the leader key would expire had the leader stopped refreshing it by the time of this answer:
 * `ttl` after its last DCS contact (`dcs_last_seen`, whole seconds), else after `sentAt − loop_wait`.
 * Spread over the next second (or discovery interval, if shorter) so that a fleet reading the same
 * `dcs_last_seen` does not ask in lockstep. Only a hint for pacing: no lease depends on it.
 * Under `failsafe_mode_is_active` no replica may take the key: no hint.
 */
export function keyExpiry(body: PrimaryAnswer, sentAt: number, c: LeaseTermsContext): number {
  if (body.failsafe_mode_is_active === true) return Number.POSITIVE_INFINITY
  const { ttl, loop_wait } = c.basis
  // the last contact on the monotonic clock: dcs_last_seen is a wall-clock time, read as an age
  const contactAt = typeof body.dcs_last_seen === 'number' ? c.now() - Math.max(0, c.wallClock() - body.dcs_last_seen * 1000) : sentAt - loop_wait * 1000
  const spreadMs = Math.min(1000, c.discoveryIntervalMs) * c.random()
  return contactAt + ttl * 1000 + spreadMs
}
