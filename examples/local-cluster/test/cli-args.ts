import t from 'tap'
import { parseCliArgs, USAGE } from '../src/cli-args.js'

t.test('up with every option', async (t) => {
  t.strictSame(parseCliArgs(['up', '--etcd', '1', '--base-port', '25300', '--name', 'x', '--timing', 'production', '--no-sync', '--dr']), {
    ok: true,
    value: { command: 'up', options: { name: 'x', etcdMembers: 1, basePort: 25300, timing: 'production', synchronousMode: false, drReplica: true } },
  })
  t.strictSame(parseCliArgs(['up']), { ok: true, value: { command: 'up', options: {} } })
  t.strictSame(parseCliArgs(['up', '--etcd', '3', '--timing', 'fast']), {
    ok: true, value: { command: 'up', options: { etcdMembers: 3, timing: 'fast' } },
  })
  t.strictSame(parseCliArgs(['up', '--patroni', '4']), { ok: true, value: { command: 'up', options: { patroni: '4' } } })
  t.strictSame(parseCliArgs(['up', '--patroni', '3']), { ok: true, value: { command: 'up', options: { patroni: '3' } } })
})

t.test('commands without arguments', async (t) => {
  for (const command of ['down', 'status', 'env', 'kill-leader', 'hang-leader', 'resume'] as const) {
    t.strictSame(parseCliArgs([command, '--name', 'n']), { ok: true, value: { command, options: { name: 'n' } } }, command)
  }
  t.strictSame(parseCliArgs(['switchover']), { ok: true, value: { command: 'switchover', options: {} } })
  t.strictSame(parseCliArgs(['switchover', '--candidate', 'pg2']), {
    ok: true, value: { command: 'switchover', options: {}, candidate: 'pg2' },
  })
})

t.test('member and etcd commands', async (t) => {
  t.strictSame(parseCliArgs(['kill-member', 'pg2']), { ok: true, value: { command: 'kill-member', options: {}, member: 'pg2' } })
  t.strictSame(parseCliArgs(['start-member', 'pg2']), { ok: true, value: { command: 'start-member', options: {}, member: 'pg2' } })
  t.strictSame(parseCliArgs(['reinit-member', 'pg1']), { ok: true, value: { command: 'reinit-member', options: {}, member: 'pg1' } })
  t.strictSame(parseCliArgs(['stop-etcd-member', '1']), { ok: true, value: { command: 'stop-etcd-member', options: {}, index: 1 } })
  t.strictSame(parseCliArgs(['start-etcd-member', '0']), { ok: true, value: { command: 'start-etcd-member', options: {}, index: 0 } })
})

t.test('--help and --version, with or without a command', async (t) => {
  t.strictSame(parseCliArgs(['--help']), { ok: true, value: { command: 'help', options: {} } })
  t.strictSame(parseCliArgs(['up', '-h']), { ok: true, value: { command: 'help', options: {} } })
  t.strictSame(parseCliArgs(['--version']), { ok: true, value: { command: 'version', options: {} } })
})

t.test('bad input is a result with one clear message', async (t) => {
  for (const [argv, message] of [
    [[], 'missing command'],
    [['launch'], 'unknown command "launch"'],
    [['up', '--etcd', '2'], '--etcd must be 1 or 3'],
    [['up', '--base-port', 'abc'], '--base-port must be a number'],
    [['up', '--timing', 'slow'], '--timing must be fast or production'],
    [['up', '--patroni', '4.0'], '--patroni must be 3 or 4'],
    [['status', '--patroni', '4'], '--patroni only applies to up'],
    [['up', 'extra'], 'up takes no arguments'],
    [['status', '--dr'], '--dr only applies to up'],
    [['status', 'extra'], 'status takes no arguments'],
    [['kill-leader', '--candidate', 'pg1'], '--candidate only applies to switchover'],
    [['switchover', 'pg2'], 'switchover takes no arguments'],
    [['kill-member'], 'kill-member takes one member name'],
    [['stop-etcd-member', 'x'], 'stop-etcd-member takes one etcd member index (0-2)'],
    [['start-etcd-member'], 'start-etcd-member takes one etcd member index (0-2)'],
    [['up', '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    const result = parseCliArgs(argv)
    t.equal(result.ok, false, argv.join(' '))
    if (!result.ok) t.match(result.error, message)
  }
  t.match(USAGE, /^usage: npm run cluster -- <command>/)
})
