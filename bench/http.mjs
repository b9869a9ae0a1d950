// npm run bench:http — GET /hello/:username throughput and latency, our service
// against the Fastify + pg peer, on the same embedded PostgreSQL, in one run.
// Options (environment): BENCH_CONNECTIONS (32), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (2).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { startEmbeddedPostgres } from '../examples/hello-service/dist/embedded-postgres.js'
import { openDatabase } from '../examples/hello-service/dist/database.js'
import { migrate } from '../examples/hello-service/dist/migrations.js'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 32)
const duration = Number(process.env.BENCH_SECONDS ?? 10)
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const root = fileURLToPath(new URL('..', import.meta.url))

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function startServer(label, script, env) {
  const child = spawn(process.execPath, [join(root, script)], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = once(child, 'exit')
  const url = `http://127.0.0.1:${env.PORT}`
  // Ready when the benchmarked request answers 200 (the service logs nothing at LOG_LEVEL=warn).
  for (let attempt = 0; ; attempt++) {
    const status = await fetch(`${url}/hello/alice`).then((r) => r.status, () => 0)
    if (status === 200) break
    if (child.exitCode !== null || attempt > 300) throw new Error(`${label} did not start (exit ${child.exitCode}, last status ${status})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

function cannon(url, seconds) {
  return autocannon({ url: `${url}/hello/alice`, connections, duration: seconds, pipelining: 1 })
}

const dir = await mkdtemp(join(tmpdir(), 'bench-http-'))
const db = await startEmbeddedPostgres({ dir, port: await freePort() })
try {
  const admin = openDatabase({ connectionString: db.adminUrl, max: 1 })
  await migrate(admin, { grantTo: db.appRole })
  await admin.query("INSERT INTO birthdays VALUES ('alice', 'alice', '1990-06-20') ON CONFLICT DO NOTHING")
  await admin.close()

  const common = { DATABASE_URL: db.appUrl, DB_POOL_MAX: '10' }
  const contenders = [
    ['birthday-ha (node:http)', 'examples/hello-service/dist/main.js', { ...common, LOG_LEVEL: 'warn', DRAIN_DELAY_MS: '0' }],
    ['fastify 5 + pg', 'bench/fastify-peer.mjs', common],
  ]
  const results = new Map(contenders.map(([label]) => [label, []]))
  for (let round = 1; round <= rounds; round++) {
    for (const [label, script, env] of round % 2 ? contenders : [...contenders].reverse()) {
      const server = await startServer(label, script, { ...env, PORT: String(await freePort()) })
      try {
        await cannon(server.url, warmup)
        const result = await cannon(server.url, duration)
        if (result.non2xx || result.errors || result.timeouts) {
          throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
        }
        results.get(label).push(result)
        process.stderr.write(`round ${round} ${label}: ${Math.round(result.requests.average)} req/s\n`)
      } finally {
        await server.stop()
      }
    }
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]
  const summary = [...results].map(([label, runs]) => ({
    label,
    rps: median(runs.map((r) => r.requests.average)),
    p50: median(runs.map((r) => r.latency.p50)),
    p99: median(runs.map((r) => r.latency.p99)),
  }))
  const [ours, peer] = summary
  console.log(`\nGET /hello/:username, ${connections} connections, ${duration} s x ${rounds} rounds (median), ${cpus().length} cores, ${cpus()[0]?.model}`)
  console.log('| server | req/s | p50 ms | p99 ms |')
  console.log('|---|---:|---:|---:|')
  for (const row of summary) console.log(`| ${row.label} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} |`)
  const ratio = ours.rps / peer.rps
  console.log(`\nthroughput ratio: ${ratio.toFixed(2)}x (target >= 1.15x); p99 ${ours.p99} ms vs ${peer.p99} ms (target: no worse)`)
  console.log(ratio >= 1.15 && ours.p99 <= peer.p99 ? 'target met' : 'target NOT met')
} finally {
  await db.stop()
  await rm(dir, { recursive: true, force: true })
}
