import type { MemberPool } from './member-pool.js'

/** A member that holds the leader key, as a discovery round saw it, before any lease on it. */
export interface KeyHolder {
  readonly name: string
  readonly host: string
  readonly port: number
}

/** How a WarmUp makes and retires pools (the client's own, so events and stats see them). */
export interface WarmUpDeps {
  newPool(holder: KeyHolder): MemberPool
  retire(pool: MemberPool, reason: string): void
}

/**
 * Sessions opened on the member that holds the leader key while it still promotes, handed to its
 * leader epoch at the grant. Without them every write queued through a failover waited, after the
 * grant, for new sessions on the new leader: measured on the lab (a partitioned leader, 200 writes
 * queued, a pool of 20), the first session opened 170–410 ms after the lease, and the first write was
 * acknowledged just after it, while libpq, which connects as soon as a server takes writes, was already
 * writing. A standby accepts sessions (hot standby); each is checked for writability at its checkout,
 * as any other. Only one member is warmed at a time: another key holder, or a grant to anyone else,
 * retires the sessions (`poolRetired` reason `not-elected`).
 */
export class WarmUp {
  readonly #deps: WarmUpDeps
  #holder: KeyHolder | undefined
  #pool: MemberPool | undefined

  constructor(deps: WarmUpDeps) {
    this.#deps = deps
  }

  /** The pool being warmed, if any (its counts belong in stats, its sessions are closed with the client). */
  get pool(): MemberPool | undefined {
    return this.#pool
  }

  /** Opens sessions on `holder` until `sessions` are open, each within `timeoutMs`; a new holder replaces the last. */
  open(holder: KeyHolder, sessions: number, timeoutMs: number): void {
    if (this.#pool === undefined || !same(this.#holder, holder)) {
      this.#drop()
      this.#holder = holder
      this.#pool = this.#deps.newPool(holder)
    }
    this.#pool.warm(sessions, timeoutMs)
  }

  /** The warmed pool if it is `leader`'s (it becomes the leader pool), else undefined; either way the WarmUp is empty after. */
  take(leader: KeyHolder): MemberPool | undefined {
    if (same(this.#holder, leader)) {
      const pool = this.#pool
      this.#pool = undefined
      this.#holder = undefined
      return pool
    }
    this.#drop()
    return undefined
  }

  #drop(): void {
    if (this.#pool !== undefined) this.#deps.retire(this.#pool, 'not-elected')
    this.#pool = undefined
    this.#holder = undefined
  }
}

function same(a: KeyHolder | undefined, b: KeyHolder): boolean {
  return a !== undefined && a.name === b.name && a.host === b.host && a.port === b.port
}
