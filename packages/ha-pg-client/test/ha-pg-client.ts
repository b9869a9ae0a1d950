import t from 'tap'

// Many tests wait out real (short) leases and deadlines; on a loaded shared machine the file needs more than 30 s.
t.setTimeout(180_000)
import { HaPgClient } from '../src/ha-pg-client.js'
import { HaPgError } from '../src/errors.js'
import { fakePool } from './helpers/fake-pg.js'
import { setup, sleep, sqlError } from './helpers/setup.js'

t.test('discovers the leader from /cluster and writes to it', async (t) => {
  const { client, pools, events, patroni } = setup()
  const res = await client.query('INSERT 1', [1])
  t.match(res, { rows: [] })
  t.equal(pools[0]?.key, '10.0.0.1:5432')
  // The password is kept non-enumerable in the options, yet each member's pool must still get it.
  t.equal(pools[0]?.config.password, 'secret')
  t.match(events, [['leaderChanged', { from: null, to: 'm1', timeline: 1 }]])
  // the third member was learned from /cluster
  await sleep(150)
  t.ok(patroni.calls.some((c) => c.startsWith('http://127.0.0.1:8003/cluster')))
  const s = client.stats()
  t.match(s, { mode: 'patroni', leader: { name: 'm1', host: '10.0.0.1', port: 5432, timeline: 1 }, leaseValid: true, pools: [{ member: 'm1', role: 'leader', total: 1, idle: 1, waiting: 0 }] })
  t.equal(s.counters.leaderChanges, 0)
  await client.close()
  await client.close()
  await t.rejects(client.query('SELECT 1'), { code: 'HAPG_CLOSED' })
})

t.test('switchover: the old pool retires, writes follow the new leader', async (t) => {
  const { client, pools, events, patroni, servers } = setup()
  await client.query('SELECT 1')
  servers.get('10.0.0.1:5432')!.onQuery = () => {
    throw sqlError('57P03')
  }
  patroni.promote('m2', 2)
  servers.get('10.0.0.2:5432')!.hotStandby = false
  const res = await client.query('INSERT 2')
  t.ok(res)
  t.equal(client.stats().leader?.name, 'm2')
  t.ok(pools[0]?.ended, 'old pool ended')
  t.match(events.filter((e) => e[0] === 'poolRetired'), [['poolRetired', { member: 'm1', reason: 'leader-changed' }]])
  t.match(events.filter((e) => e[0] === 'leaderChanged').at(-1), ['leaderChanged', { from: 'm1', to: 'm2', timeline: 2 }])
  t.equal(client.stats().counters.leaderChanges, 1)
  t.equal(client.stats().counters.retiredPools, 1)
  await client.close()
})

t.test('fencing: Patroni says leader but the session is still read-only', async (t) => {
  const { client, servers, events } = setup()
  servers.get('10.0.0.1:5432')!.hotStandby = true
  setTimeout(() => (servers.get('10.0.0.1:5432')!.hotStandby = false), 150)
  await client.query('INSERT 1')
  t.ok(events.some((e) => e[0] === 'retry' && (e[1] as { code: string }).code === 'HAPG_NOT_WRITABLE'))
  await client.close()
})

t.test('fencing without in_hot_standby (PostgreSQL < 14): SELECT pg_is_in_recovery()', async (t) => {
  const { client, servers, pools } = setup({ failoverDeadlineMs: 300 })
  const server = servers.get('10.0.0.1:5432')!
  server.hotStandby = undefined
  server.inRecovery = true
  await t.rejects(client.query('INSERT 1'), { code: 'HAPG_FAILOVER_TIMEOUT' })
  server.inRecovery = false
  await client.query('INSERT 1')
  t.ok(pools.length >= 1)
  await client.close()
})

t.test('a stale ex-leader on a lower timeline is not accepted', async (t) => {
  const { client, patroni, servers } = setup({ failoverDeadlineMs: 400 })
  patroni.promote('m2', 5)
  servers.get('10.0.0.2:5432')!.hotStandby = false
  await client.query('SELECT 1')
  t.equal(client.stats().leader?.name, 'm2')
  // m1 comes back claiming leadership on timeline 4 in its own view only, while m2 lost the key
  patroni.get('m2').role = 'replica'
  patroni.get('m1').role = 'leader'
  patroni.get('m1').timeline = 4
  patroni.views.set('m2', patroni.members.map((m) => ({ ...m, role: 'replica' })))
  servers.get('10.0.0.2:5432')!.hotStandby = true
  await t.rejects(client.query('SELECT 1'), { code: 'HAPG_FAILOVER_TIMEOUT' })
  // once every member agrees (the 3.0.2 "takes the key back" case), it is accepted again
  patroni.views.clear()
  await client.query('SELECT 1')
  t.match(client.stats().leader, { name: 'm1', timeline: 4 })
  await client.close()
})

