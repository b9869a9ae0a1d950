import t from 'tap'
import type { RestResult } from '../src/patroni-api.js'
import { quorumSettled } from '../src/quorum-settled.js'

const ok = (body: number): RestResult<number> => ({ ok: true, status: 200, body })
const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms))
const never = new Promise<RestResult<number>>(() => {})

t.test('every answer once all settled', async (t) => {
  t.strictSame(await quorumSettled([later(5, ok(1)), Promise.resolve(ok(2))]), { results: [ok(1), ok(2)], early: false })
})

t.test('a frozen member does not hold up a round: 30 ms after a majority, it counts as timed out', async (t) => {
  const t0 = Date.now()
  const { results, early } = await quorumSettled([Promise.resolve(ok(1)), Promise.resolve(ok(2)), never])
  t.ok(Date.now() - t0 < 1_000, 'settled without the third')
  t.equal(early, false)
  t.match(results[2], { ok: false, timedOut: true })
})

t.test('early: the first answer that is enough settles the round', async (t) => {
  const { results, early } = await quorumSettled([never, later(5, ok(7)), never], (r) => r.ok && r.body === 7)
  t.equal(early, true)
  t.match(results, [{ ok: false, timedOut: true }, ok(7), { ok: false, timedOut: true }])
})
