// npm run bench:failover — the same ~200 upserts/s load through HaPgClient, haproxy (Patroni's docs
// config, and tuned as its users tune it), a pool pinned to the first leader and real libpq (pg-native,
// multi-host, target_session_attrs=read-write), through a switchover, a kill -9 of the leader and a
// SIGSTOP of the leader's Patroni. Every baseline gets HaPgClient's retry policy and deadline
// (retry.ts), so the table compares routing, not retrying. BENCH_RUNS (default 1) repeats it; the
// table shows medians with min–max. BENCH_RATE sets the per-writer rate (default 200/s); BENCH_OPS_DIR
// saves every writer's raw write log per fault (re-analyse with dist/bench/analyse.js <dir>).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startCluster, startHaproxy, type LocalCluster, type MemberInfo } from '../index.js'
import { missingAcked } from './verify.js'
import { watchPromotion } from './promotion-watch.js'
import { analyse, FAULTS, table, type Fault, type FaultLog, type Row } from './analyse.js'
import { CREATE_SQL, WriteLoad, type LoadReport, type Writer } from './write-load.js'
import { haPgClientWriter, libpqWriter, PG_NATIVE_HINT, plainPoolWriter } from './writers.js'
import { withRetries, type RetryPolicy } from './retry.js'
import { deriveTiming } from '@birthday-ha/ha-pg-client'

{
  // --help and --version; the rest is configured by the environment variables above
  const args = process.argv.slice(2)
  const usage = 'usage: npm run bench:failover   (several minutes: starts its own cluster)\n  environment: BENCH_RUNS=1  BENCH_RATE=200 (per writer, /s)  BENCH_PATRONI=3|4  BENCH_BASE_PORT=26600  BENCH_OPS_DIR (save raw write logs)'
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  if (args.includes('--version')) {
    const { readFileSync } = await import('node:fs')
    process.stdout.write(`${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    process.exit(0)
  }
  if (args.length > 0) {
    process.stderr.write(`unknown argument ${JSON.stringify(args[0])}\n${usage}\n`)
    process.exit(2)
  }
}

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
/** After the promotion, how long the load goes on (haproxy needs `fall 3` + `rise 2` × `inter 3s`). */
const RECOVERY_MS = 10_000
/** SIGSTOP: after SIGCONT, how long the load goes on (and the take-back is watched for). */
const AFTER_RESUME_MS = 10_000
/** haproxy as its users tune it for Patroni: check every 1 s, every 250 ms while a server changes state, down after 2, up after 1. */
const TUNED_CHECK = { interMs: 1_000, fastInterMs: 250, fall: 2, rise: 1 }
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`)

/** The ports of the two haproxies: Patroni's documented sample, and tuned as its users tune it. */
interface Proxies {
  readonly docs: number
  readonly tuned: number
}

async function oneFault(cluster: LocalCluster, fault: Fault, run: number, proxies: Proxies, retry: RetryPolicy): Promise<Row[]> {
  await cluster.waitReady({ timeoutMs: 240_000 })
  const members = await cluster.status()
  const leader = await cluster.leader()
  const { app, restApi } = cluster.credentials
  const creds = { user: app.user, password: app.password, database: app.database }
  const t = (w: string): string => `bench_${w}_${run}_${fault.replace(/[^a-z0-9]/gi, '')}`.toLowerCase()
  const setup = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: cluster.pgConnectionString(leader.name) }))
  await setup.connect()
  const tables = [t('ha'), t('haproxy'), t('haproxytuned'), t('pinned'), t('libpq')]
  for (const table of tables) await setup.query(CREATE_SQL(table))
  await setup.end()
  const writers: Writer[] = [
    haPgClientWriter(t('ha'), cluster.patroniUrls, restApi, creds, retry.deadlineMs),
    ...[
      plainPoolWriter('haproxy (docs)', t('haproxy'), { host: '127.0.0.1', port: proxies.docs }, creds),
      plainPoolWriter('haproxy (tuned)', t('haproxytuned'), { host: '127.0.0.1', port: proxies.tuned }, creds),
      plainPoolWriter('pinned pool', t('pinned'), { host: leader.host, port: leader.pgPort }, creds),
      libpqWriter(t('libpq'), members.map((m) => ({ host: m.host, port: m.pgPort })), creds),
    ].map((w) => withRetries(w, retry)),
  ]
  const loads = writers.map((w, i) => new WriteLoad(w, { ratePerSec: RATE, firstId: 1 + i * 10_000_000 }))
  for (const l of loads) l.start()
  await sleep(3_000)
  const urlOf = (name: string): string => (members.find((m: MemberInfo) => m.name === name) as MemberInfo).apiUrl
  const watch = watchPromotion(cluster.patroniUrls, leader.name, urlOf)
  let at: number
  let restart: (() => Promise<void>) | undefined
  let resume: (() => Promise<void>) | undefined
  if (fault === 'switchover') at = (await cluster.switchover()).at
  else if (fault === 'kill -9') {
    const k = await cluster.killLeader()
    at = k.at
    restart = () => cluster.startMember(k.name)
  } else {
    const h = await cluster.hangLeader()
    at = h.at
    resume = h.resume
  }
  // The watch runs until another member answers /primary 200 (before 6907df8 it was stopped right after the fault).
  const promoted = await watch.wait(120_000)
  const promotedAt = promoted?.at ?? Number.NaN
  if (promoted === undefined) log(`${fault} run ${run}: no promotion seen within 120 s`)
  await sleep(RECOVERY_MS)
  // SIGSTOP: resumed only once the new leader exists (before: after 8 s, ahead of the ~12 s promotion,
  // so the take-back always happened). The outage is measured up to the resume.
  const until = Date.now()
  let takenBack = false
  if (resume !== undefined) {
    await resume()
    const stopAt = Date.now() + AFTER_RESUME_MS
    while (Date.now() < stopAt) {
      if (!takenBack) takenBack = (await cluster.leader().catch(() => undefined))?.name === leader.name
      await sleep(250)
    }
  }
  const reports: LoadReport[] = await Promise.all(loads.map((l) => l.stop()))
  // Bounded: pg.Pool's end() waits for every checked-out client, and a query abandoned on a frozen or
  // dead server may never give its client back (with nothing else pending, Node would then exit mid-run).
  await Promise.all(writers.map(async (w) => {
    const closed = w.close().then(() => true, () => true)
    if (!(await Promise.race([closed, sleep(10_000).then(() => false)]))) log(`${w.label}: close() still pending after 10 s; going on`)
  }))
  await restart?.()
  await cluster.waitReady({ timeoutMs: 240_000 })
  const now = await cluster.leader()
  takenBack ||= resume !== undefined && now.name === leader.name
  const rows: Row[] = []
  for (const [i, w] of writers.entries()) {
    const r = reports[i] as LoadReport
    const missing = await missingAcked(cluster.pgConnectionString(now.name), tables[i] as string, r.acked)
    const faultLog: FaultLog = { run, fault, writer: w.label, at, until, promotedAt, oldPort: leader.pgPort, takenBack, missing, ops: r.ops }
    if (OPS_DIR !== undefined) {
      await mkdir(OPS_DIR, { recursive: true })
      await writeFile(join(OPS_DIR, `${run}-${fault.replace(/[^a-z0-9]/gi, '')}-${w.label.replace(/[^a-z0-9]/gi, '')}.json`), JSON.stringify(faultLog))
    }
    rows.push(analyse(faultLog))
  }
  log(`${fault} run ${run}: ${JSON.stringify(rows)}${takenBack ? ' (3.0.2 took the key back)' : ''}; leader now ${now.name}`)
  return rows
}

