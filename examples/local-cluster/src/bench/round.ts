// One round of the failover benchmark: five writers under the same load through one fault, on any
// cluster that fits {@link BenchCluster}: the local cluster (`npm run bench:failover`) or the lab's
// hosts (`npm run bench:lab`, which needs networks of their own for a partition and a blackhole).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { analyse, type Fault, type FaultLog, type Row } from './analyse.js'
import { watchLoopLateness } from './loop-lateness.js'
import { watchPromotion } from './promotion-watch.js'
import { withRetries, type RetryPolicy } from './retry.js'
import { missingAcked } from './verify.js'
import { CREATE_SQL, WriteLoad, serverOf, type LoadReport, type Writer } from './write-load.js'
import { haPgClientWriter, libpqWriter, plainPoolWriter, type Credentials, type Target } from './writers.js'

/** A member of the cluster under test, with the address its PostgreSQL is reached on. */
export interface BenchMember {
  readonly name: string
  readonly host: string
  readonly port: number
  /** Its Patroni REST API. */
  readonly apiUrl: string
}

/** The cluster a round runs on. */
export interface BenchCluster {
  readonly patroniUrls: readonly string[]
  /** Patroni's REST credentials, if its GETs need them. */
  readonly patroniAuth?: { readonly username: string; readonly password: string }
  /** The application role every writer connects as. */
  readonly creds: Credentials
  members(): Promise<readonly BenchMember[]>
  leader(): Promise<BenchMember>
  /** Waits until the cluster has one leader and streaming replicas again. */
  waitReady(): Promise<void>
  /** A connection string to `member` as a role that may create the round's tables. */
  connectionString(member: BenchMember): string
}

/** What a fault did: when, and how it is undone. */
export interface Injected {
  readonly at: number
  /** Undone 10 s after the promotion, with the load still running (SIGCONT, heal); the outage window ends there. */
  readonly undo?: () => Promise<void>
  /** After the load (a restart of a killed member). */
  readonly restart?: () => Promise<void>
}

/** A fault a round inflicts on the leader. */
export interface BenchFault {
  readonly name: Fault
  inject(leader: BenchMember): Promise<Injected>
}

/** Options of {@link runRound}. */
export interface RoundOptions {
  readonly run: number
  /** Upserts per second per writer. */
  readonly rate: number
  readonly retry: RetryPolicy
  /** The two haproxies: Patroni's documented sample, and tuned as its users tune it. */
  readonly proxies: { readonly docs: Target; readonly tuned: Target }
  /** If set, every writer's raw write log is saved there as JSON (to re-analyse a run). */
  readonly opsDir?: string
  readonly log: (line: string) => void
}

/** haproxy as its users tune it for Patroni: check every 1 s, every 250 ms while a server changes state, down after 2, up after 1. */
export const TUNED_CHECK = { interMs: 1_000, fastInterMs: 250, fall: 2, rise: 1 } as const

