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
  /** The way back's figures, or why it stopped. */
  readonly wayBack: WayBackReport | { readonly error: string }
  readonly steps: readonly string[]
}

/** The way back, run under the same load after the DR drill: `rebuild-primary`, then `fail-back`. */
export interface WayBackReport {
  readonly summary: LoadSummary
  readonly rebuildMs: number
  readonly failBackMs: number
  /** From dr1's demotion to the new leader's promotion (the provisioner's own figure). */
  readonly noWriterMs: number
  /** Acknowledged writes of the way back missing on the primary region's leader afterwards. */
  readonly lost: number
  readonly checked: number
  /** Users dr1 held after the region loss that the primary region's leader does not hold the same afterwards. */
  readonly notCarried: number
  readonly carried: number
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
  const onDr = await x.stored('dr1', prefix)
  const v = verifyAcks(run.load.users, onDr)
  steps.push(...failureNotes(run.load.records))
  const wayBack = await wayBackDrill(x, onDr, prefix, step).catch((err: unknown) => {
    step(`the way back stopped: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`)
    return { error: (err as Error).message }
  })
  return { ...recoveryFigures(run.load.records, faultAt), summary: run.summary, lost: v.lost.length, checked: v.checked, lagBytes: lag.bytes, lagMs: lag.ms, promoteMs, wayBack, steps }
}

/**
 * The primary region comes back and takes over again, under load: boot db1-db3 (their Patroni stays
 * stopped while dr1 is the primary: the fence in its unit; the apps point at dr1 only), `rebuild-primary`, `fail-back`. Every write acknowledged
 * meanwhile, and everything dr1 held, must then be on the primary region's leader.
 */
async function wayBackDrill(x: DrillLab, onDr: ReadonlyMap<string, string>, drPrefix: string, step: (s: string) => void): Promise<WayBackReport> {
  const prefix = `drback${runTag()}`
  let rebuildMs = 0
  let failBackMs = 0
  let noWriterMs = 0
  const run = await underDrillLoad(x, prefix, async () => {
    await Promise.all(x.dbHosts.map((h) => x.lab.boot(h)))
    step(`boot ${x.dbHosts.join(', ')}: the primary region is back, still fenced from the apps (they point at dr1 only)`)
    let t = performance.now()
    step('rebuild-primary --yes (stop Patroni on db1-db3, old leader last; wipe their data; remove the old cluster from etcd; bootstrap db1 as a standby cluster of dr1, then db2, db3)')
    const r = await x.session.rebuildPrimary()
    rebuildMs = Math.round(performance.now() - t)
    step(`rebuild-primary: standby leader ${r.standbyLeader}${r.wasPrimary.length > 0 ? `, ${r.wasPrimary.join(', ')} had elected itself primary again after the boot` : ''}, in ${(rebuildMs / 1000).toFixed(1)} s`)
    t = performance.now()
    step('fail-back --yes (dr1 demoted; db1 replays dr1\'s last WAL; db1 promoted; its fence back, a full backup; apps onto the primary region one at a time)')
    const b = await x.session.failBack()
    failBackMs = Math.round(performance.now() - t)
    noWriterMs = b.noWriterMs
    step(`fail-back: leader ${b.leader}, no writer for ${(b.noWriterMs / 1000).toFixed(1)} s, handed over at ${b.handoverLsn}, in ${(failBackMs / 1000).toFixed(1)} s`)
  })
  await x.waitHealthy()
  step('the stack is healthy again: dr1 a streaming standby_leader of the primary region')
  const leader = await x.leader()
  const v = verifyAcks(run.load.users, await x.stored(leader, prefix))
  const back = await x.stored(leader, drPrefix)
  const notCarried = [...onDr].filter(([k, dob]) => back.get(k) !== dob).length
  for (const note of failureNotes(run.load.records)) step(`way back: ${note}`)
  return { summary: run.summary, rebuildMs, failBackMs, noWriterMs, lost: v.lost.length, checked: v.checked, notCarried, carried: onDr.size }
}
/* c8 ignore stop */