t.test('split views on one timeline: majority, and a tie waits', async (t) => {
  const { client, patroni, servers } = setup({ failoverDeadlineMs: 400 })
  await client.query('SELECT 1')
  const m2leads = patroni.members.map((m) => ({ ...m, role: m.name === 'm2' ? 'leader' : 'replica' }))
  patroni.views.set('m1', m2leads)
  patroni.views.set('m3', m2leads)
  servers.get('10.0.0.2:5432')!.hotStandby = false
  patroni.get('m2').primaryStatus = 200
  patroni.get('m2').primaryRole = 'master'
  await sleep(250)
  t.equal(client.stats().leader?.name, 'm2', 'majority view wins')
  patroni.get('m3').rest = 'frozen'
  patroni.views.set('m1', patroni.members.map((m) => ({ ...m, role: m.name === 'm1' ? 'leader' : 'replica' })))
  // m1 view says m1, m2 view (default) says m1, m3 is silent → m1 again; no flapping back and forth on ties
  patroni.views.set('m2', m2leads)
  // steady-state rounds ask one member each; the disagreement shows within a full rotation, and revokes the lease
  for (let i = 0; i < 100 && client.stats().leaseValid; i++) await sleep(20)
  await t.rejects(client.query('SELECT 1'), { code: 'HAPG_FAILOVER_TIMEOUT' }, 'a tie waits')
  await client.close()
})

t.test('the lease lapses when the leader REST API hangs: writes wait for the new leader', async (t) => {
  const { client, patroni, servers, clock } = setup({ failoverDeadlineMs: 3_000 })
  await client.query('SELECT 1')
  patroni.get('m1').rest = 'frozen'
  clock.skew += 500 // the lease (400 ms) lapses
  t.equal(client.stats().leaseValid, false)
  const started = Date.now()
  setTimeout(() => {
    patroni.promote('m2', 2)
    servers.get('10.0.0.2:5432')!.hotStandby = false
  }, 300)
  await client.query('INSERT 1')
  t.ok(Date.now() - started >= 250, 'the write waited')
  t.equal(client.stats().leader?.name, 'm2')
  t.ok(client.stats().counters.msWithoutLeader > 0)
  await client.close()
})

t.test('an acknowledgement after the lease ended', async (t) => {
  t.test('is a success when the same epoch is re-confirmed', async (t) => {
    const { client, servers, clock } = setup()
    await client.query('SELECT 1')
    servers.get('10.0.0.1:5432')!.onQuery = (text) => {
      if (text === 'INSERT late') clock.skew += 1_000
      return { rows: [] }
    }
    t.ok(await client.query('INSERT late'))
    await client.close()
  })
  t.test('is HAPG_OUTCOME_UNKNOWN when the leader changed meanwhile', async (t) => {
    const { client, servers, clock, patroni } = setup()
    await client.query('SELECT 1')
    servers.get('10.0.0.1:5432')!.onQuery = (text) => {
      if (text === 'INSERT late') {
        clock.skew += 1_000
        patroni.get('m1').rest = 'frozen'
        patroni.promote('m2', 2)
        servers.get('10.0.0.2:5432')!.hotStandby = false
      }
      return { rows: [] }
    }
    await t.rejects(client.query('INSERT late'), { code: 'HAPG_OUTCOME_UNKNOWN' })
    await client.close()
  })
  t.test('is retried on the new leader when idempotent', async (t) => {
    const { client, servers, clock, patroni } = setup()
    await client.query('SELECT 1')
    let onM2 = 0
    servers.get('10.0.0.2:5432')!.onQuery = () => ((onM2 += 1), { rows: [] })
    servers.get('10.0.0.1:5432')!.onQuery = (text) => {
      if (text === 'UPSERT') {
        clock.skew += 1_000
        patroni.get('m1').rest = 'frozen'
        patroni.promote('m2', 2)
        servers.get('10.0.0.2:5432')!.hotStandby = false
      }
      return { rows: [] }
    }
    await client.query('UPSERT', [], { idempotent: true })
    t.equal(onM2, 1)
    await client.close()
  })
})

t.test('retry classification drives the client', async (t) => {
  const { client, servers, events } = setup()
  const server = servers.get('10.0.0.1:5432')!
  let n = 0
  server.onQuery = (text) => {
    if (text === 'A' && n++ < 2) throw sqlError('57P03')
    if (text === 'B') throw sqlError('57P01')
    if (text === 'C') throw sqlError('23505')
    return { rows: [{ n }] }
  }
  t.match(await client.query({ text: 'A' }), { rows: [{ n: 3 }] })
  t.equal(events.filter((e) => e[0] === 'retry').length, 2)
  await t.rejects(client.query('B'), { code: 'HAPG_OUTCOME_UNKNOWN', cause: { code: '57P01' } })
  await t.rejects(client.query('C', [], { idempotent: true }), { code: '23505' })
  let b = 0
  server.onQuery = (text) => {
    if (text === 'B' && b++ === 0) throw sqlError('57P01')
    return { rows: [] }
  }
  t.ok(await client.query('B', [], { idempotent: true }))
  t.equal(client.stats().counters.retries, 3)
  await client.close()
})

