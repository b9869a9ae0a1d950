import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { classifyFailure, LoadGenerator, type LoadRequest, type LoadResponse } from '../src/load-generator.js'

const problem: LoadResponse = { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' }, body: '{"status":503}' }

t.test('classifyFailure: clean only for a 503 problem+json with Retry-After and a JSON body', async (t) => {
  t.strictSame(classifyFailure(problem), { clean: true, detail: '{"status":503}' })
  const bad = classifyFailure({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html>' })
  t.equal(bad.clean, false)
  t.match(bad.detail, /status 502, content-type "text\/html", no Retry-After, body is not JSON/)
  t.match(classifyFailure({ status: 503, headers: {}, body: '' }).detail, /content-type ""/)
})

t.test('an open-loop load: PUTs are logged as acks, failures as unacked, GETs only for acked users', async (t) => {
  const seen: LoadRequest[] = []
  let n = 0
  const send = async (req: LoadRequest): Promise<LoadResponse> => {
    seen.push(req)
    n++
    await sleep(n % 7 === 0 ? 30 : 1)
    if (n % 10 === 0) throw new Error('connection reset')
    if (n % 10 === 5) return problem
    return { status: req.method === 'PUT' ? 204 : 200, headers: {}, body: '' }
  }
  let rnd = 0
  const random = (): number => (rnd = (rnd * 9301 + 49297) % 233280) / 233280
  const load = new LoadGenerator({ send, ratePerSecond: 400, timeoutMs: 1000, userPrefix: 'tst', random })
  t.equal(load.inFlight, 0)
  load.start()
  load.start() // idempotent
  await sleep(400)
  const records = await load.stop()
  t.equal(await load.stop(), records, 'stop is idempotent')
  t.ok(records.length > 50, `sent ${records.length}`)
  t.equal(records.length, seen.length)
  const puts = records.filter((r) => r.method === 'PUT')
  const gets = records.filter((r) => r.method === 'GET')
  t.ok(puts.length > 0 && gets.length > 0)
  for (const r of seen) t.match(r.path, /^\/hello\/tst[a-z]+$/)
  for (const r of seen.filter((r) => r.method === 'PUT')) t.match(JSON.parse(r.body as string), { dateOfBirth: /^\d{4}-\d\d-\d\d$/ })
  for (const r of records.filter((r) => r.status === 0)) t.strictSame(r.problem, { clean: false, detail: 'no answer (network error or timeout)' })
  for (const r of records.filter((r) => r.status === 503)) t.equal(r.problem?.clean, true)
  // The log: each user's ack is its last 2xx PUT; unacked are the failed PUTs after it.
  for (const [user, log] of load.users) {
    const mine = puts.filter((r) => r.user === user).sort((a, b) => a.sentAt - b.sentAt)
    const lastOk = mine.findLastIndex((r) => r.status === 204)
    t.equal(log.acked?.date, lastOk === -1 ? undefined : mine[lastOk]?.date, `ack of ${user}`)
    t.strictSame(log.unacked, mine.slice(lastOk + 1).map((r) => r.date), `unacked of ${user}`)
  }
  // A GET never targets a user before its first acknowledged PUT.
  for (const g of gets) {
    const ackedBefore = puts.some((p) => p.user === g.user && p.status === 204 && p.endedAt <= g.sentAt)
    t.ok(ackedBefore, `GET ${g.user} after an ack`)
  }
  // One request per user at a time.
  const byUser = new Map<string, typeof records[number][]>()
  for (const r of records) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r])
  for (const [, rs] of byUser) {
    rs.sort((a, b) => a.sentAt - b.sentAt)
    for (let i = 1; i < rs.length; i++) t.ok((rs[i]?.sentAt ?? 0) >= (rs[i - 1]?.endedAt ?? 0))
  }
})

t.test('only PUTs to new users, with the default clock and random', async (t) => {
  const load = new LoadGenerator({ send: async () => ({ status: 204, headers: {}, body: '' }), ratePerSecond: 200, putRatio: 1, newUserRatio: 1, timeoutMs: 100, userPrefix: 'p' })
  load.start()
  await sleep(100)
  const records = await load.stop()
  load.start() // no restart after stop
  t.equal(new Set(records.map((r) => r.user)).size, records.length)
  t.ok(records.every((r) => r.method === 'PUT'))
})

t.test('a busy user pool falls back to new users; GETs fall back to PUTs', async (t) => {
  const slow = async (): Promise<LoadResponse> => { await sleep(300); return { status: 204, headers: {}, body: '' } }
  const load = new LoadGenerator({ send: slow, ratePerSecond: 300, putRatio: 0, timeoutMs: 100, userPrefix: 'b', random: () => 0.5 })
  load.start()
  await sleep(60)
  t.ok(load.inFlight > 2)
  t.equal(new Set([...load.users.keys()]).size, load.inFlight, 'every in-flight request got its own user')
  t.equal(load.records.length, 0)
  await load.stop()
})

t.test('rejects a non-positive rate', async (t) => {
  t.throws(() => new LoadGenerator({ send: async () => problem, ratePerSecond: 0, timeoutMs: 1, userPrefix: 'x' }), RangeError)
})
