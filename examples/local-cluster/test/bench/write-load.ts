import t from 'tap'
import { ackOutage, type WriteOp } from '../../src/bench/write-load.js'

// Writes every 10 ms taking 5 ms each, from t=0; `bad` maps a start time to how that write went.
function ops(from: number, to: number, bad: (start: number) => Partial<WriteOp> = () => ({})): WriteOp[] {
  const list: WriteOp[] = []
  for (let start = from, id = 0; start < to; start += 10, id++) list.push({ id, start, end: start + 5, ok: true, ...bad(start) })
  return list
}

t.test('steady writes: the outage is the ordinary gap between two acknowledgements', async (t) => {
  t.strictSame(ackOutage(ops(0, 5_000), 3_000, 5_000), { ms: 10, start: 2_995, end: 3_005 })
})

t.test('writes that wait (retries) or fail: the longest time without an acknowledgement, from the last one before', async (t) => {
  // Writes started in [3000, 4000) are acknowledged only at 4200 (they waited); some failed meanwhile;
  // the first write started at 4000 is acknowledged at 4005, which ends the outage.
  const list = ops(0, 6_000, (start) => (start >= 3_000 && start < 4_000 ? (start % 100 === 0 ? { ok: false, end: start + 1 } : { end: 4_200 }) : {}))
  t.strictSame(ackOutage(list, 3_000, 6_000), { ms: 1_010, start: 2_995, end: 4_005 })
})

t.test('a short run of slow writes ahead of the real gap does not hide it (the old measure said 243 ms for 9.4 s)', async (t) => {
  const list = ops(0, 20_000, (start) => (start >= 3_000 && start < 3_100 ? { end: start + 300 } : start >= 3_100 && start < 12_500 ? { end: 12_500 } : {}))
  t.equal(ackOutage(list, 3_000, 20_000).ms, 12_500 - 3_390, 'from the last slow acknowledgement (3390) to 12500')
})

t.test('a writer that never acknowledges again has no recovery (Infinity), not 0', async (t) => {
  const list = ops(0, 6_000, (start) => (start >= 3_000 ? { ok: false, end: 0 } : {}))
  t.strictSame(ackOutage(list, 3_000, 6_000), { ms: Number.POSITIVE_INFINITY, start: 2_995 })
  const late = ops(0, 6_000, (start) => (start >= 3_000 ? { end: 7_000 } : {}))
  t.equal(ackOutage(late, 3_000, 6_000).ms, Number.POSITIVE_INFINITY, 'acknowledgements after `until` do not count')
  t.equal(ackOutage(ops(0, 5_500), 3_000, 6_000, 1_000).ms, 10, 'quiet for less than recoveredWithinMs at the end is still recovered')
  t.strictSame(ackOutage([], 3_000, 6_000), { ms: Number.POSITIVE_INFINITY, start: 3_000 }, 'no acknowledgement ever: from `from`')
})

t.test('WriteLoad logs acknowledged and failed writes, with the server and the error code', async (t) => {
  const { WriteLoad } = await import('../../src/bench/write-load.js')
  let n = 0
  const load = new WriteLoad(
    {
      async write(id: number) {
        n++
        if (id % 3 === 1) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
        if (id % 3 === 2) throw new Error('no code')
        return id % 2 === 0 ? '127.0.0.1:5432' : undefined // a writer may not report the acknowledging server
      },
    } as never,
    { ratePerSec: 500 },
  )
  load.start()
  while (n < 9) await new Promise((resolve) => setTimeout(resolve, 5))
  const report = await load.stop()
  t.ok(report.failed >= 6)
  t.ok(report.ops.some((o) => o.code === 'ECONNREFUSED'))
  t.ok(report.ops.some((o) => o.code === 'no code'))
  t.ok(report.ops.some((o) => o.ok && o.server === '127.0.0.1:5432'))
  t.ok(report.ops.some((o) => o.ok && o.server === undefined))
})

t.test('the small helpers, on their edge inputs', async (t) => {
  const { ackServer, longestAckGap, WriteLoad } = await import('../../src/bench/write-load.js')
  t.equal(ackServer({ rows: [{ addr: '10.0.1.10', port: 5432 }] }), '10.0.1.10:5432')
  t.equal(ackServer({ rows: [{ addr: '10.0.1.10', port: 'x' }] }), undefined)
  t.equal(ackServer({ rows: [{ addr: null, port: 5432 }] }), undefined, 'inet_server_addr() is NULL over a Unix socket')
  t.equal(ackServer({ rows: [] }), undefined)
  // No acknowledgement before `from`: the gap counts from `from`.
  t.strictSame(longestAckGap([{ id: 1, start: 90, end: 150, ok: true }], 100), { gapMs: 50, start: 100, end: 150 })
  t.strictSame(longestAckGap([{ id: 1, start: 0, end: 50, ok: true }, { id: 2, start: 60, end: 170, ok: true }], 100), { gapMs: 120, start: 50, end: 170 })
  const load = new WriteLoad({ label: 'noop', write: async () => {} } as never) // default rate
  load.start()
  await new Promise((resolve) => setTimeout(resolve, 30))
  const report = await load.stop()
  t.ok(report.ops.length >= 1)
})

t.test('at most maxInFlight writes are outstanding; ticks beyond are skipped', async (t) => {
  const { WriteLoad } = await import('../../src/bench/write-load.js')
  let inFlight = 0
  let most = 0
  const load = new WriteLoad(
    {
      label: 'slow',
      async write() {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 40))
        inFlight--
      },
    } as never,
    { ratePerSec: 1000, maxInFlight: 2 },
  )
  load.start()
  await new Promise((resolve) => setTimeout(resolve, 100))
  await load.stop()
  t.equal(most, 2)
})
