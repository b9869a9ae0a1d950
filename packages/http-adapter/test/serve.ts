import t from 'tap'
import { once } from 'node:events'
import { Agent, createServer } from 'node:http'
import { Registry } from 'prom-client'
import { createApp } from '../src/app.js'
import type { Route } from '../src/route.js'
import { serve, type ServeOptions } from '../src/serve.js'
import { captureLogger } from './fixtures/capture-logger.js'
import { send, tryConnect } from './fixtures/http-client.js'

function start(routes: Route[], options: ServeOptions = {}) {
  const { logger, lines } = captureLogger()
  const app = createApp({ routes, logger, registry: new Registry() })
  const exits: number[] = []
  const running = serve(app, { port: 0, signals: false, drainDelayMs: 0, shutdownTimeoutMs: 5_000, logger, exit: (code) => exits.push(code), ...options })
  return { app, lines, exits, running }
}

const slow = (ms: number): Route => ({
  method: 'GET',
  path: '/slow',
  handler: async () => {
    await new Promise((r) => setTimeout(r, ms))
    return { status: 200, body: { slept: ms } }
  },
})

t.test('listens on 127.0.0.1 with the configured timeouts', async (t) => {
  const { running: pending } = start([], { keepAliveTimeoutMs: 1234, headersTimeoutMs: 2000, requestTimeoutMs: 3000 })
  const running = await pending
  t.teardown(() => running.close())
  t.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(running.url, `http://127.0.0.1:${String(running.port)}`)
  t.equal(running.server.keepAliveTimeout, 1234)
  t.equal(running.server.headersTimeout, 2000)
  t.equal(running.server.requestTimeout, 3000)
  const res = await send(`${running.url}/healthz`)
  t.equal(res.status, 200)
})

t.test('defaults: keep-alive 65 s, headers 10 s, request 30 s', async (t) => {
  const { running: pending } = start([])
  const running = await pending
  t.teardown(() => running.close())
  t.equal(running.server.keepAliveTimeout, 65_000)
  t.equal(running.server.headersTimeout, 10_000)
  t.equal(running.server.requestTimeout, 30_000)
})

t.test('IPv6 hosts are bracketed in the url', async (t) => {
  const { running: pending } = start([], { host: '::1' })
  const running = await pending
  t.teardown(() => running.close())
  t.match(running.url, /^http:\/\/\[::1\]:\d+$/)
})

t.test('the default port is 3000', async (t) => {
  const { app, lines } = { ...captureLogger(), app: createApp({ routes: [], logger: captureLogger().logger, registry: new Registry() }) }
  try {
    const running = await serve(app, { signals: false, drainDelayMs: 0, logger: captureLogger().logger })
    t.equal(running.port, 3000)
    await running.close()
  } catch (err) {
    t.match(err, { code: 'EADDRINUSE', port: 3000 }, 'port 3000 is taken here, but it was the one tried')
  }
  t.strictSame(lines, [])
})

t.test('listen errors reject', async (t) => {
  const blocker = createServer()
  blocker.listen(0, '127.0.0.1')
  await once(blocker, 'listening')
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  await t.rejects(start([], { port }).running, { code: 'EADDRINUSE' })
})

t.test('options are validated before listening', async (t) => {
  const app = createApp({ routes: [], logger: captureLogger().logger, registry: new Registry() })
  const bad: [ServeOptions, RegExp][] = [
    [{ keepAliveTimeoutMs: -1 }, /keepAliveTimeoutMs/],
    [{ headersTimeoutMs: 1.5 }, /headersTimeoutMs/],
    [{ requestTimeoutMs: Number.NaN }, /requestTimeoutMs/],
    [{ connectionsCheckingIntervalMs: 0 }, /connectionsCheckingIntervalMs/],
    [{ drainDelayMs: -5 }, /drainDelayMs/],
    [{ shutdownTimeoutMs: Infinity }, /shutdownTimeoutMs/],
    [{ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }, /must not exceed/],
    [{ drainDelayMs: 30_000, shutdownTimeoutMs: 30_000 }, /must be less than/],
  ]
  for (const [options, message] of bad) await t.rejects(serve(app, { port: 0, signals: false, ...options }), message)
  const running = await serve(app, { port: 0, signals: false, drainDelayMs: 0, headersTimeoutMs: 20_000, requestTimeoutMs: 0, logger: captureLogger().logger })
  t.equal(running.server.requestTimeout, 0, 'requestTimeout 0 disables the check against headersTimeout')
  await running.close()
})

