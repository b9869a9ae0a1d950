// npm run bench:fleet — what a fleet of app processes, each with its own HaPgClient (its defaults), asks
// of the Patroni members: REST calls per second per client and in total, in steady state and through a
// kill -9 of the leader, how long each client took to follow the new leader, and what it costs Patroni
// (the CPU of its process, where the REST API answers, against an idle cluster), for each fleet size in
// BENCH_CLIENTS (default 1,200). Every client writes an idempotent upsert every 500 ms, so a caller is
// waiting in every client while the members promote (fleet-worker.ts). The clients run
// BENCH_CLIENTS_PER_PROCESS (default 10) to a Node process: each has its own REST connections (its own
// undici Agent) and its own discovery schedule, as in an app process of its own; 200 Node processes
// on this 2-core machine starved the cluster itself of CPU (measured: Patroni's promotion took 19 s
// instead of 10). BENCH_RUNS (default 1) repeats it; the table shows medians with min–max over the runs.
// Where a client's time to follow goes: its new leader's lease, then its first acknowledgement; and what
// slows it: how fast the members answer a `GET /cluster` sent from beside the fleet, and how late each
// client process's timers run (its event-loop delay).
import { execFileSync, fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import { startCluster, type LocalCluster } from '../index.js'
import { handleBenchArgs } from './bench-args.js'
import { raiseMaxConnections } from './max-connections.js'
import { cpuMsFromStat, followed, meanCpuPercent, median, phaseFigures, spread, type PhaseFigures, type WorkerMessage, type WorkerReport } from './fleet-summary.js'
import type { WorkerConfig } from './fleet-worker.js'
import { watchPromotion } from './promotion-watch.js'
import { latencyFigures, sampleRestLatency, type LatencyFigures } from './rest-latency.js'
import { CREATE_SQL } from './write-load.js'

const usage = 'usage: npm run bench:fleet   (several minutes: starts its own cluster)\n  environment: BENCH_CLIENTS=1,200  BENCH_CLIENTS_PER_PROCESS=10  BENCH_RUNS=1  BENCH_STEADY_MS=20000  BENCH_PATRONI=3|4  BENCH_BASE_PORT=26800'
handleBenchArgs(usage)

/** A positive integer from the environment, or exit 2 with the usage. */
function positiveInt(name: string, fallback: string): number {
  const raw = process.env[name] ?? fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`${name} must be a positive integer, not ${JSON.stringify(raw)}\n${usage}\n`)
    process.exit(2)
  }
  return n
}
const SIZES = (process.env.BENCH_CLIENTS ?? '1,200').split(',').map((s, i) => {
  const n = Number(s)
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    process.stderr.write(`BENCH_CLIENTS must be a comma-separated list of client counts from 1 to 1000; item ${i + 1} is ${JSON.stringify(s)}\n${usage}\n`)
    process.exit(2)
  }
  return n
})
const PER_PROCESS = positiveInt('BENCH_CLIENTS_PER_PROCESS', '10')
const RUNS = positiveInt('BENCH_RUNS', '1')
const STEADY_MS = positiveInt('BENCH_STEADY_MS', '20000')
const BASE_PORT = positiveInt('BENCH_BASE_PORT', '26800')
const PATRONI = ((value = '3'): '3' | '4' => {
  if (value === '3' || value === '4') return value
  process.stderr.write(`BENCH_PATRONI must be 3 or 4, not ${JSON.stringify(value)}\n${usage}\n`)
  process.exit(2)
})(process.env.BENCH_PATRONI)
const TABLE = 'bench_fleet'
/** Past the first `/config` and the learning of the member list, which a steady state does not repeat. */
const WARM_UP_MS = 5_000
const FOLLOW_TIMEOUT_MS = 120_000
const log = (line: string): void => void process.stderr.write(`[fleet] ${line}\n`)
/** The median, or NaN for no client (one whose first acknowledgement after its lease came after the last snapshot is left out). */
const mid = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : median(xs))
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())

/** CPU ms so far of each named member's Patroni process (its REST API answers from threads of it). */
async function patroniCpu(cluster: LocalCluster, names: readonly string[]): Promise<Map<string, number>> {
  const cpu = await Promise.all(names.map(async (name) => cpuMsFromStat(await readFile(`/proc/${await cluster.patroniPid(name)}/stat`, 'utf8'), TICKS_PER_SECOND)))
  return new Map(names.map((name, i) => [name, cpu[i] as number]))
}

/** Patroni's CPU (mean % of a core per member) over `ms` with no client: what the fleet's figures add to. */
async function idleCpu(cluster: LocalCluster, members: readonly string[], ms: number): Promise<number> {
  await cluster.waitReady({ timeoutMs: 240_000 })
  const from = await patroniCpu(cluster, members)
  const at = Date.now()
  await sleep(ms)
  return meanCpuPercent(from, await patroniCpu(cluster, members), Date.now() - at)
}

