import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { send, tryConnect, type ClientResponse } from '../fixtures/http-client.js'

const fixture = fileURLToPath(new URL('../fixtures/shutdown-server.ts', import.meta.url))

interface Child {
  proc: ChildProcess
  lines: Record<string, unknown>[]
  /** Resolves with the first log line whose msg is `msg`. */
  waitFor(msg: string): Promise<Record<string, unknown>>
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Runs the fixture with tap's own loader (process.execArgv), so it imports the TypeScript sources. */
function startChild(env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [...process.execArgv, fixture], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Record<string, unknown>[] = []
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = []
  let buffered = ''
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    let newline: number
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>
      buffered = buffered.slice(newline + 1)
      lines.push(line)
      for (const waiter of waiters.filter((w) => w.msg === line['msg'])) waiter.resolve(line)
    }
  })
  const exit = once(proc, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  const waitFor = (msg: string): Promise<Record<string, unknown>> => {
    const seen = lines.find((l) => l['msg'] === msg)
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }))
  }
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  })
  return { proc, lines, waitFor, exit }
}

t.setTimeout(60_000)

t.test('SIGTERM with requests in flight: 503 readiness, refused connections, completed requests, exit 0', async (t) => {
  const child = startChild()
  const { url } = (await child.waitFor('listening')) as { url: string }
  const port = Number(new URL(url).port)
  t.equal((await send(`${url}/readyz`)).status, 200, 'ready before the signal')

  const inFlight: Promise<ClientResponse>[] = [1, 2, 3].map((id) => send(`${url}/slow/${String(id)}`))
  await new Promise((r) => setTimeout(r, 300))
  child.proc.kill('SIGTERM')
  await child.waitFor('draining')

  const ready = await send(`${url}/readyz`)
  t.equal(ready.status, 503, '/readyz answers 503 during the drain delay')
  t.match(JSON.parse(ready.body), { code: 'HTTP_NOT_READY', detail: 'The server is shutting down.' })
  t.equal(ready.headers['connection'], 'close')

  child.proc.kill('SIGINT')
  await child.waitFor('shutdown already in progress')

  await child.waitFor('stopped accepting connections')
  t.equal(await tryConnect(port), 'ECONNREFUSED', 'new connections are refused once the listener is closed')
  t.notOk(child.lines.some((l) => l['msg'] === 'server closed'), 'while requests are still in flight')

  const responses = await Promise.all(inFlight)
  t.strictSame(responses.map((r) => r.status), [200, 200, 200], 'in-flight requests complete')
  t.strictSame(responses.map((r) => JSON.parse(r.body) as unknown), [{ id: '1' }, { id: '2' }, { id: '3' }])
  t.ok(responses.every((r) => r.headers['connection'] === 'close'))

  t.strictSame(await child.exit, { code: 0, signal: null }, 'exit code 0')
  const sequence = child.lines.map((l) => l['msg']).filter((m) => m !== 'request completed')
  t.strictSame(sequence, [
    'listening',
    'shutdown requested',
    'draining',
    'shutdown already in progress',
    'stopped accepting connections',
    'server closed',
    'pool closing',
    'pool closed',
    'shutdown complete',
  ])
  t.match(child.lines.find((l) => l['msg'] === 'shutdown complete'), { code: 0 })
  t.equal(child.lines.filter((l) => l['msg'] === 'request completed' && l['route'] === '/slow/:id').length, 3)
})

t.test('a request stuck past shutdownTimeoutMs: connection force-closed, exit 1', async (t) => {
  const child = startChild({ HANDLER_MS: '30000', DRAIN_DELAY_MS: '100', SHUTDOWN_TIMEOUT_MS: '800' })
  const { url } = (await child.waitFor('listening')) as { url: string }
  const stuck = send(`${url}/slow/1`).then(() => 'answered', (err: NodeJS.ErrnoException) => err.code)
  await new Promise((r) => setTimeout(r, 300))
  child.proc.kill('SIGTERM')
  t.equal(await stuck, 'ECONNRESET')
  t.strictSame(await child.exit, { code: 1, signal: null })
  t.ok(child.lines.some((l) => l['msg'] === 'pool closing'), 'onClose was still started')
  t.notOk(child.lines.some((l) => l['msg'] === 'pool closed'), 'but not awaited past the deadline')
  t.match(child.lines.find((l) => l['msg'] === 'shutdown complete'), { code: 1 })
})
