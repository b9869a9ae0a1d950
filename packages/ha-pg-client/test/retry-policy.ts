import t from 'tap'
import { HaPgError } from '../src/errors.js'
import { retryVerdict } from '../src/retry-policy.js'

const err = (code: string): Error => Object.assign(new Error(code), { code })
const half = (): number => 0.5

t.test('never-ran retries with capped exponential backoff', async (t) => {
  t.match(retryVerdict(err('57P03'), 'statement', 1, false, 10_000, half), { retry: true, delayMs: 10 })
  t.match(retryVerdict(err('57P03'), 'statement', 3, false, 10_000, half), { retry: true, delayMs: 40 })
  t.match(retryVerdict(err('57P03'), 'statement', 30, false, 10_000, half), { retry: true, delayMs: 200 })
})

t.test('a leader still promoting (HAPG_NOT_WRITABLE) is polled at most every 50 ms (±jitter)', async (t) => {
  t.match(retryVerdict(new HaPgError('HAPG_NOT_WRITABLE', 'x'), 'connect', 1, false, 10_000, half), { retry: true, delayMs: 10 })
  t.match(retryVerdict(new HaPgError('HAPG_NOT_WRITABLE', 'x'), 'connect', 30, false, 10_000, half), { retry: true, delayMs: 50 })
})

t.test('unknown outcome: retry only if idempotent', async (t) => {
  t.match(retryVerdict(err('57P01'), 'statement', 1, true, 10_000, half), { retry: true })
  const v = retryVerdict(err('57P01'), 'statement', 1, false, 10_000, half)
  t.equal(v.retry, false)
  if (!v.retry) {
    t.match(v.error, { code: 'HAPG_OUTCOME_UNKNOWN' })
    t.equal((v.error as HaPgError).cause instanceof Error, true)
  }
})

t.test('failed errors pass through unchanged', async (t) => {
  const e = err('23505')
  t.match(retryVerdict(e, 'statement', 1, true, 10_000, half), { retry: false, error: e })
})

t.test('terminal HaPgErrors are never retried', async (t) => {
  for (const code of ['HAPG_CLOSED', 'HAPG_NO_LEADER', 'HAPG_FAILOVER_TIMEOUT'] as const) {
    t.match(retryVerdict(new HaPgError(code, 'x'), 'connect', 1, true, 10_000, half), { retry: false, error: { code } })
  }
})

t.test('the deadline bounds retries', async (t) => {
  t.match(retryVerdict(err('ECONNREFUSED'), 'connect', 1, false, 5, half), { retry: false, error: { code: 'HAPG_FAILOVER_TIMEOUT' } })
})
