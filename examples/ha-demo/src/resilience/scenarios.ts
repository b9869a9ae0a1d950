import { setTimeout as sleep } from 'node:timers/promises'
import { killAppInstance, startAppInstance } from '../app-instance.js'
import { httpGet } from '../http-get.js'
import type { LoadSummary } from '../load-report.js'
import { rollingRestart } from '../rolling-restart.js'
import { waitUntil } from '../wait-until.js'
import { leaderSequence, type LeaderWatch } from './leader-watch.js'
import { statusNote as statusesOf } from './report-table.js'
import type { Scenario } from './run-scenario.js'

const statusNote = (s: LoadSummary): string => statusesOf(s.byStatus)

async function newLeaderAfter(watch: LeaderWatch, old: string, since: number): Promise<{ name: string; at: number }> {
  const change = await waitUntil(`a leader other than ${old}`, async () => watch.firstLeaderOtherThan(old, since), { timeoutMs: 90_000, intervalMs: 50 })
  return { name: change.leader as string, at: change.at }
}

/** 1. Rolling restart of every app instance, as the provisioner's deploy does it. Target: 0 non-2xx. */
export const rollingRestartScenario: Scenario<null> = {
  id: 1, title: 'rolling restart of every app instance', target: '0 non-2xx',
  async act({ topology, log }) { await rollingRestart(topology, log); return null },
  judge: ({ summary }) => ({ met: summary.non2xx === 0, notes: [statusNote(summary)] }),
}

/** 2. Patroni switchover. Target: 0 non-2xx. */
export const switchoverScenario: Scenario<{ from: string; to: string }> = {
  id: 2, title: 'Patroni switchover', target: '0 non-2xx',
  async act({ topology }) { const { from, to } = await topology.cluster.switchover(); return { from, to } },
  judge: ({ summary, fault }) => ({ met: summary.non2xx === 0, notes: [`${fault.from} → ${fault.to}`, statusNote(summary)] }),
}

interface KillOutcome { from: string; to: string; promotionMs: number }

async function killLeader(ctx: Parameters<Scenario['act']>[0]): Promise<KillOutcome> {
  const { name, at } = await ctx.topology.cluster.killLeader()
  const next = await newLeaderAfter(ctx.watch, name, at)
  ctx.log(`killed ${name}; ${next.name} answers /primary after ${next.at - at} ms`)
  return { from: name, to: next.name, promotionMs: next.at - at }
}

/**
 * 3. kill -9 of the leader's Patroni and postmaster. Targets: 0 acknowledged writes lost; write gap
 * ≤ promotion + 1 s; every failure a clean 503 problem+json with Retry-After (none unanswered).
 */
export const killLeaderScenario: Scenario<KillOutcome> = {
  id: 3, title: 'kill -9 of the leader (Patroni + postmaster)', target: '0 acked lost; gap ≤ promotion + 1 s; failures clean 503',
  act: killLeader,
  // The killed member rejoins (pg_rewind) after the load, so the write gap measures the failover alone.
  async restore({ topology }, fault) { await topology.cluster.startMember(fault.from) },
  judge: ({ summary, verification, fault }) => ({
    met: verification.lost.length === 0 && summary.longestWriteGapMs <= fault.promotionMs + 1_000 && summary.unclean === 0,
    notes: [`${fault.from} → ${fault.to}, promotion ${(fault.promotionMs / 1000).toFixed(2)} s (limit for the gap ${((fault.promotionMs + 1_000) / 1000).toFixed(2)} s)`,
      statusNote(summary)],
  }),
}

/* c8 ignore start */ // scenarios 4-7 run only in the full suite (npm run test:resilience), minutes each; their outcome is its table
interface HangOutcome { frozen: string; newLeader: string; newLeaderAt: number; resumedAt: number }

/**
 * 4. SIGSTOP of the leader's Patroni, SIGCONT after the failover. Target: no write acknowledged by the
 * frozen leader once a new leader exists. A loss while the leader sequence shows the frozen member
 * taking the key back (A → B → A) is Patroni 3.0.2's bug (fixed by PR #2689), reported on its own.
 */
export const hangLeaderScenario: Scenario<HangOutcome> = {
  id: 4, title: 'SIGSTOP of the leader\'s Patroni, SIGCONT after the failover', target: 'no ack from the frozen leader after a new leader exists',
  async act({ topology, watch, log }) {
    const hang = await topology.cluster.hangLeader()
    const next = await newLeaderAfter(watch, hang.name, hang.at)
    log(`froze ${hang.name}; ${next.name} answers /primary after ${next.at - hang.at} ms`)
    await sleep(3_000)
    await hang.resume()
    return { frozen: hang.name, newLeader: next.name, newLeaderAt: next.at, resumedAt: Date.now() }
  },
  judge: ({ summary, verification, fault, watch }) => {
    const sequence = leaderSequence(watch.changes)
    const tookBack = sequence.slice(sequence.indexOf(fault.newLeader)).includes(fault.frozen)
    const lostAfterNewLeader = verification.lost.filter((l) => l.ackedAt >= fault.newLeaderAt)
    const patroniBug = tookBack ? lostAfterNewLeader.length : 0
    const leaseViolations = verification.lost.length - patroniBug
    return {
      met: leaseViolations === 0,
      notes: [`leaders ${sequence.join(' → ')}`,
        tookBack ? `Patroni 3.0.2 gave the key back to the resumed ${fault.frozen} (PR #2689): ${patroniBug} acked writes of ${fault.newLeader} rewound away` : 'the frozen leader did not take the key back',
        `lost by a frozen-leader ack (lease violation): ${leaseViolations}`, statusNote(summary)],
    }
  },
}

