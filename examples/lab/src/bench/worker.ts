#!/usr/bin/env node
/* c8 ignore start */ // real hosts: run by `npm run bench:lab` inside an app host's network namespace; its parts are unit-tested
// The lab failover benchmark's worker: one round. `bench-main.ts` starts it with `ip netns exec <app1's namespace>`,
// so the five writers, the two haproxies and the promotion watch reach the DB hosts as the app hosts do,
// while the faults are applied in the leader's own namespace. Input: one JSON {@link WorkerInput} on
// stdin (it holds the app's password); output: the rows as one JSON line on stdout; progress on stderr.
import { createServer } from 'node:net'
import { startHaproxy } from '@birthday-ha/local-cluster'
import { benchRetryPolicy, ensureMaxConnections, PG_NATIVE_HINT, runRound, TUNED_CHECK, type Credentials, type Row } from '@birthday-ha/local-cluster/bench'
import type { LabHost } from '../network/network-plan.js'
import { execRunner } from '../runner.js'
import { labBenchCluster } from './lab-cluster.js'
import { labFaults } from './lab-faults.js'
import { heal } from '../faults/partition.js'
import { encodeRows } from './rows-json.js'

/** What the worker is given. */
export interface WorkerInput {
  /** The round's number (its tables and saved logs carry it). */
  readonly run: number
  /** The faults of this round, in order. */
  readonly faults: readonly ('partition' | 'blackhole')[]
  readonly rate: number
  readonly opsDir?: string
  /** Every host of the lab (the faults need their namespaces and addresses). */
  readonly hosts: readonly LabHost[]
  /** The primary DB hosts' names. */
  readonly db: readonly string[]
  readonly creds: Credentials
  /** The two haproxies listen on 127.0.0.1 of the worker's namespace, on this port and the next. */
  readonly haproxyPort: number
  /** The Patroni REST credentials (to raise max_connections once, see {@link MAX_CONNECTIONS}). */
  readonly restAuth: { readonly username: string; readonly password: string }
}

/**
 * The lab's PostgreSQL runs with the stack's max_connections (100, Patroni's default). The five writers'
 * pools of 20 fill it while the leader's commits wait for its cut-off sync standby, and whichever opens
 * the 98th session gets 53300 (seen: HaPgClient, which rightly does not retry it, failed 622 writes in
 * one partition round while the baselines' bench retries waited it out). bench:failover raises it too.
 */
const MAX_CONNECTIONS = 300

async function assertPortFree(port: number): Promise<void> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`port ${port} is taken in this namespace${err.code === 'EADDRINUSE' ? ' (a haproxy of an earlier bench?)' : `: ${err.message}`}`)))
    server.listen(port, '127.0.0.1', resolve)
  })
  await new Promise((resolve) => server.close(resolve))
}

const log = (line: string): void => void process.stderr.write(`[bench:lab] ${line}\n`)
const stops: (() => Promise<void>)[] = []
async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => log(`stopping: ${String(err)}`))
}

async function main(): Promise<void> {
  if ((await import('pg')).default.native === null) throw new Error(PG_NATIVE_HINT)
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WorkerInput
  const db = input.db.map((name) => {
    const h = input.hosts.find((x) => x.name === name)
    if (h === undefined) throw new Error(`no lab host ${name}`)
    return { name, ip: h.ip }
  })
  const cluster = labBenchCluster(db, input.creds)
  const backends = db.map((h) => ({ name: h.name, host: h.ip, port: 5432, checkPort: 8008 }))
  const proxies = { docs: { host: '127.0.0.1', port: input.haproxyPort }, tuned: { host: '127.0.0.1', port: input.haproxyPort + 1 } }
  // haproxy binds with SO_REUSEPORT: a second one on a taken port would silently share it. A plain bind refuses.
  for (const p of [proxies.docs.port, proxies.tuned.port]) await assertPortFree(p)
  const docs = await startHaproxy({ port: proxies.docs.port, mode: 'patroni-primary', backends })
  stops.push(() => docs.close())
  const tuned = await startHaproxy({ port: proxies.tuned.port, mode: 'patroni-primary', backends, check: TUNED_CHECK })
  stops.push(() => tuned.close())
  await cluster.waitReady()
  const leader = await cluster.leader()
  const members = await cluster.members()
  await ensureMaxConnections({
    leaderUrl: leader.apiUrl, replicaUrls: members.filter((m) => m.name !== leader.name).map((m) => m.apiUrl), auth: input.restAuth, waitReady: () => cluster.waitReady(),
  }, MAX_CONNECTIONS, log)
  const retry = await benchRetryPolicy((await cluster.leader()).apiUrl)
  log(`baselines retry for up to ${retry.deadlineMs} ms (HaPgClient's failoverDeadlineMs), ${retry.attemptTimeoutMs} ms per attempt`)
  const rows: Row[] = []
  const runner = execRunner()
  const faults = labFaults(runner, input.hosts, input.db).filter((f) => input.faults.includes(f.name as 'partition' | 'blackhole'))
  // A round stopped by an error must not leave its leader cut off.
  stops.unshift(async () => void (await Promise.all(input.hosts.filter((h) => input.db.includes(h.name)).map((h) => heal(runner, h)))))
  for (const fault of faults) rows.push(...(await runRound(cluster, fault, { run: input.run, rate: input.rate, retry, proxies, log, ...(input.opsDir === undefined ? {} : { opsDir: input.opsDir }) })))
  if (nativeCrashes > 0) log(`pg-native threw ${nativeCrashes} uncaught assertion(s) in all (each would have killed an application without a process-wide handler)`)
  process.stdout.write(`${encodeRows(rows)}\n`)
}

// pg-native 3.9 throws "Must be connected to start reader" (libpq/index.js, an assert) from inside pg's
// connect callback when a connection dies right after libpq reported it connected: seen on the lab
// when the leader was partitioned. It is thrown from an event listener, so no caller can catch it.
// Count it and go on: the retry policy's attempt timeout recovers the checkout it strands.
let nativeCrashes = 0
process.on('uncaughtException', (err: Error) => {
  if (/Must be connected to start reader/.test(err.message) && /pg-native|libpq/.test(err.stack ?? '')) {
    nativeCrashes++
    log(`pg-native threw an uncaught assertion (${nativeCrashes} so far): ${err.message}`)
    return
  }
  process.stderr.write(`${String(err.stack ?? err)}\n`)
  void stopAll().finally(() => process.exit(1))
})
process.once('beforeExit', () => {
  process.stderr.write('bench:lab worker: the event loop emptied before the benchmark finished (a write or close never settled)\n')
  void stopAll().finally(() => process.exit(1))
})
main().then(
  async () => {
    await stopAll()
    process.exit(0)
  },
  async (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    await stopAll()
    process.exit(1)
  },
)