/** The fleet's processes and the latest report of each of their clients. */
class Fleet {
  readonly #children: ChildProcess[] = []
  readonly #size: number
  readonly #latest = new Map<string, WorkerReport>()
  /** client id → when it was first seen following the failover under way. */
  #followedAt = new Map<string, number>()
  #stopping = false
  /** Each process's worst event-loop delay per report interval, as it came. */
  readonly #loopDelays: { at: number; pid: number; ms: number }[] = []
  /** Why a process ended before stop(): a fleet that lost one measures nothing. */
  #died: string | undefined

  private constructor(size: number) {
    this.#size = size
  }

  /** `size` clients, PER_PROCESS to a process (the last one takes the rest). */
  static async start(size: number, config: Omit<WorkerConfig, 'clients'>): Promise<Fleet> {
    const fleet = new Fleet(size)
    const script = new URL('./fleet-worker.js', import.meta.url)
    for (let left = size; left > 0; left -= PER_PROCESS) {
      const worker: WorkerConfig = { ...config, clients: Math.min(PER_PROCESS, left) }
      const child = fork(script, [], { env: { ...process.env, FLEET_WORKER: JSON.stringify(worker) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      child.on('message', ({ reports, loopDelayMs }: WorkerMessage) => {
        for (const r of reports) fleet.#latest.set(r.id, r)
        fleet.#loopDelays.push({ at: Date.now(), pid: child.pid ?? 0, ms: loopDelayMs })
      })
      child.once('exit', (code, signal) => {
        if (!fleet.#stopping) fleet.#died ??= `process ${child.pid} exited (${signal ?? `code ${code}`})`
      })
      fleet.#children.push(child)
    }
    await fleet.until((r) => r.lastAckAt > 0, 180_000, 'acknowledged its first write')
    return fleet
  }

  /** The leader every client holds a lease on; throws if they disagree. */
  agreedLeader(): string {
    const names = new Set(this.snapshot().map((r) => (r.leaseValid ? r.leader : null)))
    const [name] = names
    if (names.size !== 1 || name === null || name === undefined) throw new Error(`the clients do not agree on a leased leader: ${[...names].join(', ')}`)
    return name
  }

  /** Over the reports that came in `[from, to)`: each process's worst event-loop delay, the median and the worst of those (ms). */
  loopDelay(from: number, to: number): { readonly median: number; readonly max: number } {
    const worst = new Map<number, number>()
    for (const d of this.#loopDelays) if (d.at >= from && d.at < to) worst.set(d.pid, Math.max(worst.get(d.pid) ?? 0, d.ms))
    const all = [...worst.values()]
    return { median: mid(all), max: all.length === 0 ? Number.NaN : Math.max(...all) }
  }

  snapshot(): WorkerReport[] {
    return [...this.#latest.values()]
  }

  /** Resolves once every client's latest report satisfies `ok`; polls every 100 ms. */
  async until(ok: (r: WorkerReport) => boolean, timeoutMs: number, what: string, onEach?: (r: WorkerReport) => void): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.#died !== undefined) throw new Error(this.#died)
      const reports = this.snapshot()
      if (onEach !== undefined) for (const r of reports) onEach(r)
      const done = reports.filter(ok).length
      if (reports.length === this.#size && done === reports.length) return
      if (Date.now() > deadline) throw new Error(`after ${timeoutMs} ms, ${done} of ${this.#size} clients: ${what}`)
      await sleep(100)
    }
  }

  /** Waits until every client follows a new leader; resolves with each one's time to follow (ms after the fault). */
  async follow(old: string, faultAt: number): Promise<number[]> {
    this.#followedAt = new Map()
    const seen = (r: WorkerReport): void => {
      if (!this.#followedAt.has(r.id) && followed(r, old, faultAt)) this.#followedAt.set(r.id, Date.now())
    }
    await this.until((r) => followed(r, old, faultAt), FOLLOW_TIMEOUT_MS, `followed the new leader (not ${old})`, seen)
    return [...this.#followedAt.values()].map((at) => at - faultAt)
  }

  /** Disconnects every process (it closes its clients and exits); SIGKILL by PID after 10 s. */
  async stop(): Promise<void> {
    this.#stopping = true
    await Promise.all(
      this.#children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = once(child, 'exit')
        if (child.connected) child.disconnect()
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }),
    )
  }
}

interface RoundFigures {
  readonly run: number
  readonly clients: number
  readonly steady: PhaseFigures
  readonly failover: PhaseFigures
  /** Each client's time to follow the new leader, in ms after the fault. */
  readonly followMs: number[]
  /** Where that time went, per client: its new leader's first lease (its leaderChanged event), in ms after the fault, and its first acknowledgement after that lease, in ms after it. */
  readonly leasedMs: number[]
  readonly ackAfterLeaseMs: number[]
  readonly failed: number
  /** When another member first answered `/primary` 200, in ms after the fault (NaN if not seen). */
  readonly promotionMs: number
  /** Patroni's CPU, mean % of a core per member: every member in steady state, the survivors through the kill -9. */
  readonly cpu: { readonly steady: number; readonly failover: number }
  /** How fast the members answered a `GET /cluster` sent from beside the fleet: every member in steady state, the survivors from the kill -9 until the last client followed. */
  readonly rest: { readonly steady: LatencyFigures; readonly failover: LatencyFigures }
  /** The worst event-loop delay of each client process (median over the processes, and the worst), in steady state and from the kill -9 until the last client followed. */
  readonly loopDelay: { readonly steady: { readonly median: number; readonly max: number }; readonly failover: { readonly median: number; readonly max: number } }
}

async function round(cluster: LocalCluster, run: number, size: number, config: Omit<WorkerConfig, 'clients'>, apiUrls: ReadonlyMap<string, string>): Promise<RoundFigures> {
  await cluster.waitReady({ timeoutMs: 240_000 })
  log(`run ${run}: starting ${size} client(s) in ${Math.ceil(size / PER_PROCESS)} process(es)`)
  const fleet = await Fleet.start(size, config)
  const members = [...apiUrls.keys()]
  try {
    await sleep(WARM_UP_MS)
    const steadyFrom = fleet.snapshot()
    const cpuFrom = await patroniCpu(cluster, members)
    const steadyAt = Date.now()
    const steadySampler = sampleRestLatency([...apiUrls.values()])
    await sleep(STEADY_MS)
    const restSteady = latencyFigures(await steadySampler.stop(), steadyAt, Date.now())
    const loopSteady = fleet.loopDelay(steadyAt, Date.now())
    const steady = phaseFigures(steadyFrom, fleet.snapshot(), Date.now() - steadyAt)
    const cpuSteady = meanCpuPercent(cpuFrom, await patroniCpu(cluster, members), Date.now() - steadyAt)
    const failedBefore = fleet.snapshot().reduce((a, r) => a + r.failed, 0)
    // The leader every client holds a lease on: the harness's own REST calls (1 s timeouts) time out
    // on members this busy, so the fleet's view is used, and the member is killed by name.
    await fleet.until((r) => r.leaseValid, 30_000, 'holds a lease')
    const old = fleet.agreedLeader()
    const watch = watchPromotion(cluster.patroniUrls, old, (name) => apiUrls.get(name) ?? '')
    const failFrom = fleet.snapshot()
    const survivors = members.filter((name) => name !== old)
    const cpuFailFrom = await patroniCpu(cluster, survivors)
    const failSampler = sampleRestLatency(survivors.map((name) => apiUrls.get(name) ?? ''))
    const killed = { name: old, at: Date.now() }
    await cluster.killMember(old)
    log(`run ${run}: killed ${killed.name} with ${size} client(s) writing`)
    const followMs = await fleet.follow(old, killed.at)
    const restFailover = latencyFigures(await failSampler.stop(), killed.at, Date.now())
    const loopFailover = fleet.loopDelay(killed.at, Date.now())
    const promoted = await watch.stop()
    const failoverEnd = fleet.snapshot()
    const failover = phaseFigures(failFrom, failoverEnd, Date.now() - killed.at)
    const cpuFailover = meanCpuPercent(cpuFailFrom, await patroniCpu(cluster, survivors), Date.now() - killed.at)
    const failed = failoverEnd.reduce((a, r) => a + r.failed, 0) - failedBefore
    const changed = failoverEnd.filter((r) => r.leaderChangedAt > killed.at && r.firstAckAfterChangeAt > 0)
    const leasedMs = changed.map((r) => r.leaderChangedAt - killed.at)
    const ackAfterLeaseMs = changed.map((r) => r.firstAckAfterChangeAt - r.leaderChangedAt)
    await fleet.stop()
    await cluster.startMember(killed.name)
    return { run, clients: size, steady, failover, followMs, leasedMs, ackAfterLeaseMs, failed, promotionMs: promoted === undefined ? Number.NaN : promoted.at - killed.at, cpu: { steady: cpuSteady, failover: cpuFailover }, rest: { steady: restSteady, failover: restFailover }, loopDelay: { steady: loopSteady, failover: loopFailover } }
  } finally {
    await fleet.stop()
  }
}

function table(rows: readonly RoundFigures[], idle: readonly number[]): string {
  const lines = [
    '| clients | steady: calls/s per client (median) | steady: total calls/s | steady: Patroni CPU per member (% of a core) | kill -9: calls/s per client (median) | kill -9: total calls/s | kill -9: Patroni CPU per survivor (% of a core) | kill -9: GET /cluster p50 / p95 (ms) | Patroni promotion (ms) | leased after, median (ms) | first ack after the lease, median (ms) | followed after, median (ms) | followed after, slowest (ms) | failed writes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| 0 | – | – | ${spread(idle, 1)} | – | – | – | – | – | – | – | – | – | – |`,
  ]
  for (const size of SIZES) {
    const of = rows.filter((r) => r.clients === size)
    const col = (f: (r: RoundFigures) => number, digits = 0): string => spread(of.map(f), digits)
    lines.push(`| ${size} | ${col((r) => r.steady.perClient.median, 2)} | ${col((r) => r.steady.total, 1)} | ${col((r) => r.cpu.steady, 1)} | ${col((r) => r.failover.perClient.median, 2)} | ${col((r) => r.failover.total, 1)} | ${col((r) => r.cpu.failover, 1)} | ${col((r) => r.rest.failover.p50)} / ${col((r) => r.rest.failover.p95)} | ${col((r) => r.promotionMs)} | ${col((r) => mid(r.leasedMs))} | ${col((r) => mid(r.ackAfterLeaseMs))} | ${col((r) => median(r.followMs))} | ${col((r) => Math.max(...r.followMs))} | ${col((r) => r.failed)} |`)
  }
  return lines.join('\n')
}

async function main(): Promise<void> {
  const rows: RoundFigures[] = []
  const idle: number[] = []
  const cluster = await startCluster({ name: 'bench-fleet', basePort: BASE_PORT, patroni: PATRONI, log })
  try {
    const { app, restApi } = cluster.credentials
    const config: Omit<WorkerConfig, 'clients'> = { table: TABLE, patroniUrls: cluster.patroniUrls, patroniAuth: { ...restApi }, pg: { user: app.user, password: app.password, database: app.database } }
    const largest = Math.max(...SIZES)
    if (largest + 30 > 100) await raiseMaxConnections(cluster, largest + 50, log)
    const setup = new HaPgClient({ patroniUrls: config.patroniUrls, patroniAuth: config.patroniAuth, pg: config.pg })
    await setup.query(CREATE_SQL(TABLE)).finally(() => setup.close())
    const apiUrls = new Map((await cluster.status()).map((m) => [m.name, m.apiUrl]))
    for (let run = 1; run <= RUNS; run++) {
      idle.push(await idleCpu(cluster, [...apiUrls.keys()], STEADY_MS))
      log(`run ${run}: Patroni idle ${(idle.at(-1) as number).toFixed(1)} % of a core per member`)
      for (const size of SIZES) {
        const r = await round(cluster, run, size, config, apiUrls)
        log(`run ${run}, ${size} client(s): steady ${r.steady.perClient.median.toFixed(2)}/s per client (${r.steady.total.toFixed(1)}/s in all); kill -9 ${r.failover.perClient.median.toFixed(2)}/s per client (${r.failover.total.toFixed(1)}/s in all) over ${r.failover.ms} ms; promotion ${r.promotionMs} ms, leased ${mid(r.leasedMs)} ms (median; ${Math.min(...r.leasedMs)}–${Math.max(...r.leasedMs)}), first ack ${mid(r.ackAfterLeaseMs)} ms after the lease (${Math.min(...r.ackAfterLeaseMs)}–${Math.max(...r.ackAfterLeaseMs)}), followed ${median(r.followMs)} ms (slowest ${Math.max(...r.followMs)} ms); GET /cluster from beside the fleet: steady p50 ${r.rest.steady.p50} / p95 ${r.rest.steady.p95} / max ${r.rest.steady.max} ms, kill -9 p50 ${r.rest.failover.p50} / p95 ${r.rest.failover.p95} / max ${r.rest.failover.max} ms (${r.rest.failover.failed} of ${r.rest.failover.count} failed); worst event-loop delay per client process: steady median ${r.loopDelay.steady.median} / max ${r.loopDelay.steady.max} ms, kill -9 median ${r.loopDelay.failover.median} / max ${r.loopDelay.failover.max} ms`)
        rows.push(r)
      }
    }
  } finally {
    await cluster.close()
  }
  process.stderr.write(`${JSON.stringify(rows)}\n`)
  process.stdout.write(`${RUNS} run(s), Patroni ${PATRONI}, 3 members, HaPgClients with their defaults, ${PER_PROCESS} to a process, median [min–max] over the runs\n${table(rows, idle)}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    process.exit(1)
  },
)
