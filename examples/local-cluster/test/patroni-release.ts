import t from 'tap'
import { effectiveTiming, isPatroniRelease, PATRONI4_DIR, PATRONI4_MINIMUMS, patroniCommand } from '../src/patroni-release.js'

t.test('the command line of each release', async (t) => {
  t.strictSame(patroniCommand('3', '/d/patroni.yml'), { env: [], argv: ['/usr/bin/patroni', '/d/patroni.yml'] })
  t.strictSame(patroniCommand('4', '/d/patroni.yml'), {
    env: ['PYTHONPATH=/var/cache/birthday-ha-patroni4/usr/lib/python3/dist-packages'],
    argv: ['/usr/bin/python3', '/var/cache/birthday-ha-patroni4/usr/bin/patroni', '/d/patroni.yml'],
  })
  t.equal(patroniCommand('4', 'p.yml', '/tree').argv[1], '/tree/usr/bin/patroni')
  t.equal(PATRONI4_DIR, '/var/cache/birthday-ha-patroni4')
})

t.test('isPatroniRelease accepts the two strings only', async (t) => {
  t.strictSame(['3', '4', 3, 4, '4.0.7', undefined].map(isPatroniRelease), [true, true, false, false, false, false])
})

t.test('effective timing: Patroni 3 as given, Patroni 4 with its minimums and the rule', async (t) => {
  const fast = { ttl: 10, loop_wait: 1, retry_timeout: 4 }
  t.equal(effectiveTiming('3', fast), fast)
  t.strictSame(effectiveTiming('4', fast), { ttl: 20, loop_wait: 1, retry_timeout: 4 })
  t.strictSame(effectiveTiming('4', { ttl: 3, loop_wait: 1, retry_timeout: 1 }), PATRONI4_MINIMUMS)
  t.strictSame(effectiveTiming('4', { ttl: 40, loop_wait: 36, retry_timeout: 2 }), { ttl: 40, loop_wait: 34, retry_timeout: 3 })
  for (const timing of [fast, { ttl: 30, loop_wait: 10, retry_timeout: 10 }, { ttl: 21, loop_wait: 19, retry_timeout: 1 }]) {
    const out = effectiveTiming('4', timing)
    t.ok(out.loop_wait >= 1 && out.retry_timeout >= 3 && out.ttl >= 20 && out.loop_wait + 2 * out.retry_timeout <= out.ttl, JSON.stringify(out))
    t.strictSame(effectiveTiming('4', out), out, 'idempotent (an attach re-applies it to the recorded timing)')
  }
})
