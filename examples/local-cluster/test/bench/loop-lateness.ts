import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { watchLoopLateness } from '../../src/bench/loop-lateness.js'

t.test('a loop blocked for 80 ms shows it as lateness, less the monitor\'s own tick; reset starts over', async (t) => {
  const watch = watchLoopLateness()
  await sleep(30)
  const until = Date.now() + 80
  while (Date.now() < until) {
    // blocked: no timer runs
  }
  await sleep(30)
  t.ok(watch.maxMs() >= 60, `max ${watch.maxMs()} ms`)
  t.ok(watch.percentileMs(50) < 60, `p50 ${watch.percentileMs(50)} ms: most ticks were on time`)
  watch.reset()
  await sleep(30)
  t.ok(watch.maxMs() < 60, `after reset: max ${watch.maxMs()} ms`)
  watch.stop()
})