/** After the promotion, how long the load goes on (haproxy needs `fall 3` + `rise 2` × `inter 3s`). */
const RECOVERY_MS = 10_000
/** After the undo, how long the load goes on (and a take-back is watched for). */
const AFTER_UNDO_MS = 10_000
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Runs the five writers through `fault` once and returns a row per writer. */
export async function runRound(cluster: BenchCluster, fault: BenchFault, o: RoundOptions): Promise<Row[]> {
  await cluster.waitReady()
  const members = await cluster.members()
  const leader = await cluster.leader()
  const t = (w: string): string => `bench_${w}_${o.run}_${fault.name.replace(/[^a-z0-9]/gi, '')}`.toLowerCase()
  const setup = new pg.Client({ connectionString: cluster.connectionString(leader) })
  await setup.connect()
  const tables = [t('ha'), t('haproxy'), t('haproxytuned'), t('pinned'), t('libpq')]
  for (const table of tables) await setup.query(CREATE_SQL(table))
  await setup.end()
  const ha = haPgClientWriter(t('ha'), [...cluster.patroniUrls], cluster.patroniAuth, cluster.creds, o.retry.deadlineMs)
  // When HaPgClient leased another leader: splits its time after the promotion into discovery and the write path.
  const leaderChanges: { at: number; to: string }[] = []
  ha.client.on('leaderChanged', ({ to }) => leaderChanges.push({ at: Date.now(), to }))
  const retries: { at: number; code: string }[] = []
  ha.client.on('retry', ({ code }) => retries.push({ at: Date.now(), code }))
  // sessions HaPgClient opened, and where: those on the new leader before its lease were warmed while it promoted
  const sessions: { at: number; host: string | undefined; port: number | undefined }[] = []
  ha.client.on('connect', (c) => sessions.push({ at: Date.now(), host: (c as { host?: string }).host, port: (c as { port?: number }).port }))
  const writers: Writer[] = [
    ha,
    ...[
      plainPoolWriter('haproxy (docs)', t('haproxy'), o.proxies.docs, cluster.creds),
      plainPoolWriter('haproxy (tuned)', t('haproxytuned'), o.proxies.tuned, cluster.creds),
      plainPoolWriter('pinned pool', t('pinned'), leader, cluster.creds),
      libpqWriter(t('libpq'), members, cluster.creds),
    ].map((w) => withRetries(w, o.retry)),
  ]
  const loads = writers.map((w, i) => new WriteLoad(w, { ratePerSec: o.rate, firstId: 1 + i * 10_000_000 }))
  for (const l of loads) l.start()
  await sleep(3_000)
  const urlOf = (name: string): string => (members.find((m) => m.name === name) as BenchMember).apiUrl
  const watch = watchPromotion(cluster.patroniUrls, leader.name, urlOf)
  // The five writers share this process's event loop: how late its timers ran from the fault until
  // RECOVERY_MS after the promotion says how much of a writer's time after the promotion was the loop's.
  const lateness = watchLoopLateness()
  const injected = await fault.inject(leader)
  const at = injected.at
  // The watch runs until another member answers /primary 200 (before 6907df8 it was stopped right after the fault).
  const promoted = await watch.wait(120_000)
  const promotedAt = promoted?.at ?? Number.NaN
  if (promoted === undefined) o.log(`${fault.name} run ${o.run}: no promotion seen within 120 s`)
  await sleep(RECOVERY_MS)
  lateness.stop()
  o.log(`${fault.name} run ${o.run}: the writers' event loop, from the fault to ${RECOVERY_MS} ms after the promotion, ran late by p50 ${lateness.percentileMs(50)} / p99 ${lateness.percentileMs(99)} / max ${lateness.maxMs()} ms`)
  // Undone only once the new leader exists (before: SIGCONT after 8 s, ahead of the ~12 s promotion,
  // so the take-back always happened). The outage is measured up to the undo.
  const until = Date.now()
  let takenBack = false
  if (injected.undo !== undefined) {
    await injected.undo()
    const stopAt = Date.now() + AFTER_UNDO_MS
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
    if (!(await Promise.race([closed, sleep(10_000).then(() => false)]))) o.log(`${w.label}: close() still pending after 10 s; going on`)
  }))
  await injected.restart?.()
  await cluster.waitReady()
  const now = await cluster.leader()
  takenBack ||= injected.undo !== undefined && now.name === leader.name
  const rows: Row[] = []
  for (const [i, w] of writers.entries()) {
    const r = reports[i] as LoadReport
    const missing = await missingAcked(cluster.connectionString(now), tables[i] as string, r.acked)
    const faultLog: FaultLog = { run: o.run, fault: fault.name, writer: w.label, at, until, promotedAt, oldServer: serverOf(leader), takenBack, missing, ops: r.ops }
    if (o.opsDir !== undefined) {
      await mkdir(o.opsDir, { recursive: true })
      await writeFile(join(o.opsDir, `${o.run}-${fault.name.replace(/[^a-z0-9]/gi, '')}-${w.label.replace(/[^a-z0-9]/gi, '')}.json`), JSON.stringify(faultLog))
    }
    rows.push(analyse(faultLog))
  }
  const leased = leaderChanges.find((c) => c.at >= at && c.to !== leader.name)
  if (leased !== undefined) {
    // what its writes retried on between the lease and the first acknowledgement from the new leader
    const firstAck = Math.min(...(reports[0] as LoadReport).ops.filter((op) => op.ok && op.end >= leased.at).map((op) => op.end))
    const codes = retries.filter((r) => r.at >= leased.at && r.at <= firstAck).map((r) => r.code)
    const counted = [...new Set(codes)].map((c) => `${c} ×${codes.filter((x) => x === c).length}`).join(', ')
    const to = members.find((m) => m.name === leased.to)
    const onIt = sessions.filter((s) => s.at >= at && s.host === to?.host && s.port === to?.port)
    const warmed = onIt.filter((s) => s.at < leased.at).length
    const opened = onIt.find((s) => s.at >= leased.at)
    const after = opened === undefined ? 'none opened after it' : `the first opened after it at +${opened.at - leased.at} ms`
    const writable = promoted?.writableAt === undefined ? 'not seen' : `${promoted.writableAt - promotedAt} ms after it`
    o.log(`${fault.name} run ${o.run}: PostgreSQL left recovery ${writable}; HaPgClient leased ${leased.to} ${leased.at - promotedAt} ms after the promotion, acknowledged ${firstAck - leased.at} ms later (sessions on it: ${warmed} warmed before the lease, ${after}; retries meanwhile: ${counted || 'none'})`)
  }
  o.log(`${fault.name} run ${o.run}: ${JSON.stringify(rows)}${takenBack ? ` (Patroni gave the key back to ${leader.name})` : ''}; leader now ${now.name}`)
  return rows
}
