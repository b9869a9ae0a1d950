import t from 'tap'
import { parseDrillsArgs } from '../../src/cli/drills-args.js'

const ok = (argv: string[]) => { const r = parseDrillsArgs(argv); return r.ok ? r.command : r }
const err = (argv: string[]) => { const r = parseDrillsArgs(argv); return r.ok ? 'parsed' : r.error }

t.test('the default runs every drill, then the DR drill, and takes the lab down', async (t) => {
  t.strictSame(ok([]), { name: 'run', drills: [1, 2, 3, 4, 5, 6, 7, 8], dr: true, powerOffs: 10, keep: false })
})

t.test('--only, --power-offs, --keep', async (t) => {
  t.strictSame(ok(['--only', '3, 1,dr']), { name: 'run', drills: [1, 3], dr: true, powerOffs: 10, keep: false }, 'drills run in their order')
  t.strictSame(ok(['--only', '8', '--power-offs', '2', '--keep']), { name: 'run', drills: [8], dr: false, powerOffs: 2, keep: true })
  t.strictSame(ok(['--help']), { name: 'help' })
  t.strictSame(ok(['-h', '--only', 'x']), { name: 'help' })
  t.strictSame(ok(['--version']), { name: 'version' })
})

t.test('usage errors say what was wrong', async (t) => {
  t.equal(err(['--only', '9,x']), "--only takes drill numbers 1-8 and dr (e.g. 1,3,dr), not '9,x'")
  t.equal(err(['--only', '']), "--only takes drill numbers 1-8 and dr (e.g. 1,3,dr), not ''")
  t.equal(err(['--power-offs', '0']), '--power-offs must be a whole number from 1 to 50, not 0')
  t.equal(err(['--power-offs', '2.5']), '--power-offs must be a whole number from 1 to 50, not 2.5')
  t.match(err(['--fast']), /Unknown option '--fast'/)
  t.match(err(['run']), /Unexpected argument 'run'/)
})
