// One process of `npm run bench:fleet`: CLIENTS HaPgClients, each as an app process would run it (its
// defaults, its own REST connections and discovery schedule), each writing one idempotent upsert every
// WRITE_EVERY_MS so a caller is always waiting through a failover. Every REPORT_EVERY_MS it sends the
// clients' counters to the parent over the IPC channel. It ends when the parent disconnects.
import { setTimeout as sleep } from 'node:timers/promises'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import type { WorkerMessage, WorkerReport } from './fleet-summary.js'
import { watchLoopLateness } from './loop-lateness.js'
import { UPSERT_SQL } from './write-load.js'

/** What the parent passes in FLEET_WORKER (JSON). */
export interface WorkerConfig {
  readonly table: string
  readonly patroniUrls: string[]
  readonly patroniAuth: { username: string; password: string }
  readonly pg: { user: string; password: string; database: string }
  /** HaPgClients in this process. */
  readonly clients: number
}

const WRITE_EVERY_MS = 500
const REPORT_EVERY_MS = 250

const send = process.send?.bind(process)
if (send === undefined) {
  process.stderr.write('fleet-worker: run by npm run bench:fleet, with an IPC channel\n')
  process.exit(2)
}
const parsed = JSON.parse(process.env.FLEET_WORKER ?? 'null') as WorkerConfig | null
if (parsed === null) {
  process.stderr.write('fleet-worker: FLEET_WORKER (JSON) is not set\n')
  process.exit(2)
}
const config: WorkerConfig = parsed

let running = true

/** One client and its write loop. */
function startClient(index: number): { client: HaPgClient; report(): WorkerReport } {
  const client = new HaPgClient({ patroniUrls: config.patroniUrls, patroniAuth: config.patroniAuth, pg: config.pg })
  let lastAckAt = 0
  let failed = 0
  let leaderChangedAt = 0
  let firstAckAfterChangeAt = 0
  client.on('leaderChanged', () => {
    leaderChangedAt = Date.now()
    firstAckAfterChangeAt = 0
  })
  const id = process.pid * 1000 + index
  void (async () => {
    await sleep(Math.random() * WRITE_EVERY_MS) // not all in step
    while (running) {
      try {
        await client.query(UPSERT_SQL(config.table), [id], { idempotent: true })
        lastAckAt = Date.now()
        if (firstAckAfterChangeAt === 0 && leaderChangedAt > 0) firstAckAfterChangeAt = lastAckAt
      } catch {
        failed++
      }
      await sleep(WRITE_EVERY_MS)
    }
  })()
  return {
    client,
    report: () => {
      const s = client.stats()
      return { id: `${process.pid}:${index}`, restCalls: s.counters.restCalls, leader: s.leader?.name ?? null, leaseValid: s.leaseValid, lastAckAt, failed, leaderChangedAt, firstAckAfterChangeAt }
    },
  }
}

const clients = Array.from({ length: config.clients }, (_, i) => startClient(i))
// With a callback, a send after the parent went away is that callback's error, not a crash of this process.
// How late this process's timers ran over each report interval: its clients' rounds and writes run on it.
const lateness = watchLoopLateness()
const reporter = setInterval(() => {
  const message: WorkerMessage = { reports: clients.map((c) => c.report()), loopDelayMs: lateness.maxMs() }
  lateness.reset()
  send(message, undefined, {}, () => {})
}, REPORT_EVERY_MS)

process.once('disconnect', () => {
  running = false
  clearInterval(reporter)
  void Promise.allSettled(clients.map((c) => c.client.close())).finally(() => process.exit(0))
})
