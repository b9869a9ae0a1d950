#!/usr/bin/env node
/* c8 ignore start */ // the soak benchmark's entry point (npm run bench:soak, 10 min by default); its figures go to the README
// SOAK_MINUTES=10  RATE=100 (req/s)  APPS=2  HA_DEMO_NODE_ARGS (default --trace-gc: the instances log every full GC)
import { setTimeout as sleep } from 'node:timers/promises'
import { readStored, verifyAcks } from './ack-verification.js'
import { LogFollower, parseMajorGcs } from './gc-trace.js'
import { httpSender } from './http-sender.js'
import { LoadGenerator } from './load-generator.js'
import { perMinute, summarize } from './load-report.js'
import { scrapeMemory, type MemorySample } from './metrics-scrape.js'
import { startTopology, TIMEOUTS } from './topology.js'
import { randomLetters } from './usernames.js'

{
  // --help and --version; the rest is configured by the environment variables above
  const args = process.argv.slice(2)
  const usage = 'usage: npm run bench:soak   (10 minutes by default: starts its own topology)\n  environment: SOAK_MINUTES=10  RATE=100 (req/s)  APPS=2  HA_DEMO_NODE_ARGS (default --trace-gc)'
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  if (args.includes('--version')) {
    const { readFileSync } = await import('node:fs')
    process.stdout.write(`${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    process.exit(0)
  }
  if (args.length > 0) {
    process.stderr.write(`unknown argument ${JSON.stringify(args[0])}\n${usage}\n`)
    process.exit(2)
  }
}

const minutes = Number(process.env['SOAK_MINUTES'] ?? 10)
const rate = Number(process.env['RATE'] ?? 100)
const apps = Number(process.env['APPS'] ?? 2)
const log = (line: string): void => { process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`) }
const out = (line = ''): void => { process.stdout.write(`${line}\n`) }
const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1)

interface Sample extends MemorySample { readonly at: number; readonly app: string }
/** The live heap right after one full GC of an instance, seen in its --trace-gc log at `at` (±5 s). */
interface GcSample { readonly at: number; readonly app: string; readonly afterMb: number }