t.test('a hung statement hits its own timeout (timeoutMs, or the client queryTimeoutMs); its socket is destroyed', async (t) => {
  const { client, servers, pools } = setup({ failoverDeadlineMs: 200 })
  servers.get('10.0.0.1:5432')!.onQuery = (text) => (text === 'SELECT 1' ? { rows: [] } : 'hang')
  await t.rejects(client.query('COMMIT-ish', [], { timeoutMs: 150 }), { code: 'HAPG_OUTCOME_UNKNOWN', cause: { code: 'HAPG_STATEMENT_TIMEOUT' } })
  t.ok([...(pools[0]?.busy ?? []), ...(pools[0]?.idle ?? [])].every((c) => c.destroyed), 'the session was destroyed')
  await client.close()
  const other = setup({ queryTimeoutMs: 100 })
  other.servers.get('10.0.0.1:5432')!.onQuery = () => 'hang'
  await t.rejects(other.client.query('SELECT pg_sleep(60)', [], { idempotent: true }), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'HAPG_STATEMENT_TIMEOUT' } })
  await other.client.close()
})

t.test('a long statement on a leased leader is not killed by the failover deadline', async (t) => {
  const { client, servers } = setup({ failoverDeadlineMs: 150 })
  servers.get('10.0.0.1:5432')!.onQuery = () => new Promise((resolve) => setTimeout(() => resolve({ rows: [{ done: true }] }), 500))
  const res = await client.query('SELECT pg_sleep(0.5)')
  t.match(res, { rows: [{ done: true }] })
  await client.close()
})

t.test('hung on a leader that lost its lease and was never replaced: ended after the failover deadline (watchdog)', async (t) => {
  const { client, servers, patroni, events } = setup({ failoverDeadlineMs: 300 })
  await client.query('SELECT 1')
  servers.get('10.0.0.1:5432')!.onQuery = () => 'hang'
  const started = Date.now()
  const pending = client.query('INSERT hung')
  await sleep(20)
  for (const m of patroni.members) m.rest = 'frozen'
  await t.rejects(pending, { code: 'HAPG_OUTCOME_UNKNOWN' })
  const took = Date.now() - started
  t.ok(took >= 300 && took < 2_000, `ended after the lease (400 ms) plus the failover deadline (300 ms): ${took} ms`)
  t.ok(events.some((e) => e[0] === 'poolRetired' && (e[1] as { reason: string }).reason === 'lease-lost'))
  await client.close()
})

t.test('retiring a pool aborts statements in flight on it', async (t) => {
  const { client, servers, patroni } = setup()
  await client.query('SELECT 1')
  servers.get('10.0.0.1:5432')!.onQuery = () => 'hang'
  const pending = client.query('INSERT slow')
  await sleep(20)
  patroni.promote('m2', 2)
  servers.get('10.0.0.2:5432')!.hotStandby = false
  await t.rejects(pending, { code: 'HAPG_OUTCOME_UNKNOWN' })
  await client.close()
})

t.test('DCS down: writes fail fast with HAPG_NO_LEADER, replica reads keep working', async (t) => {
  const { client, patroni, servers } = setup({ failoverDeadlineMs: 5_000 })
  await client.query('SELECT 1')
  for (const m of patroni.members) m.rest = 'dcs-down'
  servers.get('10.0.0.1:5432')!.hotStandby = true
  const started = Date.now()
  await t.rejects(client.query('INSERT 1'), { code: 'HAPG_NO_LEADER' })
  t.ok(Date.now() - started < 2_000)
  servers.get('10.0.0.2:5432')!.onQuery = () => ({ rows: [{ from: 'm2' }] })
  t.match(await client.query('SELECT 1', [], { role: 'replica', maxLagBytes: 1000 }), { rows: [{ from: 'm2' }] })
  t.ok(client.stats().counters.discoveryFailures >= 0)
  await client.close()
})

t.test('DCS down with failsafe_mode: the leader that still answers /primary keeps its lease', async (t) => {
  const { client, patroni } = setup()
  await client.query('SELECT 1')
  for (const m of patroni.members) m.rest = 'dcs-down'
  patroni.get('m1').primaryStatus = 200
  await sleep(150)
  t.ok(await client.query('INSERT 1'))
  t.equal(client.stats().leader?.name, 'm1')
  await client.close()
})

