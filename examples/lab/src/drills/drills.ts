/* c8 ignore start */ // real hosts: exercised by `npm run drills`; the judging of what they return is unit-tested (drill-row.ts)
import { setTimeout as sleep } from 'node:timers/promises'
import type { DrillLab } from './drill-lab.js'
import type { DrillCheck, DrillOutcome, GapRule } from './drill-row.js'
import { leaderOf, syncStandbyOf } from './patroni-view.js'

/** One failure drill: a fault inflicted under load, waited out and undone by `run`. */
export interface Drill {
  readonly id: number
  readonly title: string
  readonly gap: GapRule
  run(x: DrillLab, o: DrillOptions): Promise<DrillOutcome>
}

/** Settings of a run of the drills. */
export interface DrillOptions {
  /** Leader power-offs in drill 8. */
  readonly powerOffs: number
  /** The DR link's usual one-way delay (the lab's stand-in for the inter-region latency). */
  readonly drDelayMs: number
}

// The lab's Patroni timing profile (provisioner PATRONI_TIMING_PROFILES.lab): ttl 20 s (Patroni 4's floor),
// loop_wait 1 s, retry_timeout 5 s. A lost leader is replaced once its key expires: promotion ≈ ttl.
const TTL_MS = 20_000
const LOOP_WAIT_MS = 1_000
const afterFailover: GapRule = { kind: 'promotion', slackMs: 1_000 }
// The load balancer takes a host out after 2 failed checks 1 s apart; a write in flight then may wait up to
// the service's DB deadline, but the other app host keeps acknowledging writes.
const lbDetection: GapRule = { kind: 'fixed', maxMs: 3_000 }

/** The old leader, once back, follows the new one: a replica streaming on the new timeline. */
async function rejoinedAsReplica(x: DrillLab, old: string): Promise<DrillCheck> {
  const role = await x.waitFor(`${old} streaming as a replica`, 120_000, async () => {
    const m = (await x.members('primary'))?.find((y) => y.name === old)
    return m !== undefined && m.role !== 'leader' && m.state === 'streaming' ? m.role : undefined
  }).catch((err: unknown) => `not rejoined (${String(err)})`)
  return { name: `old leader ${old}`, ok: role === 'replica' || role === 'sync_standby', detail: `rejoined as ${role}` }
}

/**
 * The DR standby cluster streams from `leader`: the leader's own `pg_stat_replication` shows the DR host's
 * WAL receiver streaming (a walsender streams only its own timeline, so a standby that diverged from it
 * cannot be shown streaming there).
 */
export async function drFollows(x: DrillLab, leader: string, timeoutMs: number): Promise<DrillCheck> {
  const dr = x.lab.plan.hosts.find((h) => h.role === 'dr-db')!.name
  const at = performance.now()
  let seen = ''
  const name = `DR standby ${dr} streams from ${leader}`
  return await x.waitFor(name, timeoutMs, async () => {
    seen = (await x.sql(leader, `SELECT state FROM pg_stat_replication WHERE application_name = '${dr}'`).catch((err: unknown) => String(err))).trim()
    return seen === 'streaming' ? true : undefined
  }).then(
    () => ({ name, ok: true, detail: `after ${((performance.now() - at) / 1000).toFixed(1)} s` }),
    () => ({ name, ok: false, detail: `${leader} shows ${dr} as ${seen === '' ? 'not connected' : seen} after ${timeoutMs / 1000} s` }),
  )
}

/** Waits until the load balancer says `state` for `host`; `detail` says after how long, or the timeout. */
async function lbReaches(x: DrillLab, host: string, state: 'healthy' | 'unhealthy', timeoutMs: number): Promise<DrillCheck> {
  const lb = x.session.target.loadBalancer
  const at = performance.now()
  const name = state === 'unhealthy' ? `${host} out of the load balancer` : `${host} healthy again`
  return await x.waitFor(name, timeoutMs, async () => ((await lb.health(x.session.stack)).get(host) === state ? true : undefined))
    .then(() => ({ name, ok: true, detail: `after ${((performance.now() - at) / 1000).toFixed(1)} s` }), (err: unknown) => ({ name, ok: false, detail: String(err) }))
}

/**
 * Power off the leader's host, time the promotion, wait for the DR standby to stream from the new leader while
 * the old one is still down (its endpoint must let go of a dead member), then boot it and wait until it streams.
 */
async function powerOffLeader(x: DrillLab): Promise<{ promotionMs: number; checks: DrillCheck[]; note: string }> {
  const old = await x.leader()
  const faultAt = Date.now()
  x.log(`  power-off ${old} (the leader)`)
  await x.lab.powerOff(old)
  const n = await x.newLeader(old, faultAt)
  x.log(`  ${n.name} promoted ${(n.promotionMs / 1000).toFixed(1)} s after the power-off; waiting for the DR standby to follow it, then booting ${old}`)
  const drCheck = await drFollows(x, n.name, 60_000)
  await x.lab.boot(old)
  return { promotionMs: n.promotionMs, checks: [drCheck, await rejoinedAsReplica(x, old)], note: `${old} → ${n.name}` }
}

