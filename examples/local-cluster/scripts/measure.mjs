#!/usr/bin/env node
// Measures the harness's start and failover times on this machine: median [min-max] of N runs.
// usage: npm run build && node examples/local-cluster/scripts/measure.mjs [runs=3] [fast|production]
import { startCluster } from '../dist/index.js'

const runs = Number(process.argv[2] ?? 3)
const timing = process.argv[3] ?? 'fast'
const samples = { start: [], switchover: [], killLeader: [], hangLeader: [], rejoin: [], close: [] }

async function until(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
const newLeader = (cluster, old) => until('a new leader', async () => {
  const leader = await cluster.leader()
  return leader.name !== old ? leader : undefined
})
const seconds = (ms) => ms / 1000

for (let run = 0; run < runs; run++) {
  let t0 = Date.now()
  const cluster = await startCluster({ name: 'measure', basePort: 25900, etcdMembers: 3, timing })
  samples.start.push(seconds(Date.now() - t0))

  const sync = (await cluster.status()).find((m) => m.role === 'sync_standby')
  const sw = await cluster.switchover(sync?.name)
  samples.switchover.push(seconds(Date.now() - sw.at))
  await cluster.waitReady()

  const killed = await cluster.killLeader()
  await newLeader(cluster, killed.name)
  samples.killLeader.push(seconds(Date.now() - killed.at))
  t0 = Date.now()
  await cluster.startMember(killed.name)
  await cluster.waitReady()
  samples.rejoin.push(seconds(Date.now() - t0))

  const hung = await cluster.hangLeader()
  await newLeader(cluster, hung.name)
  samples.hangLeader.push(seconds(Date.now() - hung.at))
  await hung.resume()
  await cluster.waitReady()

  t0 = Date.now()
  await cluster.close({ removeData: true })
  samples.close.push(seconds(Date.now() - t0))
  console.error(`run ${run + 1}/${runs} done`)
}

const fmt = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
  return `${median.toFixed(1)} s [${s[0].toFixed(1)}–${s.at(-1).toFixed(1)}]`
}
console.log(`timing ${timing}, 3 etcd, 3 Patroni nodes, ${runs} runs, load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`)
console.log('| event | median [min–max] |\n|---|---|')
const labels = {
  start: 'startCluster → ready (leader + 2 streaming + sync standby)',
  switchover: 'switchover call → new leader answers /primary',
  killLeader: 'kill -9 leader (Patroni + postmaster) → another node /primary 200',
  rejoin: 'startMember(killed) → rewound and streaming (waitReady)',
  hangLeader: 'SIGSTOP leader Patroni → another node /primary 200',
  close: 'close() (stop all, wipe)',
}
for (const [key, label] of Object.entries(labels)) console.log(`| ${label} | ${fmt(samples[key])} |`)