t.test('close(): drain, refuse new connections, finish in-flight, onClose, idempotent, no exit', async (t) => {
  let closedPool = 0
  const { app, lines, exits, running: pending } = start([slow(300)], {
    drainDelayMs: 150,
    onClose: async () => {
      closedPool++
    },
  })
  const running = await pending
  const inFlight = send(`${running.url}/slow`)
  await new Promise((r) => setTimeout(r, 50))
  const closing = running.close()
  t.equal(running.close(), running.close(), 'the same promise while closing')
  t.equal(app.draining, true, 'draining starts at once')
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.status, 503, 'readiness is 503 during the drain delay')
  t.equal(await tryConnect(running.port), 'connected', 'still accepting during the drain delay')
  const res = await inFlight
  t.equal(res.status, 200, 'the in-flight request completed')
  t.equal(res.headers['connection'], 'close')
  await closing
  t.equal(await tryConnect(running.port), 'ECONNREFUSED', 'new connections are refused after close')
  t.equal(closedPool, 1)
  await running.close()
  await running[Symbol.asyncDispose]()
  t.equal(closedPool, 1, 'onClose runs once')
  t.strictSame(exits, [], 'close() never exits')
  const messages = lines.map((l) => l['msg'])
  t.strictSame(messages.filter((m) => m !== 'request completed'), ['listening', 'draining', 'stopped accepting connections', 'server closed', 'shutdown complete'])
  t.match(lines.at(-1), { msg: 'shutdown complete', code: 0 })
})

t.test('idle keep-alive sockets are closed, so close() does not wait for keepAliveTimeout', async (t) => {
  const { running: pending } = start([], { keepAliveTimeoutMs: 60_000 })
  const running = await pending
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const res = await send(`${running.url}/healthz`, { agent })
  t.equal(res.headers['connection'], 'keep-alive')
  const started = Date.now()
  await running.close()
  t.ok(Date.now() - started < 5_000, 'closed well before the keep-alive timeout')
})

t.test('a keep-alive socket busy when close() starts is closed after its response', async (t) => {
  const { running: pending } = start([slow(200)], { keepAliveTimeoutMs: 60_000 })
  const running = await pending
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  await send(`${running.url}/healthz`, { agent })
  const inFlight = send(`${running.url}/slow`, { agent })
  await new Promise((r) => setTimeout(r, 50))
  await running.close()
  const res = await inFlight
  t.equal(res.status, 200)
  t.equal(res.headers['connection'], 'close')
})

t.test('a signal runs the sequence once and exits 0; default signals are SIGTERM and SIGINT', async (t) => {
  const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }
  const { logger } = captureLogger()
  const app = createApp({ routes: [], logger, registry: new Registry() })
  const defaults = await serve(app, { port: 0, drainDelayMs: 0, logger }).then(async (running) => {
    t.equal(process.listenerCount('SIGTERM'), before.term + 1)
    t.equal(process.listenerCount('SIGINT'), before.int + 1)
    await running.close()
    t.equal(process.listenerCount('SIGTERM'), before.term, 'listeners are removed after the sequence')
    t.equal(process.listenerCount('SIGINT'), before.int)
    return running
  })
  t.ok(defaults)

  let onCloseCalls = 0
  const usr2 = process.listenerCount('SIGUSR2')
  const { lines, exits, running: pending } = start([], {
    signals: ['SIGUSR2'],
    drainDelayMs: 50,
    onClose: async () => {
      onCloseCalls++
    },
  })
  await pending
  process.emit('SIGUSR2', 'SIGUSR2')
  process.emit('SIGUSR2', 'SIGUSR2')
  while (exits.length === 0) await new Promise((r) => setTimeout(r, 10))
  t.strictSame(exits, [0])
  t.equal(onCloseCalls, 1)
  t.match(lines.filter((l) => l['signal'] !== undefined), [
    { msg: 'shutdown requested', signal: 'SIGUSR2' },
    { msg: 'shutdown already in progress', signal: 'SIGUSR2' },
  ])
  t.equal(process.listenerCount('SIGUSR2'), usr2)
})

