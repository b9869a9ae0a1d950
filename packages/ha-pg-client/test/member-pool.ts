import t from 'tap'
import { FencedClient, MemberPool, ensureWritable } from '../src/member-pool.js'
import { fakePool } from './helpers/fake-pg.js'

t.test("a FencedClient's 'error' event never crashes the process", async (t) => {
  const c = new FencedClient({ host: '127.0.0.1', port: 1 })
  t.ok(c.listenerCount('error') >= 1)
  t.doesNotThrow(() => c.emit('error', new Error('terminating connection due to administrator command')))
})

t.test('FencedClient tracks in_hot_standby from ParameterStatus', async (t) => {
  const c = new FencedClient({ host: '127.0.0.1', port: 1 })
  t.equal(c.hotStandby, undefined)
  c.connection.emit('parameterStatus', { parameterName: 'in_hot_standby', parameterValue: 'on' })
  t.equal(c.hotStandby, true)
  c.connection.emit('parameterStatus', { parameterName: 'TimeZone', parameterValue: 'UTC' })
  c.connection.emit('parameterStatus', { parameterName: 'in_hot_standby', parameterValue: 'off' })
  t.equal(c.hotStandby, false)
})

t.test('a retired pool refuses checkouts; retire is idempotent', async (t) => {
  const { Pool, pools } = fakePool(new Map([['h:1', {}]]))
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm', role: 'leader' }, () => {})
  const c = await p.checkout()
  c.release()
  const first = p.retire('test')
  t.equal(p.retire('again'), first)
  await first
  t.ok(p.retired)
  t.ok(pools[0]?.ended)
  await t.rejects(p.checkout(), { code: 'HAPG_NOT_WRITABLE' })
})

t.test('ensureWritable: reported off/off is trusted; otherwise one query decides (recovery, default_transaction_read_only)', async (t) => {
  const registry = { track: () => () => {} } as never
  const mk = (hotStandby: boolean | undefined, row: { r?: boolean; ro?: boolean } | undefined, defaultReadOnly: boolean | undefined = hotStandby === undefined ? undefined : false) =>
    ({ hotStandby, defaultReadOnly, query: async () => ({ rows: row === undefined ? [] : [row] }) }) as never
  await ensureWritable(mk(false, { r: true, ro: true }), registry, 100)
  await ensureWritable(mk(true, { r: false, ro: false }), registry, 100) // opened while promoting: the server is writable now
  await t.rejects(ensureWritable(mk(true, { r: true, ro: false }), registry, 100), { code: 'HAPG_NOT_WRITABLE' })
  await ensureWritable(mk(undefined, { r: false, ro: false }), registry, 100)
  await t.rejects(ensureWritable(mk(undefined, { r: true, ro: false }), registry, 100), { code: 'HAPG_NOT_WRITABLE' })
  await t.rejects(ensureWritable(mk(undefined, undefined), registry, 100), { code: 'HAPG_NOT_WRITABLE' })
  // libpq's target_session_attrs=read-write also refuses a primary whose default transactions are read-only
  await t.rejects(ensureWritable(mk(false, { r: false, ro: true }, true), registry, 100), { code: 'HAPG_NOT_WRITABLE', message: /default_transaction_read_only/ })
  await t.rejects(ensureWritable(mk(undefined, { r: false, ro: true }), registry, 100), { code: 'HAPG_NOT_WRITABLE' })
})
