import t from 'tap'
import { parseLabArgs } from '../../src/cli/lab-args.js'

const ok = (argv: string[]) => { const r = parseLabArgs(argv); return r.ok ? r.command : r }
const err = (argv: string[]) => { const r = parseLabArgs(argv); return r.ok ? 'parsed' : r.error }

t.test('commands', async (t) => {
  for (const name of ['up', 'deploy', 'down', 'promote-dr', 'rebuild-primary', 'fail-back', 'heal']) t.strictSame(ok([name]), { name })
  t.strictSame(ok(['status']), { name: 'status', json: false })
  t.strictSame(ok(['status', '--json']), { name: 'status', json: true })
  for (const name of ['power-off', 'freeze', 'thaw', 'boot']) t.strictSame(ok([name, 'db1']), { name, host: 'db1' })
  t.strictSame(ok(['partition', 'db1', '--from', 'db2, db3']), { name: 'partition', host: 'db1', from: ['db2', 'db3'] })
  t.strictSame(ok(['delay', 'dr', '20']), { name: 'delay', link: 'dr', ms: 20 })
  t.strictSame(ok(['--help']), { name: 'help' })
  t.strictSame(ok(['up', '-h']), { name: 'help' })
  t.strictSame(ok(['--version']), { name: 'version' })
})

t.test('usage errors say what was wrong', async (t) => {
  t.equal(err([]), 'no command given')
  t.equal(err(['fly']), 'unknown command "fly"')
  t.match(err(['up', '--force']), /Unknown option '--force'/)
  t.equal(err(['up', 'now']), 'up takes no argument, got now')
  t.equal(err(['up', '--json']), 'up takes no --json')
  t.equal(err(['status', 'x']), 'status takes no argument, got x')
  t.equal(err(['status', '--from', 'a']), 'status takes no --from')
  t.equal(err(['power-off']), 'power-off takes one HOST')
  t.equal(err(['freeze', 'a', 'b']), 'freeze takes one HOST')
  t.equal(err(['boot', 'DB1']), 'not a host name: "DB1"')
  t.equal(err(['thaw', 'db1', '--json']), 'thaw takes no --json')
  t.equal(err(['partition', 'db1']), 'partition needs --from HOST,…')
  t.equal(err(['partition', '--from', 'db2']), 'partition takes one HOST')
  t.equal(err(['partition', 'Db1', '--from', 'db2']), 'not a host name: "Db1"')
  t.equal(err(['partition', 'db1', '--from', 'db2,,']), 'not a host name in --from: ""')
  t.equal(err(['partition', 'db1', '--from', 'db1']), 'db1 cannot be partitioned from itself')
  t.equal(err(['partition', 'db1', '--json', '--from', 'db2']), 'partition takes no --json')
  t.equal(err(['delay', 'dr']), 'usage: delay dr MS')
  t.equal(err(['delay', 'primary', '5']), 'usage: delay dr MS')
  t.match(err(['delay', 'dr', '-5']), /Unknown option '-5'/, 'a negative number reads as an option')
  t.equal(err(['delay', 'dr', 'x']), 'MS must be an integer from 0 to 10000, got "x"')
  t.equal(err(['delay', 'dr', '1.5']), 'MS must be an integer from 0 to 10000, got "1.5"')
  t.equal(err(['delay', 'dr', '10001']), 'MS must be an integer from 0 to 10000, got "10001"')
  t.equal(err(['delay', 'dr', '5', '--json']), 'delay takes no --json')
  t.match(err(['status', '--from']), /argument missing/)
})