export const DRILLS: readonly Drill[] = [
  {
    id: 1, title: 'power-off of the leader host', gap: afterFailover,
    async run(x) {
      const p = await powerOffLeader(x)
      return { promotionsMs: [p.promotionMs], checks: p.checks, notes: [p.note] }
    },
  },
  {
    id: 2, title: 'freeze of the leader host, thawed after the failover', gap: afterFailover,
    async run(x) {
      const old = await x.leader()
      const faultAt = Date.now()
      x.log(`  freeze ${old} (the leader)`)
      await x.lab.freeze(old)
      const n = await x.newLeader(old, faultAt)
      x.log(`  ${n.name} promoted; thawing ${old}`)
      await x.lab.thaw(old)
      // the thawed leader's Patroni and the apps' lease must keep it from taking writes back (read back at the end)
      return { promotionsMs: [n.promotionMs], checks: [await rejoinedAsReplica(x, old)], notes: [`${old} → ${n.name}`] }
    },
  },
  {
    id: 3, title: 'partition of the leader from the other two DB hosts (it loses the etcd majority), healed after the failover', gap: afterFailover,
    async run(x) {
      const old = await x.leader()
      const others = x.dbHosts.filter((h) => h !== old)
      const faultAt = Date.now()
      x.log(`  partition ${old} from ${others.join(', ')}`)
      await x.lab.partition(old, others)
      const n = await x.newLeader(old, faultAt)
      // the old leader streamed its last WAL to the DR host, past the new timeline's fork: the DR standby must
      // rewind onto the new leader's timeline while the partition lasts (through its endpoint to the leader)
      x.log(`  ${n.name} promoted; waiting for the DR standby to follow it before healing ${old}`)
      const drCheck = await drFollows(x, n.name, 60_000)
      await x.lab.heal(old)
      return { promotionsMs: [n.promotionMs], checks: [drCheck, await rejoinedAsReplica(x, old)], notes: [`${old} → ${n.name}`] }
    },
  },
  {
    id: 4, title: 'partition of one app host from the DB subnet', gap: lbDetection,
    async run(x) {
      const app = 'app1'
      x.log(`  partition ${app} from ${x.dbHosts.join(', ')}`)
      await x.lab.partition(app, x.dbHosts)
      const out = await lbReaches(x, app, 'unhealthy', 60_000)
      await sleep(10_000)
      await x.lab.heal(app)
      return { promotionsMs: [], checks: [out, await lbReaches(x, app, 'healthy', 60_000)], notes: [] }
    },
  },
  {
    id: 5, title: 'power-off of the synchronous standby', gap: { kind: 'fixed', maxMs: TTL_MS + LOOP_WAIT_MS + 1_000 },
    async run(x) {
      const sync = await x.waitFor('a sync standby', 60_000, async () => syncStandbyOf((await x.members('primary')) ?? [])?.name)
      x.log(`  power-off ${sync} (the sync standby)`)
      const at = performance.now()
      await x.lab.powerOff(sync)
      const next = await x.waitFor('a new sync standby', 120_000, async () => {
        const m = syncStandbyOf((await x.members('primary', [sync])) ?? [])
        return m !== undefined && m.name !== sync ? m.name : undefined
      }).catch(() => undefined)
      const took = ((performance.now() - at) / 1000).toFixed(1)
      await x.lab.boot(sync)
      return { promotionsMs: [], checks: [{ name: 'new sync standby', ok: next !== undefined, detail: next === undefined ? 'none in 120 s' : `${next} after ${took} s` }], notes: [`writes wait for a sync standby until Patroni replaces ${sync} (its member key expires after ttl)`] }
    },
  },
  {
    id: 6, title: 'power-off of one app host', gap: lbDetection,
    async run(x) {
      const app = 'app2'
      x.log(`  power-off ${app}`)
      await x.lab.powerOff(app)
      const out = await lbReaches(x, app, 'unhealthy', 60_000)
      await sleep(5_000)
      await x.lab.boot(app)
      return { promotionsMs: [], checks: [out, await lbReaches(x, app, 'healthy', 120_000)], notes: [] }
    },
  },
  {
    id: 7, title: '200 ms added on the DR link', gap: { kind: 'fixed', maxMs: 1_000 },
    async run(x, o) {
      x.log('  DR link: +200 ms each way')
      await x.lab.delayDr(o.drDelayMs + 200)
      await sleep(20_000)
      const dr = await x.members('dr')
      const standby = dr === undefined ? undefined : leaderOf(dr)
      const lag = await x.sql('dr1', 'SELECT coalesce(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000), -1)').then((s) => Number(s.trim()), () => -1)
      await x.lab.delayDr(o.drDelayMs)
      const streaming = standby?.role === 'standby_leader' && standby.state === 'streaming'
      return { promotionsMs: [], checks: [{ name: 'DR standby', ok: streaming, detail: `${standby?.role ?? 'unreachable'}/${standby?.state ?? '?'}, last replayed transaction ${lag} ms old` }], notes: [] }
    },
  },
  {
    id: 8, title: 'consecutive leader power-offs in one run', gap: afterFailover,
    async run(x, o) {
      const promotionsMs: number[] = []
      const checks: DrillCheck[] = []
      const path: string[] = []
      for (let i = 0; i < o.powerOffs; i++) {
        x.log(` power-off ${i + 1} of ${o.powerOffs}`)
        const p = await powerOffLeader(x)
        promotionsMs.push(p.promotionMs)
        checks.push(...p.checks.filter((c) => !c.ok))
        path.push(p.note)
      }
      checks.push({ name: 'every DR standby followed and every old leader rejoined', ok: checks.length === 0, detail: `${checks.length} of ${2 * o.powerOffs} checks failed` })
      return { promotionsMs, checks, notes: [`${o.powerOffs} power-offs; promotions ${promotionsMs.map((m) => (m / 1000).toFixed(1)).join(', ')} s`, path.join(', ')] }
    },
  },
]
/* c8 ignore stop */