interface MembersOutcome { etcd: number; replica: string }

/** 5. One etcd member stopped, and one replica (the sync standby) killed. Target: 0 non-2xx. */
export const etcdAndReplicaScenario: Scenario<MembersOutcome> = {
  id: 5, title: 'one etcd member and one replica (the sync standby) killed', target: '0 non-2xx',
  async act({ topology, log }) {
    await topology.cluster.stopEtcdMember(0)
    const members = await topology.cluster.status()
    const replica = (members.find((m) => m.role === 'sync_standby') ?? members.find((m) => m.role === 'replica'))?.name as string
    await sleep(3_000)
    await topology.cluster.killMember(replica)
    log(`stopped etcd0, killed replica ${replica}`)
    await sleep(5_000)
    return { etcd: 0, replica }
  },
  async restore({ topology }, fault) {
    await topology.cluster.startEtcdMember(fault.etcd)
    await topology.cluster.startMember(fault.replica)
  },
  judge: ({ summary, fault }) => ({ met: summary.non2xx === 0, notes: [`etcd${fault.etcd} stopped, ${fault.replica} killed`, statusNote(summary)] }),
}

interface AppKillOutcome { name: string; at: number; inFlight: number }

/** 6. SIGKILL of one app instance. Target: only requests in flight at the kill may fail. */
export const appKillScenario: Scenario<AppKillOutcome> = {
  id: 6, title: 'SIGKILL of one app instance', target: 'only requests in flight on it fail',
  async act({ topology, load, log }) {
    const victim = topology.state.apps[topology.state.apps.length - 1] as (typeof topology.state.apps)[number]
    // Kill while requests are in flight (at ~100 req/s and ~5 ms each there often are none).
    await waitUntil('requests in flight', async () => load.inFlight >= 2, { timeoutMs: 5_000, intervalMs: 1 }).catch(() => undefined)
    const inFlight = load.inFlight
    const at = Date.now()
    await killAppInstance(victim)
    log(`SIGKILLed ${victim.spec.name} with ${inFlight} requests in flight through haproxy`)
    await sleep(3_000)
    const fresh = await startAppInstance(victim.spec)
    topology.state.apps[topology.state.apps.length - 1] = fresh
    await topology.save()
    await waitUntil(`${victim.spec.name} ready`, async () => (await httpGet(`http://127.0.0.1:${victim.spec.port}/readyz`)).status === 200, { timeoutMs: 30_000 })
    return { name: victim.spec.name, at, inFlight }
  },
  judge: ({ summary, records, fault }) => {
    const failed = records.filter((r) => r.status < 200 || r.status >= 300)
    const sentAfter = failed.filter((r) => r.sentAt > fault.at).length
    return {
      met: failed.length <= fault.inFlight && sentAfter === 0,
      notes: [`${fault.inFlight} in flight (all instances) at the kill`, `${failed.length} failed, ${sentAfter} of them sent after the kill`,
        'retry-on empty-response re-sends the cut requests to another instance', statusNote(summary)],
    }
  },
}

interface RepeatedOutcome { failovers: { from: string; to: string; promotionMs: number }[] }

/** 7. Ten consecutive kill -9 failovers. Target: 0 acknowledged writes lost. */
export const repeatedKillScenario: Scenario<RepeatedOutcome> = {
  id: 7, title: 'ten consecutive kill -9 failovers', target: '0 acked lost',
  async act(ctx) {
    const failovers: KillOutcome[] = []
    for (let i = 0; i < 10; i++) {
      const failover = await killLeader(ctx)
      failovers.push(failover)
      await ctx.topology.cluster.startMember(failover.from)
      await ctx.topology.cluster.waitReady()
      ctx.log(`failover ${i + 1}/10 done`)
    }
    return { failovers }
  },
  judge: ({ summary, verification, fault }) => {
    const promotions = fault.failovers.map((f) => f.promotionMs).sort((a, b) => a - b)
    return {
      met: verification.lost.length === 0,
      notes: [`promotion median ${((promotions[5] ?? 0) / 1000).toFixed(2)} s [${((promotions[0] ?? 0) / 1000).toFixed(2)}–${((promotions.at(-1) ?? 0) / 1000).toFixed(2)}]`,
        `unclean failures ${summary.unclean}`, statusNote(summary)],
    }
  },
}
/* c8 ignore stop */
