// npm run bench:http — GET /hello/:username throughput and latency, our service
// against the Fastify + pg peer, on the same embedded PostgreSQL, in one run.
// Two workloads: every request for one user (the best case for coalescing), and requests spread over
// BENCH_USERS distinct users (each connection walks its own order of them).
// Options (environment): BENCH_CONNECTIONS (32), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (2),
// BENCH_USERS (1000).
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
const userCount = Number(process.env.BENCH_USERS ?? 1000)
// Usernames are letters only: user number n written in base 26 with a..z.
const nameOf = (n) => 'u' + n.toString(26).split('').map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')
const users = Array.from({ length: userCount }, (_, n) => nameOf(n))
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

function cannon(url, seconds, workload) {
  const options = { url: `${url}/hello/alice`, connections, duration: seconds, pipelining: 1 }
  if (workload === 'one user') return autocannon(options)
  // Each connection starts at a different offset, so concurrent requests ask for different users.
  let offset = 0
  return autocannon({
    ...options,
    requests: [{ setupRequest: (request, context) => {
      context.next = ((context.next ?? (offset += 37)) + 1) % users.length
      return { ...request, path: `/hello/${users[context.next]}` }
    } }],
  })
}
const workloads = ['one user', `${userCount} users`]

const dir = await mkdtemp(join(tmpdir(), 'bench-http-'))
const db = await startEmbeddedPostgres({ dir, port: await freePort() })
try {
  const admin = openDatabase({ connectionString: db.adminUrl, max: 1 })
  await migrate(admin, { grantTo: db.appRole })
  await admin.query("INSERT INTO birthdays VALUES ('alice', 'alice', '1990-06-20') ON CONFLICT DO NOTHING")
  await admin.query(
    "INSERT INTO birthdays SELECT u, u, DATE '1950-01-01' + (i * 17 % 20000)::int FROM unnest($1::text[]) WITH ORDINALITY AS t(u, i) ON CONFLICT DO NOTHING",
    [users],
  )
  await admin.close()

  const common = { DATABASE_URL: db.appUrl, DB_POOL_MAX: '10' }
  const contenders = [
    ['birthday-ha (node:http)', 'examples/hello-service/dist/main.js', { ...common, LOG_LEVEL: 'warn', DRAIN_DELAY_MS: '0' }],
    ['fastify 5 + pg', 'bench/fastify-peer.mjs', common],
  ]
  const results = new Map()
  for (let round = 1; round <= rounds; round++) {
    for (const [label, script, env] of round % 2 ? contenders : [...contenders].reverse()) {
      const server = await startServer(label, script, { ...env, PORT: String(await freePort()) })
      try {
        for (const workload of workloads) {
          await cannon(server.url, warmup, workload)
          const result = await cannon(server.url, duration, workload)
          if (result.non2xx || result.errors || result.timeouts) {
            throw new Error(`${label}, ${workload}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
          }
          const key = `${workload}|${label}`
          results.set(key, [...(results.get(key) ?? []), result])
          process.stderr.write(`round ${round} ${label}, ${workload}: ${Math.round(result.requests.average)} req/s\n`)
        }
      } finally {
        await server.stop()
      }
    }
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]
  console.log(`\nGET /hello/:username, ${connections} connections, ${duration} s x ${rounds} rounds (lower median), ${cpus().length} cores, ${cpus()[0]?.model}`)
  console.log('| workload | server | req/s | p50 ms | p99 ms |')
  console.log('|---|---|---:|---:|---:|')
  const verdicts = []
  for (const workload of workloads) {
    const [ours, peer] = contenders.map(([label]) => {
      const runs = results.get(`${workload}|${label}`)
      return {
        label,
        rps: median(runs.map((r) => r.requests.average)),
        p50: median(runs.map((r) => r.latency.p50)),
        p99: median(runs.map((r) => r.latency.p99)),
      }
    })
    for (const row of [ours, peer]) console.log(`| ${workload} | ${row.label} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} |`)
    const ratio = ours.rps / peer.rps
    verdicts.push(`${workload}: ${ratio.toFixed(2)}x throughput (target >= 1.15x), p99 ${ours.p99} vs ${peer.p99} ms (target: no worse): ${ratio >= 1.15 && ours.p99 <= peer.p99 ? 'met' : 'NOT met'}`)
  }
  console.log('')
  for (const verdict of verdicts) console.log(verdict)
} finally {
  await db.stop()
  await rm(dir, { recursive: true, force: true })
}
