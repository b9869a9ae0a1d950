import { createServer, type AddressInfo } from 'node:net'
import t from 'tap'
import { LocalClusterError } from '../src/errors.js'
import { pollUntil, portAccepts, waitFor } from '../src/wait.js'

t.test('returns the first value that is not false/undefined', async (t) => {
  let calls = 0
  const value = await waitFor('three calls', async () => (++calls === 3 ? 'done' : calls === 1 ? false : undefined), {
    timeoutMs: 5_000, intervalMs: 1,
  })
  t.equal(value, 'done')
  t.equal(calls, 3)
})

t.test('times out with LC_TIMEOUT, naming what and the last error as cause', async (t) => {
  let clock = 0
  const now = (): number => clock
  const err = await waitFor('the moon', async () => {
    clock += 600
    throw new Error('not yet')
  }, { timeoutMs: 1000, intervalMs: 1, now }).catch((e: unknown) => e)
  t.match(err, { code: 'LC_TIMEOUT', message: /timed out after 1000 ms waiting for the moon \(last error: not yet\)/ })
  t.match((err as Error).cause, { message: 'not yet' })
  const plain = await waitFor('nothing', async () => false, { timeoutMs: 0, intervalMs: 1 }).catch((e: unknown) => e)
  t.match(plain, { code: 'LC_TIMEOUT', message: 'timed out after 0 ms waiting for nothing' })
  t.equal((plain as Error).cause, undefined)
})

t.test('a process that exited fails the wait at once', async (t) => {
  const exited = new LocalClusterError('LC_PROCESS_EXITED', 'gone')
  const err = await waitFor('it', async () => { throw exited }, { timeoutMs: 60_000 }).catch((e: unknown) => e)
  t.equal(err, exited)
})

t.test('a non-Error throw still times out cleanly', async (t) => {
  const err = await waitFor('it', async () => { throw 'string' }, { timeoutMs: 0 }).catch((e: unknown) => e)
  t.match(err, { code: 'LC_TIMEOUT', message: 'timed out after 0 ms waiting for it' })
})

t.test('the default poll interval is used when none is given', async (t) => {
  let calls = 0
  t.equal(await waitFor('second call', async () => ++calls === 2, { timeoutMs: 5_000 }), true)
})

t.test("pollUntil: the caller's own timeout error and fatal errors", async (t) => {
  const fatal = new Error('fatal')
  await t.rejects(pollUntil('it', async () => { throw fatal }, { timeoutMs: 60_000, isFatal: (e) => e === fatal, timeoutError: (m) => new Error(m) }), fatal)
  const err = await pollUntil('it', async () => { throw new Error('later') }, { timeoutMs: 0, isFatal: () => false, timeoutError: (m, cause) => Object.assign(new Error(m), { code: 'MINE', cause }) }).catch((e: unknown) => e)
  t.match(err, { code: 'MINE', message: 'timed out after 0 ms waiting for it (last error: later)', cause: { message: 'later' } })
})

t.test('portAccepts: a listener on loopback, and a port nothing listens on', async (t) => {
  const server = createServer((socket) => socket.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  t.equal(await portAccepts(port), true)
  await new Promise((resolve) => server.close(resolve))
  t.equal(await portAccepts(port), false)
})
