import t from 'tap'
import { parseBenchArgs } from '../../src/cli/bench-args.js'

const ok = (argv: string[], env: NodeJS.ProcessEnv = {}) => { const r = parseBenchArgs(argv, env); return r.ok ? r.command : r }
const err = (argv: string[], env: NodeJS.ProcessEnv = {}) => { const r = parseBenchArgs(argv, env); return r.ok ? 'parsed' : r.error }

t.test('the default: one round of both faults at 200 upserts/s, on the bench lab (slot 8), taken down after', async (t) => {
  t.strictSame(ok([]), { name: 'run', runs: 1, rate: 200, keep: false, lab: { name: 'bench', slot: 8 } })
})

t.test('--runs, --rate, --ops-dir, --keep, LAB_NAME/LAB_SLOT, --help, --version', async (t) => {
  t.strictSame(ok(['--runs', '5', '--rate', '100', '--ops-dir', '/tmp/ops', '--keep'], { LAB_NAME: 'lab', LAB_SLOT: '0' }), { name: 'run', runs: 5, rate: 100, opsDir: '/tmp/ops', keep: true, lab: { name: 'lab', slot: 0 } })
  t.strictSame(ok(['--help']), { name: 'help' })
  t.strictSame(ok(['-h', '--runs', 'x']), { name: 'help' })
  t.strictSame(ok(['--version']), { name: 'version' })
})

t.test('usage errors say what was wrong', async (t) => {
  t.equal(err(['--runs', '0']), '--runs must be a whole number from 1 to 20, not 0')
  t.equal(err(['--runs', '1.5']), '--runs must be a whole number from 1 to 20, not 1.5')
  t.equal(err(['--rate', '5000']), '--rate must be a whole number from 1 to 2000, not 5000')
  t.equal(err(['--ops-dir', '']), '--ops-dir needs a directory')
  t.equal(err([], { LAB_SLOT: '300' }), 'LAB_SLOT must be a whole number from 0 to 255, not 300')
  t.match(err(['--fast']), /Unknown option '--fast'/)
  t.match(err(['run']), /Unexpected argument 'run'/)
})
