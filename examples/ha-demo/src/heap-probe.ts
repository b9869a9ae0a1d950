#!/usr/bin/env node
/* c8 ignore start */ // a diagnostic run on a real cluster (examples/ha-demo/README.md, "Soak"); its output goes to the README
// Heap snapshots of every instance after warm-up and after each batch of switchovers, under constant load.
// PROBE_BATCHES=2  PROBE_SWITCHOVERS=5 (per batch)  PROBE_SETTLE_S=20 (load only, before each snapshot)  RATE=100  PROBE_DIR=/tmp/ha-demo-heap
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { signalRecorded } from './process-record.js'
import { heapGrowth, readHeapSnapshot } from './heap-snapshot-summary.js'
import { httpSender } from './http-sender.js'
import { LoadGenerator } from './load-generator.js'
import { scrapeMemory } from './metrics-scrape.js'
import { startTopology, TIMEOUTS } from './topology.js'
import { randomLetters } from './usernames.js'

const batches = Number(process.env['PROBE_BATCHES'] ?? 2)
const perBatch = Number(process.env['PROBE_SWITCHOVERS'] ?? 5)
const settleMs = Number(process.env['PROBE_SETTLE_S'] ?? 20) * 1000
const rate = Number(process.env['RATE'] ?? 100)
const dir = process.env['PROBE_DIR'] ?? '/tmp/ha-demo-heap'
const log = (line: string): void => { process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`) }

async function main(): Promise<void> {
  await mkdir(dir, { recursive: true })
  process.env['HA_DEMO_NODE_ARGS'] = `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`
  await using topology = await startTopology({ name: 'hademo-soak', clusterBasePort: 27700, haproxyPort: 27740, appBasePort: 27741, apps: 2, etcdMembers: 3, log })
  const http = httpSender(topology.url)
  const load = new LoadGenerator({ send: http.send, ratePerSecond: rate, timeoutMs: TIMEOUTS.clientMs, userPrefix: randomLetters(8) })
  const snapshot = async (label: string): Promise<string[]> => {
    const files: string[] = []
    for (const app of topology.state.apps) {
      const before = new Set(await readdir(dir))
      await signalRecorded(app.record, 'SIGUSR2')
      let file: string | undefined
      for (let i = 0; i < 600 && file === undefined; i++) {
        await sleep(100)
        file = (await readdir(dir)).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'))
      }
      await sleep(2_000) // written incrementally: let it finish
      const m = await scrapeMemory(app.spec.port)
      log(`${label}: ${app.spec.name} snapshot ${file ?? 'MISSING'}, heap used after it ${((m?.heapUsedBytes ?? 0) / 1_048_576).toFixed(1)} MB, RSS ${((m?.rssBytes ?? 0) / 1_048_576).toFixed(1)} MB`)
      files.push(join(dir, file ?? 'missing'))
    }
    return files
  }
  load.start()
  try {
    await sleep(60_000)
    const shots = [await snapshot('warm (0 switchovers)')]
    for (let b = 1; b <= batches; b++) {
      for (let s = 0; s < perBatch; s++) {
        const r = await topology.cluster.switchover()
        log(`switchover ${r.from} → ${r.to}`)
        await sleep(8_000)
      }
      await sleep(settleMs)
      shots.push(await snapshot(`after ${b * perBatch} switchovers`))
    }
    await load.stop()
    const failed = load.records.filter((r) => r.status < 200 || r.status >= 300).length
    log(`requests ${load.records.length}, non-2xx ${failed}`)
    for (let a = 0; a < topology.state.apps.length; a++) {
      const groups = await Promise.all(shots.map((s) => readHeapSnapshot(s[a] as string)))
      for (let i = 1; i < groups.length; i++) {
        process.stdout.write(`\n## ${topology.state.apps[a]?.spec.name}: snapshot ${i - 1} → ${i}\n`)
        for (const d of heapGrowth(groups[i - 1] as Map<string, never>, groups[i] as Map<string, never>, 30)) {
          process.stdout.write(`${String(d.countDelta).padStart(7)} ${String(d.bytesDelta).padStart(9)} B  (now ${d.after})  ${d.key}\n`)
        }
      }
    }
  } finally {
    http.close()
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`heap-probe: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
/* c8 ignore stop */
