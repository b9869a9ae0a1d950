import t from 'tap'
import { createServer } from 'node:net'
import { runStatement } from '../src/statement.js'

/** A pg.PoolClient stand-in whose statement never answers until its socket is destroyed (as pg rejects then). */
function hungClient(extra: Record<string, unknown> = {}) {
  let fail: (e: Error) => void = () => {}
  const state = { destroyed: false, sent: 0 }
  const client = {
    ...extra,
    connection: { stream: { destroy: () => {
      state.destroyed = true
      fail(new Error('Connection terminated unexpectedly'))
    } } },
    query: () => {
      state.sent += 1
      return new Promise((_, reject) => (fail = reject))
    },
  }
  return { client: client as never, state }
}
const registry = () => {
  const aborts = new Set<(e: Error) => void>()
  return { aborts, track: (a: (e: Error) => void) => (aborts.add(a), () => aborts.delete(a)) }
}

t.test('timeoutMs: HAPG_STATEMENT_TIMEOUT, a CancelRequest to the backend, then the connection is closed', async (t) => {
  const packets: Buffer[] = []
  // Models the postmaster's side of a CancelRequest: read 16 bytes, close (protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS).
  const server = createServer((s) => s.on('data', (d: Buffer) => (packets.push(d), s.end())))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const { client, state } = hungClient({ host: '127.0.0.1', port, processID: 99, secretKey: 5 })
  const reg = registry()
  await t.rejects(runStatement(client, reg, { text: 'SELECT pg_sleep(60)' }, { timeoutMs: 50 }), { code: 'HAPG_STATEMENT_TIMEOUT' })
  await new Promise((r) => setTimeout(r, 100))
  t.equal(packets[0]?.readInt32BE(8), 99, 'the CancelRequest named the backend')
  t.ok(state.destroyed, 'then the socket was destroyed')
  t.equal(reg.aborts.size, 0, 'untracked')
  server.close()
})

t.test('AbortSignal: before sending (nothing sent) and while running (cancelled)', async (t) => {
  const before = hungClient()
  await t.rejects(runStatement(before.client, registry(), { text: 'x' }, { signal: AbortSignal.abort(new Error('mine')) }), { code: 'HAPG_ABORTED', cause: { message: 'mine' } })
  t.equal(before.state.sent, 0)
  const during = hungClient()
  const ac = new AbortController()
  const p = runStatement(during.client, registry(), { text: 'x' }, { signal: ac.signal })
  ac.abort()
  await t.rejects(p, { code: 'HAPG_ABORTED' })
  await new Promise((r) => setTimeout(r, 20))
  t.ok(during.state.destroyed, 'no backend key: the connection is closed')
})

t.test('cancel: false drops the socket at once; a retiring pool aborts without a cancel', async (t) => {
  const quick = hungClient({ processID: 1, secretKey: 1, host: '127.0.0.1', port: 1 })
  await t.rejects(runStatement(quick.client, registry(), { text: 'x' }, { timeoutMs: 10, cancel: false }), { code: 'HAPG_STATEMENT_TIMEOUT' })
  t.ok(quick.state.destroyed)
  const retired = hungClient()
  const reg = registry()
  const p = runStatement(retired.client, reg, { text: 'x' })
  for (const abort of reg.aborts) abort(new Error('retired'))
  await t.rejects(p, { message: 'retired' })
  t.ok(retired.state.destroyed)
})