t.test('DCS lost (Patroni 3.0.2: /cluster fails, /primary answers): HAPG_NO_LEADER fast, or the failsafe leader keeps writing', async (t) => {
  const { client, patroni } = setup({ failoverDeadlineMs: 1_000 })
  await client.query('SELECT 1')
  for (const m of patroni.members) m.rest = 'dcs-lost'
  patroni.get('m1').primaryStatus = 200 // failsafe_mode: the leader reaches every member and keeps its role
  await sleep(150)
  t.ok(await client.query('INSERT 1'))
  t.equal(client.stats().leader?.name, 'm1')
  patroni.get('m1').primaryStatus = 503 // without failsafe_mode the leader demotes itself
  await sleep(150) // a background round sees it and ends the lease
  await t.rejects(client.query('INSERT 2'), { code: 'HAPG_NO_LEADER' })
  for (const m of patroni.members) m.rest = 'refused'
  await t.rejects(client.query('INSERT 3'), { code: 'HAPG_FAILOVER_TIMEOUT' }, 'nobody answers at all: a network problem, not the DCS')
  await client.close()
})

t.test('DCS lost: a /primary 200 from a member /cluster never described is no candidate', async (t) => {
  const { client, patroni } = setup({ failoverDeadlineMs: 1_000, patroniUrls: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8004'] })
  const described = patroni.members.slice()
  patroni.add({ name: 'm4', origin: 'http://127.0.0.1:8004', host: '10.0.0.4', port: 5432, role: 'replica', state: 'streaming', timeline: 1 })
  // m4's URL is a seed, but no member's /cluster describes it
  for (const m of patroni.members) patroni.views.set(m.name, described)
  await client.query('SELECT 1')
  await sleep(150)
  for (const m of patroni.members) m.rest = 'dcs-lost'
  patroni.get('m1').primaryStatus = 503
  patroni.get('m4').primaryStatus = 200
  await sleep(150)
  await t.rejects(client.query('INSERT 1'), { code: 'HAPG_NO_LEADER' })
  await client.close()
})

t.test('replica reads: lag bound, failover to the next replica, fallback to the leader', async (t) => {
  const { client, servers, events } = setup()
  servers.get('10.0.0.2:5432')!.onQuery = () => ({ rows: [{ from: 'm2' }] })
  servers.get('10.0.0.3:5432')!.onQuery = () => ({ rows: [{ from: 'm3' }] })
  servers.get('10.0.0.1:5432')!.onQuery = () => ({ rows: [{ from: 'm1' }] })
  t.match(await client.query('SELECT', [], { role: 'replica', maxLagBytes: 250 }), { rows: [{ from: 'm2' }] })
  t.match(await client.query('SELECT', [], { role: 'replica' }), { rows: [{ from: 'm3' }] }, 'reads rotate over the replicas')
  t.match(await client.query('SELECT', [], { role: 'replica', maxLagBytes: 10 }), { rows: [{ from: 'm1' }] }, 'none within the bound → leader')
  servers.get('10.0.0.2:5432')!.down = true
  t.match(await client.query('SELECT', [], { role: 'replica' }), { rows: [{ from: 'm3' }] })
  t.match(await client.query('SELECT', [], { role: 'replica' }), { rows: [{ from: 'm3' }] })
  t.ok(events.some((e) => e[0] === 'poolRetired' && (e[1] as { reason: string }).reason === 'replica-error'))
  await client.close()
})

t.test('connect() and withTransaction()', async (t) => {
  const { client, servers } = setup()
  const c = await client.connect()
  await c.query('SELECT 1')
  c.release()
  const server = servers.get('10.0.0.1:5432')!
  const seen: string[] = []
  server.onQuery = (text) => (seen.push(text), { rows: [] })
  t.equal(await client.withTransaction(async (tx) => (await tx.query('INSERT'), 42)), 42)
  t.strictSame(seen, ['BEGIN', 'INSERT', 'COMMIT'])
  seen.length = 0
  await t.rejects(client.withTransaction(async () => { throw new Error('mine') }), { message: 'mine' })
  t.strictSame(seen, ['BEGIN', 'ROLLBACK'])
  let commits = 0
  server.onQuery = (text) => {
    if (text === 'COMMIT' && commits++ === 0) throw sqlError('57P01')
    return { rows: [] }
  }
  await t.rejects(client.withTransaction(async () => 1), { code: 'HAPG_OUTCOME_UNKNOWN' })
  t.equal(await client.withTransaction(async () => 2, { idempotent: true }), 2)
  await client.close()
})

t.test('ping()', async (t) => {
  const { client, patroni } = setup()
  await client.ping()
  for (const m of patroni.members) m.rest = 'refused'
  await client.close()
  const down = setup()
  for (const m of down.patroni.members) m.rest = 'refused'
  await t.rejects(down.client.ping({ timeoutMs: 150 }), HaPgError)
  t.ok(down.events.some((e) => e[0] === 'discoveryFailed'))
  t.ok(down.client.stats().counters.discoveryFailures > 0)
  t.equal(down.client.stats().leader, null)
  await down.client.close()
})

t.test('an idle connection error is handled (no crash) and triggers discovery', async (t) => {
  const { client, pools, patroni } = setup()
  await client.query('SELECT 1')
  const before = patroni.calls.length
  pools[0]!.emit('error', new Error('terminating connection due to administrator command'))
  await sleep(20)
  t.ok(patroni.calls.length > before)
  await client.close()
})

t.test('no lease before /config answered (issue #11, major 4); a user leaseMs is checked against it', async (t) => {
  const { client, patroni } = setup({ leaseMs: 400, failoverDeadlineMs: 300 })
  patroni.config = 'fail'
  await t.rejects(client.query('SELECT 1'), { code: 'HAPG_FAILOVER_TIMEOUT' }, 'no lease without the timing')
  patroni.config = { ttl: 10, loop_wait: 1, retry_timeout: 4 }
  await client.query('SELECT 1')
  await client.close()
  const warnings: Record<string, unknown>[] = []
  const unsafe = setup({ leaseMs: 9_500, logger: { info() {}, warn: (e) => warnings.push(e) } })
  unsafe.patroni.config = { ttl: 10 } // loop_wait and retry_timeout: Patroni's defaults (10, 10)
  await unsafe.client.query('SELECT 1')
  t.match(warnings, [{ msg: 'unsafe timing option ignored', why: /leaseMs 9500 is not shorter than ttl − loop_wait/ }])
  await unsafe.client.close()
})

t.test('static mode: same API, one pool, no Patroni', async (t) => {
  const servers = new Map([['postgres://app@db/app', { onQuery: () => ({ rows: [{ ok: 1 }] }) }]])
  const { Pool, pools } = fakePool(servers)
  await using client = new HaPgClient({ connectionString: 'postgres://app@db/app', Pool: Pool as never })
  t.match(await client.query('SELECT 1'), { rows: [{ ok: 1 }] })
  t.match(await client.query('SELECT 1', [], { role: 'replica' }), { rows: [{ ok: 1 }] })
  await client.ping()
  const c = await client.connect()
  c.release()
  t.match(client.stats(), { mode: 'static', leader: null, leaseValid: false, leaseAgeMs: null, counters: { leaderChanges: 0, msWithoutLeader: 0 } })
  t.equal(pools.length, 1)
  t.notOk(Object.keys(pools[0]!.config).includes('password'))
})

t.test('static mode with the real pg.Pool: connection refused is retried until the deadline', async (t) => {
  const client = new HaPgClient({ connectionString: 'postgres://u:pw@127.0.0.1:1/db', failoverDeadlineMs: 150 })
  await t.rejects(client.query('SELECT 1'), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'ECONNREFUSED' } })
  await client.close()
  const defaults = new HaPgClient({ connectionString: 'postgres://u:pw@127.0.0.1:1/db' })
  await t.rejects(defaults.ping({ timeoutMs: 100 }), { code: 'HAPG_FAILOVER_TIMEOUT' })
  await defaults.close()
})


