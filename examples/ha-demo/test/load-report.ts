import t from 'tap'
import type { RequestRecord } from '../src/load-generator.js'
import { percentile, perMinute, summarize } from '../src/load-report.js'

const rec = (method: 'PUT' | 'GET', sentAt: number, endedAt: number, status: number, clean?: boolean): RequestRecord => ({
  method, user: 'u', date: method === 'PUT' ? '1990-01-01' : undefined, sentAt, endedAt, status,
  ...(clean === undefined ? {} : { problem: { clean, detail: '' } }),
})

t.test('percentile (nearest rank)', async (t) => {
  t.equal(percentile([], 99), 0)
  t.equal(percentile([5], 50), 5)
  const values = Array.from({ length: 100 }, (_, i) => 100 - i)
  t.equal(percentile(values, 50), 50)
  t.equal(percentile(values, 99), 99)
  t.equal(percentile(values, 100), 100)
  t.equal(percentile(values, 0), 1)
})

t.test('summarize: counts, latencies, the longest gap between acknowledged PUTs', async (t) => {
  const s = summarize([
    rec('PUT', 0, 10, 204),
    rec('GET', 5, 20, 200),
    rec('PUT', 100, 2_000, 503, true),
    rec('PUT', 200, 3_500, 204),
    rec('GET', 300, 310, 0, false),
    rec('PUT', 3_600, 3_650, 204),
    rec('GET', 3_700, 4_000, 502, false),
  ])
  t.equal(s.sent, 7)
  t.equal(s.ok, 4)
  t.equal(s.non2xx, 3)
  t.equal(s.noAnswer, 1)
  t.equal(s.unclean, 2)
  t.strictSame(s.byStatus, { 204: 3, 200: 1, 503: 1, 0: 1, 502: 1 })
  t.equal(s.longestWriteGapMs, 3_490)
  t.equal(s.longestWriteGapFrom, 10)
  t.equal(s.maxMs, 3_300)
  t.equal(s.p50Ms, 50)
})

t.test('summarize: the gap runs to the last answer when writes never resume', async (t) => {
  const s = summarize([rec('PUT', 0, 10, 204), rec('GET', 20, 5_000, 0)])
  t.equal(s.longestWriteGapMs, 4_990)
  t.equal(s.unclean, 1, 'a record without a problem note is unclean')
  t.strictSame(summarize([]), { sent: 0, ok: 0, non2xx: 0, noAnswer: 0, unclean: 0, byStatus: {}, p50Ms: 0, p99Ms: 0, maxMs: 0, longestWriteGapMs: 0, longestWriteGapFrom: 0 })
})

t.test('perMinute buckets by send time', async (t) => {
  const m = perMinute([rec('PUT', 1_000, 1_010, 204), rec('GET', 2_000, 2_100, 503), rec('GET', 121_000, 121_005, 200)], 0)
  t.strictSame(m, [
    { minute: 0, requests: 2, errors: 1, p50Ms: 10, p99Ms: 100 },
    { minute: 1, requests: 0, errors: 0, p50Ms: 0, p99Ms: 0 },
    { minute: 2, requests: 1, errors: 0, p50Ms: 5, p99Ms: 5 },
  ])
})
