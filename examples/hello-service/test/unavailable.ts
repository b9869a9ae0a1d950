import t from 'tap'
import { HaPgError } from '@birthday-ha/ha-pg-client'
import { HttpError } from '@birthday-ha/http-adapter'
import { orUnavailable } from '../src/unavailable.js'

t.test('database unavailability becomes a 503 with Retry-After', async (t) => {
  const lost = Object.assign(new Error('Connection terminated unexpectedly'), {})
  for (const error of [new HaPgError('HAPG_NO_LEADER', 'x'), Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), lost]) {
    const rejected = await orUnavailable(Promise.reject(error)).catch((e: unknown) => e)
    t.type(rejected, HttpError)
    t.match(rejected, { status: 503, code: 'DATABASE_UNAVAILABLE', headers: { 'retry-after': '1' } })
    t.match(rejected, { detail: /Retry shortly/ })
  }
})

t.test('an unknown outcome says so: the PUT may be stored, and retrying it is safe', async (t) => {
  const rejected = await orUnavailable(Promise.reject(new HaPgError('HAPG_OUTCOME_UNKNOWN', 'x'))).catch((e: unknown) => e)
  t.match(rejected, { status: 503, detail: /may or may not be stored/ })
})

t.test('other errors pass through unchanged (they become a 500)', async (t) => {
  const bug = Object.assign(new Error('syntax error'), { code: '42601' })
  await t.rejects(orUnavailable(Promise.reject(bug)), bug)
  t.equal(await orUnavailable(Promise.resolve(7)), 7)
})