t.test('without explicit clocks the timing comes from Patroni /config', async (t) => {
  const { client } = setup({ leaseMs: undefined, discoveryIntervalMs: undefined, restTimeoutMs: undefined, failoverDeadlineMs: undefined } as never)
  await client.query('SELECT 1')
  await client.close()
})

t.test('gh-11 critical 2 (unit): a held client is fenced like query()', async (t) => {
  t.test('statements pass under the lease, in every pg calling form; release lifts the fence', async (t) => {
    const { client, servers } = setup()
    servers.get('10.0.0.1:5432')!.onQuery = (text, values) => ({ rows: [{ text, values }] })
    const c = await client.connect()
    t.match(await c.query('SELECT $1', [1]), { rows: [{ text: 'SELECT $1', values: [1] }] })
    t.match(await c.query({ text: 'SELECT 2' }), { rows: [{ text: 'SELECT 2' }] })
    t.match(await (c.query as (...a: unknown[]) => Promise<unknown>)('SELECT 3', [], { timeoutMs: 1_000 }), { rows: [{ text: 'SELECT 3' }] })
    const viaCallback = await new Promise((resolve) => c.query('SELECT 4', (err: Error | null, res: unknown) => resolve([err, res])))
    t.match(viaCallback, [null, { rows: [{ text: 'SELECT 4' }] }])
    const withValues = await new Promise((resolve) => c.query('SELECT 5', [5], (err: Error | null, res: unknown) => resolve([err, res])))
    t.match(withValues, [null, { rows: [{ values: [5] }] }])
    servers.get('10.0.0.1:5432')!.onQuery = () => {
      throw sqlError('23505')
    }
    const failed = await new Promise((resolve) => c.query('INSERT dup', (err: Error | null) => resolve(err)))
    t.match(failed, { code: '23505' })
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the method's identity is compared, it is never called
    const fenced = c.query
    c.release()
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the method's identity is compared, it is never called
    t.not(c.query, fenced, 'the original query is back')
    await client.close()
  })

  t.test('an acknowledgement after the lease, with another leader meanwhile: HAPG_OUTCOME_UNKNOWN, then the session is closed', async (t) => {
    const { client, servers, patroni, clock } = setup()
    const c = await client.connect()
    servers.get('10.0.0.1:5432')!.onQuery = (text) => {
      if (text === 'INSERT late') {
        clock.skew += 1_000
        patroni.promote('m2', 2)
        servers.get('10.0.0.2:5432')!.hotStandby = false
      }
      return { rows: [] }
    }
    await t.rejects(c.query('INSERT late'), { code: 'HAPG_OUTCOME_UNKNOWN' })
    await t.rejects(c.query('INSERT next'), { code: 'HAPG_SESSION_FENCED' }, 'nothing more runs in that session')
    c.release()
    await client.close()
  })

  t.test('the leader moved while the client was held: HAPG_SESSION_FENCED, not sent; a Submittable gets the error', async (t) => {
    const { client, servers, patroni, pools } = setup()
    const c = await client.connect()
    await c.query('SELECT 1')
    patroni.promote('m2', 2)
    servers.get('10.0.0.2:5432')!.hotStandby = false
    while (client.stats().leader?.name !== 'm2') await sleep(20) // the client follows m2; m1's pool retires and its held sessions are closed
    const sent = pools[0]!.busy.size + pools[0]!.idle.size
    await t.rejects(c.query('INSERT x'), { code: 'HAPG_SESSION_FENCED', cause: Error })
    const errors: unknown[] = []
    const submittable = { submit: () => t.fail('not submitted'), handleError: (e: unknown) => errors.push(e) }
    t.equal(c.query(submittable as never), submittable, 'returned at once, as pg does')
    await sleep(10)
    t.match(errors, [{ code: 'HAPG_SESSION_FENCED' }])
    t.equal(sent, pools[0]!.busy.size + pools[0]!.idle.size)
    c.release()
    await client.close()
  })

  t.test('the lease lapsed, then the same leader is re-confirmed: the held session goes on; a Submittable passes through', async (t) => {
    const { client, clock, servers } = setup()
    const c = await client.connect()
    clock.skew += 500
    t.equal(client.stats().leaseValid, false)
    const seen: string[] = []
    servers.get('10.0.0.1:5432')!.onQuery = (text) => (seen.push(text), { rows: [] })
    await c.query('INSERT after')
    t.strictSame(seen, ['INSERT after'])
    const submitted: unknown[] = []
    const submittable = { text: 'CURSOR', submit: () => {} }
    // the fake client records the text it was sent
    c.query(submittable as never)
    await sleep(10)
    submitted.push(...(c as unknown as { queries: string[] }).queries)
    t.ok(submitted.includes('CURSOR'), 'the Submittable reached the client')
    c.release()
    await client.close()
  })
})

