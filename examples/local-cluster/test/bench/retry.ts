import t from 'tap'
import { createServer } from 'node:http'
import { benchRetryPolicy, withRetries, type RetryDeps } from '../../src/bench/retry.js'
import type { Writer } from '../../src/bench/write-load.js'

/** A fake clock whose sleeps only move it forward, recording each delay. */
function clock(): RetryDeps & { slept: number[] } {
  let now = 0
  const slept: number[] = []
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), random: () => 0.5 }
}
const failing = (errors: Error[], ack = '127.0.0.1:5432'): Writer => ({
  label: 'w',
  write: async () => {
    const err = errors.shift()
    if (err !== undefined) throw err
    return ack
  },
  close: async () => {},
})
const sqlError = (code: string): Error => Object.assign(new Error(code), { code })

t.test('retries a failover error with 10 ms doubling to 200 ms, and returns the acknowledgement', async (t) => {
  const deps = clock()
  const errors = Array.from({ length: 7 }, () => sqlError('57P01'))
  const w = withRetries(failing(errors), { deadlineMs: 10_000, attemptTimeoutMs: 1_000 }, deps)
  t.equal(await w.write(1), '127.0.0.1:5432')
  t.strictSame(deps.slept, [10, 20, 40, 80, 160, 200, 200])
  t.equal(w.label, 'w', 'the writer is otherwise the same')
})

t.test('a read-only node (25006) is polled every 50 ms at most', async (t) => {
  const deps = clock()
  const w = withRetries(failing(Array.from({ length: 5 }, () => sqlError('25006'))), { deadlineMs: 10_000, attemptTimeoutMs: 1_000 }, deps)
  await w.write(1)
  t.strictSame(deps.slept, [10, 20, 40, 50, 50])
})

t.test("what HaPgClient never retries is thrown at once: 53300, a password refused, a missing database", async (t) => {
  for (const code of ['53300', '28P01', '3D000']) {
    const deps = clock()
    const w = withRetries(failing([sqlError(code)]), { deadlineMs: 10_000, attemptTimeoutMs: 1_000 }, deps)
    await t.rejects(w.write(1), { code }, code)
    t.strictSame(deps.slept, [], `${code}: no retry`)
  }
  const deps = clock()
  const lost = new Error('Connection terminated unexpectedly')
  t.equal(await withRetries(failing([lost, sqlError('57P03')]), { deadlineMs: 10_000, attemptTimeoutMs: 1_000 }, deps).write(1), '127.0.0.1:5432', 'a lost connection and a starting node are retried')
  t.strictSame(deps.slept, [10, 20])
})

t.test('the deadline: the last error is thrown instead of sleeping past it', async (t) => {
  const deps = clock()
  const errors = Array.from({ length: 100 }, (_, i) => sqlError(`08${String(i).padStart(3, '0')}`))
  const w = withRetries(failing(errors), { deadlineMs: 500, attemptTimeoutMs: 1_000 }, deps)
  await t.rejects(w.write(1), { code: '08005' })
  t.ok(deps.now() < 500, `never slept past the deadline (${deps.now()} ms)`)
})

t.test('jitter: ±50 % of the step', async (t) => {
  for (const [random, first] of [[0, 5], [0.999, 15]] as const) {
    const deps = { ...clock(), random: () => random }
    const slept: number[] = []
    await withRetries(failing([sqlError('57P01')]), { deadlineMs: 1_000, attemptTimeoutMs: 100 }, { ...deps, sleep: async (ms) => void slept.push(ms) }).write(1)
    t.strictSame(slept, [first])
  }
})

t.test('an attempt that hangs is abandoned after attemptTimeoutMs and retried (real timers)', async (t) => {
  let calls = 0
  const hangsOnce: Writer = { label: 'h', write: async () => (++calls === 1 ? await new Promise<never>(() => {}) : 'a:1'), close: async () => {} }
  const t0 = Date.now()
  t.equal(await withRetries(hangsOnce, { deadlineMs: 5_000, attemptTimeoutMs: 50 }).write(1), 'a:1')
  t.equal(calls, 2)
  t.ok(Date.now() - t0 >= 50, 'waited the attempt timeout')
  await t.rejects(withRetries({ ...hangsOnce, write: async () => await new Promise<never>(() => {}) }, { deadlineMs: 120, attemptTimeoutMs: 50 }).write(1), { code: 'ATTEMPT_TIMEOUT' })
})

t.test("benchRetryPolicy: HaPgClient's deadline from a real /config answer (Patroni 4 shows the ttl it raised to 20)", async (t) => {
  // GET /config returns the dynamic configuration: https://patroni.readthedocs.io/en/latest/rest_api.html#config-endpoint
  const server = createServer((req, res) => res.writeHead(req.url === '/config' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ ttl: 20, loop_wait: 1, retry_timeout: 5, synchronous_mode: true })))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  t.strictSame(await benchRetryPolicy(`http://127.0.0.1:${(server.address() as { port: number }).port}`), { deadlineMs: 29_000, attemptTimeoutMs: 5_000 })
})
