import t from 'tap'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogFollower, parseMajorGcs } from '../src/gc-trace.js'

// Lines as node 20 (V8 11.3) prints them with --trace-gc.
const TRACE = [
  '[11104:0x4117dee0]      228 ms: Scavenge 12.1 (14.0) -> 11.2 (15.0) MB, 1.10 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
  '[11104:0x4117dee0]      387 ms: Mark-Compact 58.5 (91.5) -> 14.0 (48.4) MB, 24.43 / 0.00 ms  (+ 9.8 ms in 14 steps since start of marking) finalize incremental marking via stack guard; GC in old space requested',
  '{"level":40,"msg":"a log line"}',
  '[11104:0x4117dee0]    60012 ms: Mark-Compact (reduce) 15.2 (18.0) -> 13.9 (16.0) MB, 5.00 / 0.00 ms  (average mu = 0.990, current mu = 0.990) memory reducer; GC in old space requested',
].join('\n')

t.test('parses full collections only', async (t) => {
  t.strictSame(parseMajorGcs(TRACE), [{ beforeMb: 58.5, afterMb: 14, reduce: false }, { beforeMb: 15.2, afterMb: 13.9, reduce: true }])
  t.strictSame(parseMajorGcs(''), [])
})

t.test('LogFollower returns only the complete lines appended since the last read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hademo-gc-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'app.log')
  const follower = new LogFollower(file)
  t.equal(await follower.read(), '', 'missing file')
  await writeFile(file, 'one\ntw')
  t.equal(await follower.read(), 'one\n')
  t.equal(await follower.read(), '', 'nothing new but the cut line')
  await appendFile(file, 'o\nthree\n')
  t.equal(await follower.read(), 'two\nthree\n')
})