t.test('pg.Pool drop-in: callbacks, end(), totalCount / idleCount / waitingCount', async (t) => {
  const { client } = setup()
  t.equal(client.totalCount, 0)
  const res = await new Promise((resolve) => client.query('SELECT 1', (err: Error | null, r?: unknown) => resolve([err, r])))
  t.match(res, [null, { rows: [] }])
  const withValues = await new Promise((resolve) => client.query('SELECT $1', [1], (err: Error | null, r?: unknown) => resolve([err, r])))
  t.match(withValues, [null, { rows: [] }])
  t.equal(client.totalCount, 1)
  t.equal(client.idleCount, 1)
  t.equal(client.waitingCount, 0)
  await client.end()
  const closed = await new Promise((resolve) => client.query('SELECT 1', (err: Error | null) => resolve(err)))
  t.match(closed, { code: 'HAPG_CLOSED' })
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- an empty Client class: never instantiated, only passed through
  const bare = new HaPgClient({ connectionString: 'postgres://u@127.0.0.1:1/db', Pool: fakePool(new Map()).Pool as never, Client: class {} })
  t.equal(bare.totalCount, 0)
  await bare.close()
})

t.test('pg.Pool drop-in: ending, expiredCount before a leader, replica reads refused once ending or closed', async (t) => {
  const first = setup()
  t.equal(first.client.ending, false)
  t.equal(first.client.expiredCount, 0, 'no leader pool yet')
  await first.client.close()
  t.equal(first.client.ending, true, 'close() counts as ending too')
  await t.rejects(first.client.query('SELECT 1', [], { role: 'replica' }), { code: 'HAPG_CLOSED' })
  const second = setup()
  const ending = second.client.end()
  await t.rejects(second.client.query('SELECT 1', [], { role: 'replica' }), { code: 'HAPG_CLOSED' })
  await ending
})