/**
 * One deadline for every writer, HaPgClient included: the one HaPgClient derives from the cluster's
 * `/config` (ttl + loop_wait + retry_timeout). A fresh cluster's `/config` shows what its Patroni runs
 * with: Patroni 4 stores the values it raised (ttl 20), 3.0.2 what it was given.
 */
async function retryPolicy(cluster: LocalCluster): Promise<RetryPolicy> {
  const res = await fetch(`${(await cluster.leader()).apiUrl}/config`)
  const config = (await res.json()) as { ttl: number; loop_wait: number; retry_timeout: number }
  return { deadlineMs: deriveTiming(config).failoverDeadlineMs, attemptTimeoutMs: 5_000 }
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
    const members = await cluster.status()
    const backends = members.map((m) => ({ name: m.name, host: m.host, port: m.pgPort, checkPort: Number(new URL(m.apiUrl).port) }))
    const proxies = { docs: BASE_PORT + 40, tuned: BASE_PORT + 41 }
    const docs = await startHaproxy({ port: proxies.docs, mode: 'patroni-primary', backends })
    stops.push(() => docs.close())
    const tuned = await startHaproxy({ port: proxies.tuned, mode: 'patroni-primary', backends, check: TUNED_CHECK })
    stops.push(() => tuned.close())
    const retry = await retryPolicy(cluster)
    log(`Patroni ${PATRONI}; baselines retry for up to ${retry.deadlineMs} ms (HaPgClient's failoverDeadlineMs), ${retry.attemptTimeoutMs} ms per attempt`)
    for (let run = 1; run <= RUNS; run++) for (const fault of FAULTS) all.push(...(await oneFault(cluster, fault, run, proxies, retry)))
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
