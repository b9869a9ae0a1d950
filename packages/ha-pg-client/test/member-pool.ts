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

t.test('ensureWritable: a reported off is trusted; on or unknown asks pg_is_in_recovery()', async (t) => {
  const mk = (hotStandby: boolean | undefined, r: boolean | undefined) => ({ hotStandby, query: async () => ({ rows: r === undefined ? [] : [{ r }] }) }) as never
  await ensureWritable(mk(false, true))
  await ensureWritable(mk(true, false)) // opened while promoting: the server is writable now
  await t.rejects(ensureWritable(mk(true, true)), { code: 'HAPG_NOT_WRITABLE' })
  await ensureWritable(mk(undefined, false))
  await t.rejects(ensureWritable(mk(undefined, true)), { code: 'HAPG_NOT_WRITABLE' })
  await t.rejects(ensureWritable(mk(undefined, undefined)), { code: 'HAPG_NOT_WRITABLE' })
})
