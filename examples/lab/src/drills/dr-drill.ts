/* c8 ignore start */ // real hosts: exercised by `npm run drills`; the figures are unit-tested (dr-figures.ts)
import { setTimeout as sleep } from 'node:timers/promises'
import { promoteDr } from '@birthday-ha/provisioner'
import { verifyAcks, type LoadSummary } from '@birthday-ha/ha-demo/dist/index.js'
import type { DrillLab } from './drill-lab.js'
import { recoveryFigures, type RecoveryFigures } from './dr-figures.js'
import { failureNotes } from './drill-row.js'
import { runTag, underDrillLoad } from './run-drill.js'

/** What the DR drill measured. */
export interface DrDrillReport extends RecoveryFigures {
  readonly summary: LoadSummary
  /** Acknowledged writes missing or stale on the DR host: the RPO in writes. */
  readonly lost: number
  readonly checked: number
  /** Just before the fault: bytes of WAL the DR host had not replayed, and how old its last replayed transaction was. */
  readonly lagBytes: number
  readonly lagMs: number
  /** `promote-dr` from its start to its end (PATCH, /primary 200, app hosts repointed one at a time). */
  readonly promoteMs: number
  readonly steps: readonly string[]
}

/**
 * The primary region lost under load: all three DB hosts powered off at once, then `promote-dr`
 * (the provisioner's, as production runs it), which points the app hosts at the DR cluster.
 */
export async function drDrill(x: DrillLab): Promise<DrDrillReport> {
  await x.waitHealthy()
  const prefix = `drdrill${runTag()}`
  const { stack, target } = x.session
  const steps: string[] = []
  const step = (s: string): void => {
    steps.push(s)
    x.log(`  ${s}`)
  }
  let faultAt = 0
  let lag = { bytes: -1, ms: -1 }
  let promoteMs = 0
  const run = await underDrillLoad(x, prefix, async () => {
    const leader = await x.leader()
    const drLsn = (await x.sql('dr1', 'SELECT pg_last_wal_replay_lsn()')).trim()
    const bytes = Number((await x.sql(leader, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '${drLsn}')`)).trim())
    const ms = Number((await x.sql('dr1', 'SELECT coalesce(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000), -1)')).trim())
    lag = { bytes, ms }
    step(`DR lag just before the fault: ${bytes} bytes, last replayed transaction ${ms} ms old`)
    faultAt = Date.now()
    await Promise.all(x.dbHosts.map((h) => x.lab.powerOff(h)))
    step(`power-off ${x.dbHosts.join(', ')} (the whole primary region's database)`)
    await sleep(5_000)
    const t = performance.now()
    step('promote-dr --yes (PATCH standby_cluster: null on dr1, wait for /primary 200, rewrite app.env, restart the app hosts one at a time behind the load balancer)')
    const r = await promoteDr(stack, { sessions: await x.session.sessions(), loadBalancer: target.loadBalancer, secrets: await target.secrets.read(stack), confirm: true, pollIntervalMs: 1_000 })
    promoteMs = Math.round(performance.now() - t)
    step(`promote-dr: ${r.promoted} promoted, ${r.repointed.join(', ')} repointed, in ${(promoteMs / 1000).toFixed(1)} s`)
    await sleep(5_000)
  })
  const v = verifyAcks(run.load.users, await x.stored('dr1', prefix))
  steps.push(...failureNotes(run.load.records))
  return { ...recoveryFigures(run.load.records, faultAt), summary: run.summary, lost: v.lost.length, checked: v.checked, lagBytes: lag.bytes, lagMs: lag.ms, promoteMs, steps }
}
/* c8 ignore stop */
