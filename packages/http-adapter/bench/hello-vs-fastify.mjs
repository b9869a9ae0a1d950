// GET /hello/:username on this adapter, on Fastify and on bare node:http.
// Build first (npx tsc -b packages/http-adapter), then, from packages/http-adapter:
//   node bench/hello-vs-fastify.mjs [rounds=5] [requests=60000]
// Each server runs in its own process; rounds interleave the servers so that load
// from other processes hits all of them alike. Reported: medians of requests/s and of
// the server's CPU time per request (user+system), which is far less sensitive to a
// busy machine than requests/s.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

const servers = {
  'adapter (log warn)': { kind: 'adapter', log: 'warn' },
  'fastify (logger off)': { kind: 'fastify', log: 'off' },
  'adapter (access log info)': { kind: 'adapter', log: 'info' },
  'fastify (logger on)': { kind: 'fastify', log: 'info' },
  'node:http (no routing, no metrics)': { kind: 'node', log: 'off' },
}

const greeting = (name) => ({ message: `Hello, ${name}! Your birthday is in 5 day(s)` })

async function serve(kind, log) {
  let port
  if (kind === 'adapter') {
    const { createApp, createLogger, serve: listen } = await import('../dist/index.js')
    const logger = createLogger({ level: log })
    const app = createApp({ logger, routes: [{ method: 'GET', path: '/hello/:username', handler: async (ctx) => ({ status: 200, body: greeting(ctx.params.username) }) }] })
    port = (await listen(app, { port: 0, logger, signals: false })).port
  } else if (kind === 'fastify') {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ logger: log !== 'off' })
    app.get('/hello/:username', async (req) => greeting(req.params.username))
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = app.server.address().port
  } else {
    const { createServer } = await import('node:http')
    const server = createServer((req, res) => {
      Promise.resolve().then(() => {
        const body = JSON.stringify(greeting(req.url.slice('/hello/'.length)))
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
        res.end(body)
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    port = server.address().port
  }
  process.on('message', () => process.send(process.cpuUsage()))
  process.send({ port })
}

async function measure(name, requests) {
  const { kind, log } = servers[name]
  const child = fork(new URL(import.meta.url), ['--serve', kind, log], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const [{ port }] = await once(child, 'message')
  const url = `http://127.0.0.1:${port}/hello/ada`
  await autocannon({ url, connections: 50, amount: 10_000 })
  const cpu = async () => (child.send('cpu'), (await once(child, 'message'))[0])
  const before = await cpu()
  const result = await autocannon({ url, connections: 50, amount: requests })
  const after = await cpu()
  child.kill()
  const cpuMicros = after.user - before.user + (after.system - before.system)
  return { rps: result.requests.average, cpuPerRequest: cpuMicros / result.requests.total, errors: result.errors + result.non2xx }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

if (process.argv[2] === '--serve') {
  await serve(process.argv[3], process.argv[4])
} else {
  const rounds = Number(process.argv[2] ?? 5)
  const requests = Number(process.argv[3] ?? 60_000)
  const samples = Object.fromEntries(Object.keys(servers).map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(servers)) samples[name].push(await measure(name, requests))
  }
  console.log(`node ${process.version}, ${rounds} rounds x ${requests} requests, 50 connections; medians`)
  console.log('server'.padEnd(36), 'req/s'.padStart(8), 'CPU µs/req'.padStart(11), 'errors'.padStart(7))
  for (const [name, runs] of Object.entries(samples)) {
    const errors = runs.reduce((sum, r) => sum + r.errors, 0)
    console.log(name.padEnd(36), String(Math.round(median(runs.map((r) => r.rps)))).padStart(8), median(runs.map((r) => r.cpuPerRequest)).toFixed(1).padStart(11), String(errors).padStart(7))
  }
}