t.test('per-call AbortSignal: before the call and while waiting for a leader', async (t) => {
  const { client, patroni } = setup({ failoverDeadlineMs: 2_000 })
  await t.rejects(client.query('SELECT 1', [], { signal: AbortSignal.abort() }), { code: 'HAPG_ABORTED' })
  await client.query('SELECT 1')
  for (const m of patroni.members) m.primaryStatus = 503
  await sleep(150)
  const ac = new AbortController()
  setTimeout(() => ac.abort(), 100)
  const started = Date.now()
  await t.rejects(client.withTransaction(async () => 1, { signal: ac.signal, timeoutMs: 1_500 }), { code: 'HAPG_FAILOVER_TIMEOUT' })
  t.ok(Date.now() - started <= 1_700, 'bounded by timeoutMs')
  await client.close()
})

t.test('gh-11 major 9 (unit): a 25006 from a server that turned read-only is retried elsewhere, the caller\'s own is not', async (t) => {
  const { client, servers } = setup({ failoverDeadlineMs: 300 })
  const server = servers.get('10.0.0.1:5432')!
  server.onQuery = () => {
    throw sqlError('25006')
  }
  await t.rejects(client.query('INSERT mine'), { code: '25006' }, 'the caller\'s own read-only transaction')
  server.onQuery = () => {
    server.defaultReadOnly = true // the operator turned the server read-only meanwhile
    throw sqlError('25006')
  }
  const { events } = { events: [] as unknown[] }
  client.on('retry', (e) => events.push(e))
  await t.rejects(client.query('INSERT 0'), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'HAPG_NOT_WRITABLE' } })
  t.match(events[0], { code: 'HAPG_NOT_WRITABLE' }, 'the 25006 of a server that turned read-only is retried')
  server.defaultReadOnly = true
  await t.rejects(client.query('INSERT 1'), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'HAPG_NOT_WRITABLE' } })
  await client.close()
})

t.test('no time left after a checkout: the writability check is not sent, and the last attempt\'s error is the cause', async (t) => {
  // found under load on a real cluster: the check was sent with -20 ms left, timed out at once, and a
  // write that never ran came back HAPG_OUTCOME_UNKNOWN
  const { client, servers, pools, clock } = setup({ failoverDeadlineMs: 300 })
  await client.query('SELECT 1') // a fresh lease (400 ms) that outlives the deadline below
  const leader = servers.get('10.0.0.1:5432')!
  leader.defaultReadOnly = true
  // the next checkout takes the rest of the time: it ends past the deadline, the lease still valid
  client.on('retry', () => void (leader.onConnect = () => void (clock.skew += 300)))
  await t.rejects(client.query('INSERT 0'), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'HAPG_NOT_WRITABLE' } })
  const checks = pools.flatMap((p) => [...p.idle, ...p.busy]).flatMap((c) => c.queries).filter((q) => q.startsWith('SELECT pg_is_in_recovery() AS r'))
  t.equal(checks.length, 1, 'one check, on the first attempt only')
  await client.close()
})

t.test('no time left before a checkout: none is started, and the last attempt\'s error is the cause', async (t) => {
  // found on a real cluster under load: the lease wait ended past the deadline, a checkout was started
  // with -34 ms left and its own timeout ("no connection to pg2 within -34 ms") hid why the write failed
  const { client, servers, clock } = setup({ failoverDeadlineMs: 300 })
  await client.query('SELECT 1')
  const leader = servers.get('10.0.0.1:5432')!
  leader.defaultReadOnly = true
  client.on('retry', () => {
    clock.skew += 300 // the next attempt starts past the deadline, its lease still valid
    leader.connectHangs = true // and a checkout would have to wait for a connection
  })
  await t.rejects(client.query('INSERT 0'), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'HAPG_NOT_WRITABLE' } })
  await client.close()
})

t.test('an attempt cut by the deadline itself is not the cause: the last attempt that failed on its own is', async (t) => {
  // found in CI on a real cluster under load: the last writability check went out with 5 ms left, timed
  // out, and "no answer within 5 ms" hid that the server runs with default_transaction_read_only
  const { client, servers, clock } = setup({ failoverDeadlineMs: 300 })
  await client.query('SELECT 1')
  const leader = servers.get('10.0.0.1:5432')!
  leader.defaultReadOnly = true
  client.once('retry', () => {
    clock.skew += 270 // the next attempt has a few ms left
    leader.checkHangs = true
  })
  await t.rejects(client.query('INSERT 0'), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'HAPG_NOT_WRITABLE' } })
  await client.close()
})

