import type pg from 'pg'
import { classifyError } from './classify-error.js'
import type { MemberPool } from './member-pool.js'
import type { PatroniMember } from './patroni-api.js'
import { runStatement, type StatementLimits } from './statement.js'
import { readableReplicas } from './topology.js'

/** Replica reads' default staleness bound: Patroni's own default `maximum_lag_on_failover` (1 MiB). */
const DEFAULT_MAX_LAG_BYTES = 1_048_576

/** How ReplicaReads makes and retires pools (the client's own, so events and stats see them), and logs. */
export interface ReplicaReadsDeps {
  newPool(member: PatroniMember & { readonly host: string; readonly port: number }): MemberPool
  retire(pool: MemberPool, reason: string): void
  warn(entry: Record<string, unknown>): void
}

/**
 * Reads balanced over the replicas that qualify ({@link readableReplicas}: streaming, within the lag
 * bound, not tagged `noloadbalance`), one pool per replica. A replica that fails a read loses its pool
 * and the next one is tried; the caller's own SQL error (a typo, a constraint, a cancel) says nothing
 * about the replica and is thrown as it is.
 */
export class ReplicaReads {
  readonly #deps: ReplicaReadsDeps
  readonly #pools = new Map<string, MemberPool>()
  #turn = 0

  constructor(deps: ReplicaReadsDeps) {
    this.#deps = deps
  }

  /** The replica pools open now. */
  get pools(): readonly MemberPool[] {
    return [...this.#pools.values()]
  }

  /**
   * Runs `query` on a replica of `members` within `maxLagBytes` (default 1 MiB); undefined if none qualified or every one
   * failed: the caller reads from the leader. `checkoutMs` bounds the wait for a session on each.
   */
  async read<R extends pg.QueryResultRow>(members: readonly PatroniMember[], query: pg.QueryConfig, limits: StatementLimits, maxLagBytes: number | undefined, checkoutMs: number): Promise<pg.QueryResult<R> | undefined> {
    // Balance: rotate through the qualifying replicas (least lagging first in each turn).
    const ranked = readableReplicas(members, maxLagBytes ?? DEFAULT_MAX_LAG_BYTES)
    const turn = this.#turn++ % Math.max(1, ranked.length)
    for (const member of [...ranked.slice(turn), ...ranked.slice(0, turn)]) {
      const key = `${member.name}@${member.host}:${member.port}`
      let pool = this.#pools.get(key)
      if (pool === undefined) {
        pool = this.#deps.newPool(member as PatroniMember & { host: string; port: number })
        this.#pools.set(key, pool)
      }
      let client: pg.PoolClient | undefined
      try {
        client = await pool.checkout(checkoutMs)
        const result = await runStatement<R>(client, pool, query, limits)
        client.release()
        return result
      } catch (err) {
        client?.release(true)
        if (classifyError(err, client === undefined ? 'connect' : 'statement').outcome === 'failed') throw err
        this.#deps.warn({ msg: 'replica read failed, trying the next', member: member.name, error: String(err) })
        this.#pools.delete(key)
        this.#deps.retire(pool, 'replica-error')
      }
    }
    return undefined
  }
}
