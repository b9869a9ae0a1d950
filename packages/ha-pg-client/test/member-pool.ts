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
  t.equal(c.defaultReadOnly, undefined)
  c.connection.emit('parameterStatus', { parameterName: 'default_transaction_read_only', parameterValue: 'on' })
  t.equal(c.defaultReadOnly, true)
})

t.test('a retired pool refuses checkouts; retire is idempotent', async (t) => {
  const { Pool, pools } = fakePool(new Map([['h:1', {}]]))
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm', role: 'leader' }, () => {})
  const c = await p.checkout(1_000)
  c.release()
  const first = p.retire('test')
  t.equal(p.retire('again'), first)
  await first
  t.ok(p.retired)
  t.ok(pools[0]?.ended)
  await t.rejects(p.checkout(1_000), { code: 'HAPG_NOT_WRITABLE' })
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

/**
 * A pg.Pool stand-in whose connect() settles only when the test says so, as pg-pool's does for a caller
 * queued behind busy clients; and whose end() leaves such waiters pending, as pg-pool 3.x's does
 * (node-postgres packages/pg-pool/index.js: end() only ends idle clients).
 */
function gatedPool() {
  const gates: { resolve(c: unknown): void; reject(e: Error): void }[] = []
  class GatedPool {
    totalCount = 1
    idleCount = 0
    get waitingCount(): number {
      return gates.length
    }
    on(): void {}
    connect(): Promise<unknown> {
      return new Promise((resolve, reject) => gates.push({ resolve, reject }))
    }
    async end(): Promise<void> {}
  }
  return { Pool: GatedPool, gates }
}

t.test('gh-11 critical 1 (unit): a queued checkout is rejected when the pool retires, though pg-pool end() leaves it pending', async (t) => {
  const { Pool, gates } = gatedPool()
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm1', role: 'leader' }, () => {})
  const queued = p.checkout(60_000)
  t.equal(p.counts().waiting, 1)
  t.notOk(p.unused)
  await p.retire('leader-changed')
  await t.rejects(queued, { code: 'HAPG_NOT_WRITABLE', message: /retired \(leader-changed\)/ })
  // the client pg-pool hands over later goes straight back, destroyed since the pool is retired
  let released: unknown
  gates[0]?.resolve({ release: (err: unknown) => (released = err) })
  await new Promise((r) => setImmediate(r))
  t.equal(released, true)
})

t.test('gh-11 major 5 (unit): a checkout is bounded by its deadline; a client arriving later is returned', async (t) => {
  const { Pool, gates } = gatedPool()
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm1', role: 'leader' }, () => {})
  await t.rejects(p.checkout(20), { code: 'HAPG_FAILOVER_TIMEOUT', message: /no connection to m1 within 20 ms/ })
  let released: unknown = 'not yet'
  gates[0]?.resolve({ release: (err: unknown) => (released = err) })
  await new Promise((r) => setImmediate(r))
  t.equal(released, false, 'released to the pool, healthy')
  // a connect error after the timeout is ignored; a retire after it rejects nothing twice
  const late = p.checkout(10)
  await t.rejects(late, { code: 'HAPG_FAILOVER_TIMEOUT' })
  gates[1]?.reject(new Error('connect ECONNREFUSED'))
  await p.retire('closed')
  // a connect error in time is the checkout's error
  const { Pool: P2, gates: g2 } = gatedPool()
  let now = 0
  const q = new MemberPool(P2 as never, { host: 'h', port: 1 }, { member: 'm2', role: 'replica' }, () => {}, undefined, () => now)
  const pending = q.checkout(1_000)
  g2[0]?.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
  await t.rejects(pending, { code: 'ECONNREFUSED' })
  now += 30 // past the connect backoff (below)
  // a custom Client's checked-out instance gets the same crash guard as FencedClient, once
  const custom = q.checkout(1_000)
  const listeners: unknown[] = []
  const client = { on: (_: string, fn: unknown) => listeners.push(fn), release: () => {} }
  g2[1]?.resolve(client)
  t.equal(await custom, client)
  const again = q.checkout(1_000)
  g2[2]?.resolve(client)
  await again
  t.equal(listeners.length, 1)
  await q.retire('closed')
})

t.test('after a failed connect, one probe per backoff window (25 ms doubling to 500 ms); the others fail at once with its error', async (t) => {
  const { Pool, gates } = gatedPool()
  let now = 0
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm1', role: 'leader' }, () => {}, undefined, () => now)
  const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  // two attempts under way at once: both fail, and open one 25 ms window (the second does not double it)
  const a = p.checkout(1_000)
  const b = p.checkout(1_000)
  const first = refused()
  gates[0]?.reject(first)
  gates[1]?.reject(refused())
  await t.rejects(a, { code: 'ECONNREFUSED' })
  await t.rejects(b, { code: 'ECONNREFUSED' })
  now = 10
  const gated = p.checkout(1_000)
  await t.rejects(gated, first, 'inside the window: the first failure, at once')
  t.equal(gates.length, 2, 'and no connect was attempted')
  // the window ends: one probe; it fails too, and the next window is 50 ms
  now = 26
  const probe = p.checkout(1_000)
  t.equal(gates.length, 3, 'a probe once the window ended')
  gates[2]?.reject(refused())
  await t.rejects(probe, { code: 'ECONNREFUSED' })
  // each failed probe doubles the window, up to 500 ms
  let openedAt = 26
  let ms = 50
  for (const next of [100, 200, 400, 500, 500]) {
    now = openedAt + ms - 1
    const before = gates.length
    await t.rejects(p.checkout(1_000), { code: 'ECONNREFUSED' }, `inside the ${ms} ms window`)
    t.equal(gates.length, before, 'without a connect')
    now = openedAt + ms
    const again = p.checkout(1_000)
    t.equal(gates.length, before + 1, `a probe after ${ms} ms`)
    gates[gates.length - 1]?.reject(refused())
    await t.rejects(again, { code: 'ECONNREFUSED' })
    openedAt = now
    ms = next
  }
  // a connect that succeeds closes the window: the next checkout connects at once
  now += 10_000
  const ok = p.checkout(1_000)
  gates[gates.length - 1]?.resolve({ release: () => {} })
  await ok
  const count = gates.length
  const next = p.checkout(1_000)
  t.equal(gates.length, count + 1, 'no window after a success')
  gates[gates.length - 1]?.resolve({ release: () => {} })
  await next
  await p.retire('closed')
})

t.test("pg-pool's queue timeout (a saturated pool) opens no backoff window: the next checkout still connects", async (t) => {
  const { Pool, gates } = gatedPool()
  let now = 0
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm1', role: 'leader' }, () => {}, undefined, () => now)
  const queued = p.checkout(1_000)
  gates[0]?.reject(new Error('timeout exceeded when trying to connect')) // pg-pool/index.js connect(): a waiter past connectionTimeoutMillis
  await t.rejects(queued, { message: 'timeout exceeded when trying to connect' })
  now = 1
  const next = p.checkout(1_000)
  t.equal(gates.length, 2, 'a connect was attempted at once')
  gates[1]?.resolve({ release: () => {} })
  t.ok(await next)
  // a connect attempt that timed out (pg-pool: 'Connection terminated due to connection timeout') is a failed connect
  const slow = p.checkout(1_000)
  gates[2]?.reject(new Error('Connection terminated due to connection timeout'))
  await t.rejects(slow, { message: /connection timeout/ })
  now = 2
  await t.rejects(p.checkout(1_000), { message: /connection timeout/ }, 'inside the window it opened')
  t.equal(gates.length, 3)
  await p.retire('closed')
})

t.test('an idle connection is handed out inside a backoff window', async (t) => {
  const { Pool, pools } = fakePool(new Map([['h:1', {}]]))
  let now = 0
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm', role: 'leader' }, () => {}, undefined, () => now)
  const idle = await p.checkout(1_000)
  idle.release()
  const fake = pools[0] as unknown as { connect(): Promise<unknown>; idle: Set<unknown> }
  const connect = fake.connect.bind(fake)
  let fail = true
  fake.connect = async () => {
    if (fail && fake.idle.size === 0) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    return connect()
  }
  const held = await p.checkout(1_000) // the idle one
  await t.rejects(p.checkout(1_000), { code: 'ECONNREFUSED' }, 'a new connection fails and opens the window')
  held.release()
  now = 1
  t.ok(await p.checkout(1_000), 'the idle connection, inside the window')
  fail = false
  await p.retire('closed')
})

/**
 * A pg.Pool stand-in that, as pg-pool's connect() does (node-postgres packages/pg-pool/index.js), hands out
 * an idle client if there is one and otherwise opens a new one at once (counted in totalCount from then
 * on), whether or not another is still connecting; each new one connects when the test says so.
 */
function openingPool() {
  const connecting: { open(): void; fail(): void }[] = []
  let opened = 0
  class OpeningPool {
    totalCount = 0
    readonly idle: unknown[] = []
    get idleCount(): number {
      return this.idle.length
    }
    on(): void {}
    connect(): Promise<unknown> {
      const idle = this.idle.pop()
      if (idle !== undefined) return Promise.resolve(idle)
      this.totalCount += 1
      opened += 1
      const client = { id: opened, release: () => void this.idle.push(client) }
      return new Promise((resolve, reject) =>
        connecting.push({
          open: () => resolve(client),
          fail: () => {
            this.totalCount -= 1
            reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
          },
        }),
      )
    }
    async end(): Promise<void> {}
  }
  return { Pool: OpeningPool, connecting, opened: () => opened }
}

t.test('gh-11: a checkout while warmed sessions still connect waits for one instead of opening its own', async (t) => {
  const { Pool, connecting, opened } = openingPool()
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm2', role: 'leader' }, () => {})
  p.warm(1, 1_000)
  const call = p.checkout(1_000)
  await new Promise((r) => setImmediate(r))
  t.equal(opened(), 1, 'no second session beside the one being warmed')
  connecting[0]?.open()
  t.match(await call, { id: 1 }, 'the call got the warmed session')
  t.equal(opened(), 1)
})

t.test('gh-11: a warmed session that fails to connect ends the wait with its error (the connect backoff); the wait is bounded by the deadline', async (t) => {
  const { Pool, connecting, opened } = openingPool()
  let now = 0
  const p = new MemberPool(Pool as never, { host: 'h', port: 1 }, { member: 'm2', role: 'leader' }, () => {}, undefined, () => now)
  p.warm(1, 1_000)
  const call = p.checkout(1_000)
  connecting[0]?.fail()
  // as any checkout inside the backoff window a failed connect opens: nothing ran, the client retries it
  await t.rejects(call, { code: 'ECONNREFUSED' })
  t.equal(opened(), 1)
  now += 30 // past the backoff window
  p.warm(1, 1_000)
  connecting[1]?.open()
  await new Promise((r) => setImmediate(r))
  p.warm(2, 1_000) // one idle: checks it out, and opens one more
  t.equal(opened(), 3)
  t.match(await p.checkout(1_000), { id: 2 }, 'an idle session is taken at once, warming or not')
  // none idle, one still warming and never connecting: the checkout gives up at its deadline
  await t.rejects(p.checkout(30), { code: 'HAPG_FAILOVER_TIMEOUT' })
})