t.test('replica reads: a caller\'s SQL error is thrown and keeps the replica pool; a broken session moves on', async (t) => {
  const { client, servers, events } = setup()
  servers.get('10.0.0.2:5432')!.onQuery = () => {
    throw sqlError('42601')
  }
  servers.get('10.0.0.3:5432')!.onQuery = () => {
    throw sqlError('42601')
  }
  await t.rejects(client.query('SELEC', [], { role: 'replica' }), { code: '42601' })
  t.notOk(events.some((e) => e[0] === 'poolRetired'), 'no replica pool torn down')
  servers.get('10.0.0.2:5432')!.onQuery = () => {
    throw sqlError('57P01')
  }
  servers.get('10.0.0.3:5432')!.onQuery = () => {
    throw sqlError('57P01')
  }
  servers.get('10.0.0.1:5432')!.onQuery = () => ({ rows: [{ from: 'm1' }] })
  t.match(await client.query('SELECT', [], { role: 'replica', timeoutMs: 1_000 }), { rows: [{ from: 'm1' }] }, 'both replicas dropped the session: the leader answers')
  t.ok(events.some((e) => e[0] === 'poolRetired' && (e[1] as { reason: string }).reason === 'replica-error'))
  await client.close()
})

t.test('counts before any leader; static withTransaction rolls back (bounded)', async (t) => {
  const { client } = setup()
  t.strictSame([client.totalCount, client.idleCount, client.waitingCount], [0, 0, 0])
  await client.close()
  const seen: string[] = []
  const servers = new Map([['postgres://app@db/app', { onQuery: (text: string) => (seen.push(text), { rows: [] }) }]])
  const { Pool } = fakePool(servers)
  await using stat = new HaPgClient({ connectionString: 'postgres://app@db/app', Pool: Pool as never })
  await t.rejects(stat.withTransaction(async () => { throw new Error('mine') }), { message: 'mine' })
  t.strictSame(seen, ['BEGIN', 'ROLLBACK'])
})

t.test('a held client whose lease lapsed while another leader was elected: fenced when it asks again', async (t) => {
  const { client, clock, patroni, servers } = setup()
  const c = await client.connect()
  clock.skew += 500
  patroni.promote('m2', 2)
  servers.get('10.0.0.2:5432')!.hotStandby = false
  await t.rejects(c.query('INSERT x'), { code: 'HAPG_SESSION_FENCED', cause: { message: /moved from m1 to m2|retired/ } })
  c.release()
  await client.close()
})

/**
 * A blackholed PostgreSQL: the TCP handshake completes (the kernel accepts) but the startup packet is never
 * answered, as with a frozen postmaster or a host whose packets are dropped after the SYN-ACK. Without a
 * bound, pg waits for the answer forever (pg has no connect timeout by default; a host dropping SYNs waits out
 * ~2 min of SYN retries, the same path). It listens on loopback, on a port of its own.
 */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const { createServer } = await import('node:net')
  const sockets = new Set<import('node:net').Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}

t.test('gh-11 major 5: a blackholed leader does not stall a call past its deadline (real pg.Pool)', async (t) => {
  const hole = await blackhole()
  const stat = new HaPgClient({ connectionString: `postgres://u:pw@127.0.0.1:${hole.port}/db`, failoverDeadlineMs: 300 })
  let started = Date.now()
  await t.rejects(stat.query('SELECT 1'), { code: 'HAPG_FAILOVER_TIMEOUT' })
  t.ok(Date.now() - started < 1_000, `static mode: settled in ${Date.now() - started} ms`)
  started = Date.now()
  await stat.close()
  t.ok(Date.now() - started < 1_000, 'close() does not wait for the hung connect')

  const { FakePatroni, threeMembers } = await import('./helpers/fake-patroni.js')
  const members = threeMembers().map((m) => ({ ...m, host: '127.0.0.1', port: hole.port }))
  const patroni = new FakePatroni(members)
  const client = new HaPgClient({
    patroniUrls: ['http://127.0.0.1:8001'], dispatcher: patroni.agent, pg: { user: 'u', password: 'pw', database: 'db' },
    leaseMs: 400, discoveryIntervalMs: 100, restTimeoutMs: 80, failoverDeadlineMs: 400, random: () => 0.5,
  })
  started = Date.now()
  await t.rejects(client.query('INSERT 1'), { code: 'HAPG_FAILOVER_TIMEOUT' })
  t.ok(Date.now() - started < 1_200, `Patroni mode: settled in ${Date.now() - started} ms`)
  const held = client.connect()
  await t.rejects(held, { code: 'HAPG_FAILOVER_TIMEOUT' }, 'connect() too')
  await client.close()
  await hole.close()
})

t.test('withTransaction lifts its fence: the session goes back to the pool as a plain client', async (t) => {
  const { client, pools } = setup()
  await client.query('SELECT 1')
  const session = [...pools[0]!.idle][0]!
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the method's identity is compared, it is never called
  const plain = session.query
  await client.withTransaction(async (tx) => tx.query('INSERT 1'))
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the method's identity is compared, it is never called
  t.equal(session.query, plain, 'after a commit')
  await t.rejects(client.withTransaction(async () => { throw new Error('mine') }), { message: 'mine' })
  t.equal([...pools[0]!.idle].length, 0, 'a failed transaction destroys its session')
  const c = await client.connect()
  c.release()
  const again = [...pools[0]!.idle][0]!
  t.not(again, session)
  await client.close()
})
