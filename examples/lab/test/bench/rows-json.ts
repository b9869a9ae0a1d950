import t from 'tap'
import { decodeRows, encodeRows } from '../../src/bench/rows-json.js'

t.test('"no recovery" (Infinity) and "no promotion seen" (NaN) survive the trip from the worker', async (t) => {
  const row = { run: 1, fault: 'blackhole', writer: 'pinned pool', promotionMs: Number.NaN, outageMs: Number.POSITIVE_INFINITY, backMs: Number.POSITIVE_INFINITY, failed: 3, lost: 0, lateAcks: 0, lostToBug: 0 } as const
  const line = encodeRows([row])
  t.notMatch(line, /null/, 'JSON alone would turn both into null')
  t.strictSame(decodeRows(line), [row])
})

t.test('anything but a list of rows is an error that shows what came', async (t) => {
  t.throws(() => decodeRows('{"error":1}'), /the bench worker printed \{"error":1\}, not its rows/)
  t.throws(() => decodeRows(''), SyntaxError)
})