async function main(): Promise<number> {
  // The minimum of sampled heap figures is not a post-GC floor (the old generation grows between full
  // GCs), so the trend is judged on the heap after each full GC, from the instances' --trace-gc lines.
  process.env['HA_DEMO_NODE_ARGS'] ??= '--trace-gc'
  const topology = await startTopology({ name: 'hademo-soak', clusterBasePort: 27700, haproxyPort: 27740, appBasePort: 27741, apps, etcdMembers: 3, log })
  const samples: Sample[] = []
  const gcs: GcSample[] = []
  const followers = new Map(topology.state.apps.map((a) => [a.spec.name, new LogFollower(a.spec.logFile)]))
  let switchWindow: { from: number; to: number } | undefined
  const http = httpSender(topology.url)
  const load = new LoadGenerator({ send: http.send, ratePerSecond: rate, timeoutMs: TIMEOUTS.clientMs, userPrefix: randomLetters(8) })
  const startedAt = Date.now()
  const endAt = startedAt + minutes * 60_000
  try {
    load.start()
    let switched = false
    while (Date.now() < endAt) {
      for (const app of topology.state.apps) {
        const m = await scrapeMemory(app.spec.port)
        if (m !== undefined) samples.push({ ...m, at: Date.now(), app: app.spec.name })
        for (const gc of parseMajorGcs(await (followers.get(app.spec.name) as LogFollower).read())) gcs.push({ at: Date.now(), app: app.spec.name, afterMb: gc.afterMb })
      }
      if (!switched && Date.now() >= startedAt + (minutes * 60_000) / 2) {
        switched = true
        const from = Date.now()
        const s = await topology.cluster.switchover()
        switchWindow = { from, to: Date.now() + 10_000 }
        log(`switchover ${s.from} → ${s.to} at minute ${((from - startedAt) / 60_000).toFixed(1)}`)
      }
      const minute = Math.floor((Date.now() - startedAt) / 60_000)
      if (samples.length % (apps * 12) === 0) log(`minute ${minute}: ${load.records.length} requests answered, ${load.inFlight} in flight`)
      await sleep(5_000)
    }
    await load.stop()
  } finally {
    http.close()
  }
  const leader = await topology.cluster.leader()
  const verification = verifyAcks(load.users, await readStored(topology.cluster.pgConnectionString(leader.name, 'app'), [...load.users.keys()]))
  await topology.close()

  const summary = summarize(load.records)
  const inWindow = (at: number): boolean => switchWindow !== undefined && at >= switchWindow.from && at <= switchWindow.to
  const failed = load.records.filter((r) => r.status < 200 || r.status >= 300)
  const outside = failed.filter((r) => !inWindow(r.sentAt) && !inWindow(r.endedAt))
  out(`# soak: ${minutes} min at ${rate} req/s (1/3 PUT) through haproxy, ${apps} instances, one switchover at minute ${switchWindow === undefined ? '-' : ((switchWindow.from - startedAt) / 60_000).toFixed(1)}`)
  out()
  const names = topology.state.apps.map((a) => a.spec.name)
  const minHeap = (app: string, minute: number): number | undefined => {
    const values = samples.filter((s) => s.app === app && Math.floor((s.at - startedAt) / 60_000) === minute).map((s) => s.heapUsedBytes)
    return values.length === 0 ? undefined : Math.min(...values)
  }
  // MB as V8 prints it (2^20 bytes); undefined when that instance had no full GC in that minute.
  const postGc = (app: string, minute: number): { min: number; count: number } | undefined => {
    const values = gcs.filter((g) => g.app === app && Math.floor((g.at - startedAt) / 60_000) === minute).map((g) => g.afterMb)
    return values.length === 0 ? undefined : { min: Math.min(...values), count: values.length }
  }
  const gcCell = (v: { min: number; count: number } | undefined): string => (v === undefined ? '–' : `${v.min.toFixed(1)} (${v.count})`)
  out(`| minute | requests | errors | p50 | p99 | ${names.map((n) => `${n} heap after full GC (min MB, GCs)`).join(' | ')} | ${names.map((n) => `${n} heap used (min sample, MB)`).join(' | ')} |`)
  out(`|---:|---:|---:|---:|---:|${names.map(() => '---:').join('|')}|${names.map(() => '---:').join('|')}|`)
  for (const m of perMinute(load.records, startedAt)) {
    out(`| ${m.minute} | ${m.requests} | ${m.errors} | ${m.p50Ms} ms | ${m.p99Ms} ms | ${names.map((n) => gcCell(postGc(n, m.minute))).join(' | ')} | ${names.map((n) => mb(minHeap(n, m.minute) ?? 0)).join(' | ')} |`)
  }
  out()
  const warm = minutes >= 2 ? 1 : 0
  const last = Math.max(warm, Math.ceil(minutes) - 1)
  // Warm-up and end figures: the lowest post-full-GC heap in the warm-up minute and in the last minute
  // (or the one before it when the last had no full GC); the sampled minimum only when there is none.
  const gcFigure = (n: string, ...minutes: number[]): number | undefined => {
    for (const minute of minutes) {
      const v = postGc(n, minute)
      if (v !== undefined) return v.min * 1_048_576
    }
    return undefined
  }
  out('| instance | RSS start | RSS end | heap after warm-up (after full GC, minute ' + warm + ') | heap end (after full GC, minute ' + last + ') | heap change | full GCs |')
  out('|---|---:|---:|---:|---:|---:|---:|')
  let heapOk = true
  for (const n of names) {
    const mine = samples.filter((s) => s.app === n)
    const first = mine[0]
    const final = mine.at(-1)
    const g0 = gcFigure(n, warm, warm + 1)
    const g1 = gcFigure(n, last, last - 1)
    const fromGc = g0 !== undefined && g1 !== undefined
    const h0 = fromGc ? g0 : minHeap(n, warm) ?? 0
    const h1 = fromGc ? g1 : minHeap(n, last) ?? 0
    const change = h0 === 0 ? 0 : (h1 - h0) / h0
    if (change > 0.1) heapOk = false
    out(`| ${n} | ${mb(first?.rssBytes ?? 0)} MB | ${mb(final?.rssBytes ?? 0)} MB | ${mb(h0)} MB | ${mb(h1)} MB${fromGc ? '' : ' (sampled min: no full GC seen)'} | ${(change * 100).toFixed(1)} % | ${gcs.filter((g) => g.app === n).length} |`)
  }
  out()
  out(`requests ${summary.sent}, non-2xx ${summary.non2xx} (${failed.length - outside.length} inside the switchover window, ${outside.length} outside), ` +
    `p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, longest write gap ${(summary.longestWriteGapMs / 1000).toFixed(2)} s, ` +
    `acked writes lost ${verification.lost.length} of ${verification.checked} users`)
  out(`targets: heap ≤ +10 % after warm-up: ${heapOk ? 'met' : 'NOT MET'}; no errors outside the switchover window: ${outside.length === 0 ? 'met' : 'NOT MET'}`)
  return heapOk && outside.length === 0 && verification.lost.length === 0 ? 0 : 1
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`bench:soak: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
/* c8 ignore stop */
