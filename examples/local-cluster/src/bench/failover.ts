// npm run bench:failover — the same ~200 upserts/s load through HaPgClient, haproxy (Patroni docs
// config), a pool pinned to the first leader and a libpq-style multi-host client, through a switchover,
// a kill -9 of the leader and a SIGSTOP of the leader's Patroni. BENCH_RUNS (default 1) repeats it; the
// table shows medians. BENCH_RATE sets the per-writer rate (default 200/s).
import { startCluster, startHaproxy, type LocalCluster, type MemberInfo } from '../index.js'
import { missingAcked } from './verify.js'
import { watchPromotion } from './promotion-watch.js'
import { CREATE_SQL, WriteLoad, longestAckGap, type LoadReport, type Writer } from './write-load.js'
import { haPgClientWriter, multiHostWriter, plainPoolWriter } from './writers.js'

type Fault = 'switchover' | 'kill -9' | 'SIGSTOP'
interface Row { fault: Fault; writer: string; promotionMs: number; outageMs: number; failed: number; lost: number; lostToBug: number }

const RUNS = Number(process.env.BENCH_RUNS ?? 1)
const RATE = Number(process.env.BENCH_RATE ?? 200)
const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 26200)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`)

async function oneFault(cluster: LocalCluster, fault: Fault, run: number, haproxyPort: number): Promise<Row[]> {
  await cluster.waitReady({ timeoutMs: 180_000 })
  const members = await cluster.status()
  const leader = await cluster.leader()
  const { app, restApi } = cluster.credentials
  const creds = { user: app.user, password: app.password, database: app.database }
  const t = (w: string): string => `bench_${w}_${run}_${fault.replace(/[^a-z0-9]/gi, '')}`.toLowerCase()
  const writers: Writer[] = [
    haPgClientWriter(t('ha'), cluster.patroniUrls, restApi, creds),
    plainPoolWriter('haproxy', t('haproxy'), { host: '127.0.0.1', port: haproxyPort }, creds),
    plainPoolWriter('pinned pool', t('pinned'), { host: leader.host, port: leader.pgPort }, creds),
    multiHostWriter(t('multihost'), members.map((m) => ({ host: m.host, port: m.pgPort })), creds),
  ]
  const tables = [t('ha'), t('haproxy'), t('pinned'), t('multihost')]
  const setup = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: cluster.pgConnectionString(leader.name) }))
  await setup.connect()
  for (const table of tables) await setup.query(CREATE_SQL(table))
  await setup.end()
  await sleep(3_000) // multi-host and haproxy settle
  const loads = writers.map((w, i) => new WriteLoad(w, { ratePerSec: RATE, firstId: 1 + i * 10_000_000 }))
  for (const l of loads) l.start()
  await sleep(3_000)
  const urlOf = (name: string): string => (members.find((m: MemberInfo) => m.name === name) as MemberInfo).apiUrl
  const watch = watchPromotion(cluster.patroniUrls, leader.name, urlOf)
  let at: number
  let after: () => Promise<void> = async () => {}
  if (fault === 'switchover') at = (await cluster.switchover()).at
  else if (fault === 'kill -9') {
    const k = await cluster.killLeader()
    at = k.at
    after = () => cluster.startMember(k.name)
  } else {
    const h = await cluster.hangLeader()
    at = h.at
    after = async () => {
      await h.resume()
    }
  }
  const promoted = await watch.wait(90_000) // before: stop() right after the fault, so kill -9/SIGSTOP never had a promotion time
  const promotedAt = promoted?.at ?? Number.NaN
  await sleep(8_000) // let every writer recover (haproxy needs rise 2 × 3 s)
  if (fault === 'SIGSTOP') await after()
  await sleep(fault === 'SIGSTOP' ? 8_000 : 0)
  const reports: LoadReport[] = await Promise.all(loads.map((l) => l.stop()))
  await Promise.all(writers.map((w) => w.close().catch(() => {})))
  if (fault !== 'SIGSTOP') await after()
  await cluster.waitReady({ timeoutMs: 180_000 })
  const now = await cluster.leader()
  const takenBack = fault === 'SIGSTOP' && now.name === leader.name
  const rows: Row[] = []
  for (const [i, w] of writers.entries()) {
    const r = reports[i] as LoadReport
    const missing = await missingAcked(cluster.pgConnectionString(now.name), tables[i] as string, r.acked)
    rows.push({
      fault, writer: w.label, promotionMs: promotedAt - at, outageMs: longestAckGap(r.ops, at - 1_000).gapMs, failed: r.failed,
      lost: takenBack ? 0 : missing.length, lostToBug: takenBack ? missing.length : 0,
    })
  }
  log(`${fault} run ${run}: ${JSON.stringify(rows)}${takenBack ? ' (3.0.2 took the key back)' : ''}`)
  return rows
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number)
}

async function main(): Promise<void> {
  const cluster = await startCluster({ name: 'bench-failover', basePort: BASE_PORT, log })
  const members = await cluster.status()
  const haproxyPort = BASE_PORT + 40
  const haproxy = await startHaproxy({
    port: haproxyPort,
    mode: 'patroni-primary',
    backends: members.map((m) => ({ name: m.name, host: m.host, port: m.pgPort, checkPort: Number(new URL(m.apiUrl).port) })),
  })
  const all: Row[] = []
  try {
    for (let run = 1; run <= RUNS; run++) for (const fault of ['switchover', 'kill -9', 'SIGSTOP'] as const) all.push(...(await oneFault(cluster, fault, run, haproxyPort)))
  } finally {
    await haproxy.close()
    await cluster.close()
  }
  const lines = [
    `| fault | client | Patroni promotion (ms) | longest write stall (ms) | failed ops | acked writes lost | lost to 3.0.2 key take-back |`,
    `|---|---|---|---|---|---|---|`,
  ]
  for (const fault of ['switchover', 'kill -9', 'SIGSTOP'] as const) {
    for (const writer of ['HaPgClient', 'haproxy', 'pinned pool', 'libpq multi-host']) {
      const rs = all.filter((r) => r.fault === fault && r.writer === writer)
      const f = (k: keyof Row): number => median(rs.map((r) => r[k] as number))
      lines.push(`| ${fault} | ${writer} | ${f('promotionMs')} | ${f('outageMs')} | ${f('failed')} | ${f('lost')} | ${f('lostToBug')} |`)
    }
  }
  process.stdout.write(`${RUNS} run(s), ${RATE} upserts/s per client, medians\n${lines.join('\n')}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    process.exit(1)
  },
)
