import t from 'tap'
import { writeOutage, type WriteOp } from '../../src/bench/write-load.js'

// Writes every 10 ms taking 5 ms each, from t=0; `bad` maps a start time to how that write went.
function ops(from: number, to: number, bad: (start: number) => Partial<WriteOp> = () => ({})): WriteOp[] {
  const list: WriteOp[] = []
  for (let start = from, id = 0; start < to; start += 10, id++) list.push({ id, start, end: start + 5, ok: true, ...bad(start) })
  return list
}

t.test('no failed or stalled write: no outage', async (t) => {
  t.match(writeOutage(ops(0, 5_000), 3_000, 5_000), { ms: 0, stallThresholdMs: 100 })
})

t.test('failures after the fault, then recovery: from the first bad write to the first ack after the last failure', async (t) => {
  const list = ops(0, 6_000, (start) => (start >= 3_000 && start < 4_000 ? { ok: false, end: start + 1 } : {}))
  const outage = writeOutage(list, 3_000, 6_000)
  t.equal(outage.start, 3_000)
  t.equal(outage.end, 4_005)
  t.equal(outage.ms, 1_005)
})

t.test('a stalled write counts from its start', async (t) => {
  const list = ops(0, 6_000, (start) => (start === 3_000 ? { end: 3_900 } : start > 3_000 && start < 3_900 ? { end: 3_905 } : {}))
  const outage = writeOutage(list, 3_000, 6_000)
  t.equal(outage.start, 3_000)
  t.ok(outage.ms >= 900, `stall measured: ${outage.ms} ms`)
})

t.test('a writer that never acknowledges again has no recovery (Infinity), not 0', async (t) => {
  const list = ops(0, 6_000, (start) => (start >= 3_000 ? { ok: false, end: 0 } : {}))
  const outage = writeOutage(list, 3_000, 6_000)
  t.equal(outage.ms, Number.POSITIVE_INFINITY)
  t.equal(outage.start, 3_000)
  t.equal(outage.end, undefined)
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
        return id % 2 === 0 ? 5432 : undefined // a writer may not report the acknowledging server
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
  t.ok(report.ops.some((o) => o.ok && o.server === 5432))
  t.ok(report.ops.some((o) => o.ok && o.server === undefined))
})

t.test('the small helpers, on their edge inputs', async (t) => {
  const { ackPort, longestAckGap, WriteLoad } = await import('../../src/bench/write-load.js')
  t.equal(ackPort({ rows: [{ port: 5432 }] }), 5432)
  t.equal(ackPort({ rows: [{ port: 'x' }] }), undefined)
  t.equal(ackPort({ rows: [] }), undefined)
  // No acknowledgement before `from`: the gap counts from `from`.
  t.strictSame(longestAckGap([{ id: 1, start: 90, end: 150, ok: true }], 100), { gapMs: 50, start: 100, end: 150 })
  t.strictSame(longestAckGap([{ id: 1, start: 0, end: 50, ok: true }, { id: 2, start: 60, end: 170, ok: true }], 100), { gapMs: 120, start: 50, end: 170 })
  // No write before the fault: the stall threshold falls back to its minimum.
  t.equal(writeOutage([{ id: 1, start: 100, end: 105, ok: true }], 100, 200).stallThresholdMs, 100)
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