t.test('a signal during close() still exits, once, after the sequence', async (t) => {
  const { exits, running: pending } = start([], { signals: ['SIGUSR2'], drainDelayMs: 50 })
  const running = await pending
  const closing = running.close()
  process.emit('SIGUSR2', 'SIGUSR2')
  await closing
  await new Promise((r) => setImmediate(r))
  t.strictSame(exits, [0])
})

t.test('the default exit is process.exit', async (t) => {
  const codes = t.capture(process, 'exit')
  const { logger } = captureLogger()
  const app = createApp({ routes: [], logger, registry: new Registry() })
  await serve(app, { port: 0, signals: ['SIGUSR2'], drainDelayMs: 0, logger })
  process.emit('SIGUSR2', 'SIGUSR2')
  while (codes.calls.length === 0) await new Promise((r) => setTimeout(r, 10))
  t.strictSame(codes.args(), [[0]])
})

t.test('hard deadline: connections are force-closed and the exit code is 1', async (t) => {
  const stuck: Route = { method: 'GET', path: '/slow', handler: () => new Promise(() => {}) }
  const { lines, exits, running: pending } = start([stuck], { signals: ['SIGUSR2'], drainDelayMs: 50, shutdownTimeoutMs: 300 })
  const running = await pending
  const inFlight = send(`${running.url}/slow`).then(() => 'answered', (err: unknown) => (err as NodeJS.ErrnoException).code)
  await new Promise((r) => setTimeout(r, 30))
  process.emit('SIGUSR2', 'SIGUSR2')
  t.equal(await inFlight, 'ECONNRESET', 'the stuck request was cut')
  while (exits.length === 0) await new Promise((r) => setTimeout(r, 10))
  t.strictSame(exits, [1])
  t.match(lines.find((l) => l['level'] === 'warn'), { msg: 'shutdown deadline reached: closing all connections', shutdownTimeoutMs: 300 })
  t.match(lines.find((l) => l['msg'] === 'server closed'), { forced: true })
})

t.test('a failing onClose → exit code 1, logged', async (t) => {
  const { lines, running: pending } = start([], { onClose: () => Promise.reject(new Error('pool end failed')) })
  const running = await pending
  await running.close()
  t.match(lines.find((l) => l['msg'] === 'onClose failed'), { level: 'error', err: { message: 'pool end failed' } })
  t.match(lines.at(-1), { msg: 'shutdown complete', code: 1 })
})

t.test('an onClose slower than the deadline does not hold the shutdown', async (t) => {
  const { lines, running: pending } = start([], { shutdownTimeoutMs: 200, onClose: () => new Promise(() => {}) })
  const running = await pending
  await running.close()
  t.match(lines.at(-1), { msg: 'shutdown complete', code: 1 })
})

t.test('the default logger writes to stdout', async (t) => {
  const written: string[] = []
  const original = process.stdout.write.bind(process.stdout)
  const intercept = t.intercept(process.stdout, 'write', { value: (chunk: string) => (String(chunk).startsWith('{"time":') ? written.push(chunk) > 0 : original(chunk)) })
  const app = createApp({ routes: [], logger: captureLogger().logger, registry: new Registry() })
  const running = await serve(app, { port: 0, signals: false, drainDelayMs: 0 })
  await running.close()
  await new Promise((r) => setImmediate(r))
  intercept.restore()
  const lines = written.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.match(lines[0], { msg: 'listening', url: running.url })
})
