import { Counter, Gauge, type Registry } from 'prom-client'
import type { Database } from './database.js'

/**
 * Exports the database client's failover figures to Prometheus: leader changes,
 * retries, retired pools, whether a leader is leased now, and the time spent without one.
 */
export function registerDatabaseMetrics(registry: Registry, database: Database): void {
  const leaderChanges = new Counter({
    name: 'hapg_leader_changes_total',
    help: 'Times the database client moved to a new leader.',
    registers: [registry],
  })
  const retries = new Counter({
    name: 'hapg_retries_total',
    help: 'Statements the database client retried, by error code.',
    labelNames: ['code'],
    registers: [registry],
  })
  const retiredPools = new Counter({
    name: 'hapg_retired_pools_total',
    help: 'Connection pools retired because their leader lost the role.',
    registers: [registry],
  })
  database.on('leaderChanged', () => leaderChanges.inc())
  database.on('retry', (event) => retries.inc({ code: event.code }))
  database.on('poolRetired', () => retiredPools.inc())
  new Gauge({
    name: 'hapg_leader_leased',
    help: '1 when writes may go to a leader confirmed by Patroni within the lease, else 0 (always 1 in static mode).',
    registers: [registry],
    collect() {
      const stats = database.stats()
      this.set(stats.mode === 'static' || stats.leaseValid ? 1 : 0)
    },
  })
  new Gauge({
    name: 'hapg_without_leader_seconds',
    help: 'Total time the client has spent without a confirmed leader.',
    registers: [registry],
    collect() {
      this.set(database.stats().counters.msWithoutLeader / 1000)
    },
  })
}
