import t from 'tap'
import type { PatroniMember, RestResult } from '../src/patroni-api.js'
import { apiBase, decideLeader, learnedApiUrls, namesLeader, readableReplicas } from '../src/topology.js'

const m = (name: string, role: string, timeline = 1, extra: Partial<PatroniMember> = {}): PatroniMember => ({ name, role, state: 'running', timeline, api_url: `http://127.0.0.1:800${name.slice(1)}/patroni`, host: '127.0.0.1', port: 5432, ...extra })
const view = (...members: PatroniMember[]): RestResult<{ members?: PatroniMember[] }> => ({ ok: true, status: 200, body: { members } })
const down: RestResult<{ members?: PatroniMember[] }> = { ok: false, error: new Error('timeout') }
const dcs: RestResult<{ members?: PatroniMember[] }> = { ok: false, status: 503, error: new Error('503') }

t.test('one agreed leader', async (t) => {
  const v = view(m('m1', 'leader'), m('m2', 'replica'))
  t.match(decideLeader([v, v, v]), { kind: 'candidate', member: { name: 'm1' }, votes: 3, unanimous: true })
  t.match(decideLeader([v, down, v]), { kind: 'candidate', member: { name: 'm1' }, votes: 2, unanimous: true })
})

t.test('split answer: the higher timeline wins, even in a minority', async (t) => {
  const stale = view(m('m1', 'leader', 1), m('m2', 'replica', 1))
  const fresh = view(m('m1', 'replica', 1), m('m2', 'leader', 2))
  t.match(decideLeader([stale, fresh, fresh]), { kind: 'candidate', member: { name: 'm2', timeline: 2 }, unanimous: false })
  t.match(decideLeader([stale, stale, fresh]), { kind: 'candidate', member: { name: 'm2' } })
})

t.test('split answer on the same timeline: the majority wins, a tie waits', async (t) => {
  const a = view(m('m1', 'leader', 3))
  const b = view(m('m2', 'leader', 3))
  t.match(decideLeader([a, a, b]), { kind: 'candidate', member: { name: 'm1' }, votes: 2, unanimous: false })
  t.strictSame(decideLeader([a, b]), { kind: 'none', reason: 'ambiguous' })
  const both = view(m('m1', 'leader', 3), m('m2', 'leader', 3))
  t.strictSame(decideLeader([both]), { kind: 'none', reason: 'ambiguous' })
})

t.test('claims without a timeline rank last', async (t) => {
  const noTl = view({ name: 'm1', role: 'leader', state: 'running' })
  t.match(decideLeader([noTl]), { kind: 'candidate', member: { name: 'm1' } })
  t.match(decideLeader([noTl, view(m('m2', 'leader', 1))]), { kind: 'candidate', member: { name: 'm2' } })
})

t.test('no leader', async (t) => {
  t.strictSame(decideLeader([view(m('m1', 'replica'))]), { kind: 'none', reason: 'no-leader' })
  t.strictSame(decideLeader([{ ok: true, status: 200, body: {} }]), { kind: 'none', reason: 'no-leader' })
  t.strictSame(decideLeader([down, down]), { kind: 'none', reason: 'unreachable' })
  t.strictSame(decideLeader([dcs, dcs, down]), { kind: 'none', reason: 'dcs-unavailable' })
  t.strictSame(decideLeader([dcs, down, down]), { kind: 'none', reason: 'unreachable' })
  t.strictSame(decideLeader([{ ok: false, status: 401, error: 1 }]), { kind: 'none', reason: 'unreachable' })
})

t.test('readable replicas within a lag bound, least lag first', async (t) => {
  const members = [
    m('m1', 'leader'),
    m('m2', 'replica', 1, { lag: 500 }),
    m('m3', 'sync_standby', 1, { lag: 0, state: 'streaming' }),
    m('m4', 'replica', 1, { lag: 'unknown' }),
    m('m5', 'replica', 1, { lag: 1, state: 'stopped' }),
    { name: 'm6', role: 'replica', state: 'running', lag: 0 },
  ]
  t.strictSame(readableReplicas(members, 1000).map((x) => x.name), ['m3', 'm2'])
  t.strictSame(readableReplicas(members, 100).map((x) => x.name), ['m3'])
})

t.test('replica reads honour noloadbalance and the replay lag; Patroni 4 roles (issue #11, major 7)', async (t) => {
  const members = [
    m('m1', 'primary'),
    m('m2', 'quorum_standby', 1, { lag: 0 }),
    m('dr', 'replica', 1, { lag: 0, tags: { noloadbalance: true } }),
    m('m4', 'replica', 1, { lag: 0, tags: { noloadbalance: 'on' } }),
    m('m5', 'replica', 1, { lag: 0, replay_lag: 5_000, receive_lag: 0 }),
    m('m6', 'replica', 1, { lag: 0, tags: { noloadbalance: false, nofailover: true } }),
  ]
  t.strictSame(readableReplicas(members, 1_000).map((x) => x.name), ['m2', 'm6'], 'noloadbalance members and a replay lag over the bound are out')
  t.strictSame(readableReplicas(members, 10_000).map((x) => x.name), ['m2', 'm6', 'm5'])
})

t.test('a standby cluster: its standby_leader is no write leader', async (t) => {
  t.strictSame(decideLeader([view(m('s1', 'standby_leader'), m('s2', 'replica'))]), { kind: 'none', reason: 'standby-cluster' })
  t.match(decideLeader([view(m('p1', 'primary'), m('s2', 'replica'))]), { kind: 'candidate', member: { name: 'p1' } })
})

t.test('learned API URLs', async (t) => {
  t.strictSame(learnedApiUrls([view(m('m1', 'leader'), { name: 'x', role: 'replica', state: 'running' }), down]), ['http://127.0.0.1:8001/'])
  t.strictSame(learnedApiUrls([{ ok: true, status: 200, body: {} }]), [])
  t.equal(apiBase('https://h:8008/patroni'), 'https://h:8008/')
})

t.test('whether a view names a member as the leader', async (t) => {
  const m2 = 'http://127.0.0.1:8002/'
  t.ok(namesLeader(view(m('m1', 'replica'), m('m2', 'primary')), m2))
  t.notOk(namesLeader(view(m('m1', 'leader'), m('m2', 'replica')), m2), 'm2 only listed')
  t.notOk(namesLeader(view({ name: 'm2', role: 'leader', state: 'running' }), m2), 'a leader without api_url names nobody')
  t.notOk(namesLeader({ ok: true, status: 200, body: {} }, m2), 'no members')
  t.notOk(namesLeader(down, m2))
})
