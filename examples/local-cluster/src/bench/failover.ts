// npm run bench:failover — the same ~200 upserts/s load through HaPgClient, haproxy (Patroni's docs
// config, and tuned as its users tune it), a pool pinned to the first leader and real libpq (pg-native,
// multi-host, target_session_attrs=read-write), through a switchover, a kill -9 of the leader and a
// SIGSTOP of the leader's Patroni. Every baseline gets HaPgClient's retry policy and deadline
// (retry.ts), so the table compares routing, not retrying. BENCH_RUNS (default 1) repeats it; the
// table shows medians with min–max. BENCH_RATE sets the per-writer rate (default 200/s); BENCH_OPS_DIR
// saves every writer's raw write log per fault (re-analyse with dist/bench/analyse.js <dir>).
import { startCluster, startHaproxy, type LocalCluster, type MemberInfo } from '../index.js'
import { handleBenchArgs } from './bench-args.js'
import { raiseMaxConnections } from './max-connections.js'
import { table, type Row } from './analyse.js'
import { benchRetryPolicy } from './retry.js'
import { runRound, TUNED_CHECK, type BenchCluster, type BenchFault, type BenchMember } from './round.js'
import { PG_NATIVE_HINT } from './writers.js'

const usage = 'usage: npm run bench:failover   (several minutes: starts its own cluster)\n  environment: BENCH_RUNS=1  BENCH_RATE=200 (per writer, /s)  BENCH_PATRONI=3|4  BENCH_BASE_PORT=26600  BENCH_OPS_DIR (save raw write logs)'
handleBenchArgs(usage)

const RUNS = Number(process.env.BENCH_RUNS ?? 1)
const RATE = Number(process.env.BENCH_RATE ?? 200)
const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 26600)
/** The Patroni release the cluster runs: 3 (Debian 12's 3.0.2) or 4 (Debian 13's 4.0.7, installed on first use). */
const PATRONI = ((value = '3'): '3' | '4' => {
  if (value === '3' || value === '4') return value
  process.stderr.write(`BENCH_PATRONI must be 3 or 4, not ${JSON.stringify(value)}\n`)
  process.exit(2)
})(process.env.BENCH_PATRONI)
/** If set, every writer's raw write log per fault is saved there as JSON (to re-analyse a run). */
const OPS_DIR = process.env.BENCH_OPS_DIR
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`)

/** The local cluster as a round sees it. */
function benchCluster(cluster: LocalCluster): BenchCluster {
  const member = (m: MemberInfo): BenchMember => ({ name: m.name, host: m.host, port: m.pgPort, apiUrl: m.apiUrl })
  const { app, restApi } = cluster.credentials
  return {
    patroniUrls: cluster.patroniUrls,
    patroniAuth: restApi,
    creds: { user: app.user, password: app.password, database: app.database },
    members: async () => (await cluster.status()).map(member),
    leader: async () => member(await cluster.leader()),
    waitReady: () => cluster.waitReady({ timeoutMs: 240_000 }),
    connectionString: (m) => cluster.pgConnectionString(m.name),
  }
}

/** The faults a local cluster can take: processes on one loopback, no network of their own. */
function localFaults(cluster: LocalCluster): BenchFault[] {
  return [
    { name: 'switchover', inject: async () => ({ at: (await cluster.switchover()).at }) },
    {
      name: 'kill -9',
      inject: async () => {
        const k = await cluster.killLeader()
        return { at: k.at, restart: () => cluster.startMember(k.name) }
      },
    },
    {
      name: 'SIGSTOP',
      inject: async () => {
        const h = await cluster.hangLeader()
        return { at: h.at, undo: h.resume }
      },
    },
  ]
}

/** What main() started, stopped in reverse order: at the end, on an error, and if the event loop empties. */
const stops: (() => Promise<void>)[] = []
async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => log(`stopping: ${String(err)}`))
}

async function main(): Promise<void> {
  if ((await import('pg')).default.native === null) throw new Error(PG_NATIVE_HINT)
  const all: Row[] = []
  try {
    const cluster = await startCluster({ name: 'bench-failover', basePort: BASE_PORT, patroni: PATRONI, log })
    stops.push(() => cluster.close())
    // Five writers' pools, and those of the phase before still closing, passed the default 100: a 53300 as a
    // load started, which HaPgClient rightly does not retry (measured: 2 failed writes in 1 of 4 runs).
    await raiseMaxConnections(cluster, 300, log)
    const members = await cluster.status()
    const backends = members.map((m) => ({ name: m.name, host: m.host, port: m.pgPort, checkPort: Number(new URL(m.apiUrl).port) }))
    const proxies = { docs: { host: '127.0.0.1', port: BASE_PORT + 40 }, tuned: { host: '127.0.0.1', port: BASE_PORT + 41 } }
    const docs = await startHaproxy({ port: proxies.docs.port, mode: 'patroni-primary', backends })
    stops.push(() => docs.close())
    const tuned = await startHaproxy({ port: proxies.tuned.port, mode: 'patroni-primary', backends, check: TUNED_CHECK })
    stops.push(() => tuned.close())
    const retry = await benchRetryPolicy((await cluster.leader()).apiUrl)
    log(`Patroni ${PATRONI}; baselines retry for up to ${retry.deadlineMs} ms (HaPgClient's failoverDeadlineMs), ${retry.attemptTimeoutMs} ms per attempt`)
    const target = benchCluster(cluster)
    for (let run = 1; run <= RUNS; run++) {
      for (const fault of localFaults(cluster)) all.push(...(await runRound(target, fault, { run, rate: RATE, retry, proxies, log, ...(OPS_DIR === undefined ? {} : { opsDir: OPS_DIR }) })))
    }
  } finally {
    await stopAll()
  }
  process.stderr.write(`${JSON.stringify(all)}\n`)
  process.stdout.write(`${RUNS} run(s), Patroni ${PATRONI}, ${RATE} upserts/s per client, median [min–max]\n${table(all)}\n`)
}

// With nothing left to wait on (e.g. a promise that never settles on a dead connection), Node would
// exit with code 0, no table, and the cluster and haproxies left running: say so, stop them, and fail.
process.once('beforeExit', () => {
  process.stderr.write('bench:failover: the event loop emptied before the benchmark finished (a write or close never settled)\n')
  void stopAll().finally(() => process.exit(1))
})
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    process.exit(1)
  },
)
