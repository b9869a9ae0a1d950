import t from 'tap'
import { HaDemoError, HA_DEMO_ERROR_CODES } from '../src/errors.js'
import { waitUntil } from '../src/wait-until.js'

t.test('returns the first truthy value', async (t) => {
  let n = 0
  t.equal(await waitUntil('n', async () => (++n >= 3 ? n : false), { timeoutMs: 1000, intervalMs: 1 }), 3)
})

t.test('times out with the last error as cause', async (t) => {
  const err = await waitUntil('never', async () => { throw new Error('boom') }, { timeoutMs: 20, intervalMs: 5 }).catch((e: unknown) => e)
  t.match(err, { code: 'DEMO_TIMEOUT', message: /waiting for never \(last error: boom\)/ })
  t.match((err as Error).cause, { message: 'boom' })
  // timeoutMs well above one check, so that the default interval (100 ms) is always slept once, even on a loaded machine
  await t.rejects(waitUntil('undefined', async () => undefined, { timeoutMs: 150 }), { code: 'DEMO_TIMEOUT', message: /waiting for undefined$/ })
})

t.test('a process exit fails at once', async (t) => {
  const exited = new HaDemoError('DEMO_PROCESS_EXITED', 'gone')
  await t.rejects(waitUntil('x', async () => { throw exited }, { timeoutMs: 10_000 }), exited)
  t.ok(HA_DEMO_ERROR_CODES.includes(exited.code))
  t.equal(exited.name, 'HaDemoError')
})
