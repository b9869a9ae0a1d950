import t from 'tap'
import type { MemberPool } from '../src/member-pool.js'
import { WarmUp, type KeyHolder } from '../src/warm-up.js'
import { setup, sleep } from './helpers/setup.js'

// Sessions on the key holder while it promotes (issue #11: on the lab, the first write after a partition
// waited 170–410 ms past the lease for new sessions on the new leader).

function stubbed() {
  const made: { holder: KeyHolder; warmed: number[] }[] = []
  const retired: [string, string][] = []
  const warmUp = new WarmUp({
    newPool: (holder) => {
      const pool = { holder, warmed: [] as number[], warm: (n: number) => pool.warmed.push(n) }
      made.push(pool)
      return pool as unknown as MemberPool
    },
    retire: (pool, reason) => retired.push([(pool as unknown as { holder: KeyHolder }).holder.name, reason]),
  })
  return { warmUp, made, retired }
}

const m2 = { name: 'm2', host: '10.0.0.2', port: 5432 }
const m3 = { name: 'm3', host: '10.0.0.3', port: 5432 }

t.test('WarmUp: one pool per holder, topped up; another holder or a grant to anyone else retires it', async (t) => {
  const { warmUp, made, retired } = stubbed()
  t.equal(warmUp.pool, undefined)
  warmUp.open(m2, 2, 1_000)
  warmUp.open(m2, 5, 1_000)
  t.equal(made.length, 1, 'the same holder keeps its pool')
  t.strictSame(made[0]?.warmed, [2, 5])
  warmUp.open({ ...m2, port: 5433 }, 1, 1_000)
  t.strictSame(retired, [['m2', 'not-elected']], 'the same name at another address is another holder')
  warmUp.open(m3, 1, 1_000)
  t.equal(made.length, 3)
  t.equal(warmUp.take(m2), undefined, 'a grant to another member')
  t.strictSame(retired.at(-1), ['m3', 'not-elected'])
  t.equal(warmUp.pool, undefined)
  warmUp.open(m3, 1, 1_000)
  t.equal(warmUp.take(m3), made[3] as unknown as MemberPool, 'its own grant takes the pool')
  t.equal(warmUp.pool, undefined)
  t.equal(retired.length, 3, 'a taken pool is not retired')
  t.equal(warmUp.take(m3), undefined, 'nothing is left to take')
})

/** A client leased on m1, then m1 dies; m2 takes the key, its PostgreSQL still in recovery (/primary 200 as a replica). */
async function m2Promoting(calls: number) {
  const s = setup({ pool: { max: 3 } })
  await s.client.query('SELECT 1')
  s.patroni.get('m1').rest = 'refused'
  s.servers.get('10.0.0.1:5432')!.down = true
  const writes = Array.from({ length: calls }, (_, i) => s.client.query(`INSERT ${i}`, [], { idempotent: true }))
  s.patroni.promote('m2', 2)
  // patroni/api.py (do_GET): 200 once the member holds the key, role `replica` until it leaves recovery
  s.patroni.get('m2').primaryRole = 'replica'
  await sleep(700) // m1's lease (400 ms) lapses; rounds see m2 hold the key
  return { ...s, writes, onM2: () => s.pools.filter((p) => p.key === '10.0.0.2:5432') }
}

t.test('gh-11: sessions open on the key holder while it promotes, and serve the writes from its grant on', async (t) => {
  const { client, patroni, servers, events, writes, onM2 } = await m2Promoting(5)
  t.equal(onM2().length, 1)
  t.equal(onM2()[0]?.totalCount, 3, "as many sessions as calls wait, up to the pool's max")
  t.notOk(events.some(([name]) => name === 'leaderChanged' && client.stats().leader?.name === 'm2'), 'before any lease on m2')
  t.match(client.stats().pools, [{ member: 'm1', role: 'leader' }, { member: 'm2', role: 'leader', total: 3, idle: 3 }])
  const warmed = [...(onM2()[0]?.idle ?? [])]
  delete patroni.get('m2').primaryRole
  servers.get('10.0.0.2:5432')!.hotStandby = false
  await Promise.all(writes)
  t.equal(onM2().length, 1, 'the warmed pool became the leader pool')
  t.equal(client.stats().pools[0]?.member, 'm2')
  // (the fake refreshes in_hot_standby at each checkout; ensureWritable's own tests cover a session that still says `on`)
  t.ok(warmed.every((session) => session.queries.some((q) => q.startsWith('INSERT'))), 'the sessions opened in recovery took the writes')
  await client.close()
})

t.test('gh-11: another member wins the race: the sessions on the first key holder are retired (not-elected)', async (t) => {
  const { client, patroni, servers, events, writes, onM2 } = await m2Promoting(2)
  t.equal(onM2()[0]?.totalCount, 2)
  patroni.promote('m3', 2)
  servers.get('10.0.0.3:5432')!.hotStandby = false
  await Promise.all(writes)
  t.equal(client.stats().leader?.name, 'm3')
  t.ok(onM2()[0]?.ended, 'closed')
  t.match(events.filter(([name]) => name === 'poolRetired'), [['poolRetired', { member: 'm2', reason: 'not-elected' }], ['poolRetired', { member: 'm1', reason: 'leader-changed' }]])
  await client.close()
})

t.test('gh-11: without callers waiting no session is opened on a key holder', async (t) => {
  const { client, patroni, servers, pools } = setup()
  await client.query('SELECT 1')
  patroni.get('m1').rest = 'refused'
  patroni.promote('m2', 2)
  patroni.get('m2').primaryRole = 'replica'
  await sleep(700)
  t.equal(pools.filter((p) => p.key === '10.0.0.2:5432').length, 0)
  delete patroni.get('m2').primaryRole
  servers.get('10.0.0.2:5432')!.hotStandby = false
  await sleep(300)
  t.equal(client.stats().leader?.name, 'm2')
  t.match(pools.filter((p) => p.key === '10.0.0.2:5432'), [{ totalCount: 0 }], 'its leader pool, opened at the grant, empty until a call')
  await client.close()
})

t.test('gh-11: a closed client closes the sessions it warmed', async (t) => {
  const { client, writes, onM2 } = await m2Promoting(1)
  t.equal(onM2()[0]?.totalCount, 1)
  await client.close()
  t.ok(onM2()[0]?.ended)
  for (const w of writes) await t.rejects(w)
})
