import t from 'tap'
import { runLabCli } from '../../src/cli/lab-cli.js'
import { ProvisionerError } from '@birthday-ha/provisioner'

function io() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err }
}

t.test('--help exits 0 with the usage; --version prints the version', async (t) => {
  const a = io()
  t.equal(await runLabCli(['--help'], a.io, { version: '0.1.0', run: async () => 9 }), 0)
  t.match(a.out.join(''), /^Usage: npm run lab -- <command>/)
  const b = io()
  t.equal(await runLabCli(['--version'], b.io, { version: '0.1.0', run: async () => 9 }), 0)
  t.equal(b.out.join(''), '0.1.0\n')
})

t.test('a usage error says what was wrong, then the usage, exit 2; nothing runs', async (t) => {
  const a = io()
  let ran = false
  t.equal(await runLabCli(['power-off'], a.io, { version: '0', run: async () => { ran = true; return 0 } }), 2)
  t.match(a.err.join(''), /^lab: power-off takes one HOST\n\nUsage:/)
  t.notOk(ran)
})

t.test('the command runs and its exit code is returned; a thrown error is one line with its code, exit 1', async (t) => {
  const a = io()
  t.equal(await runLabCli(['status', '--json'], a.io, { version: '0', run: async (c) => (c.name === 'status' && c.json ? 0 : 5) }), 0)
  const b = io()
  t.equal(await runLabCli(['deploy'], b.io, { version: '0', run: async () => { throw new ProvisionerError('PROV_HOST_UNHEALTHY', 'app1 did not answer /readyz') } }), 1)
  t.equal(b.err.join(''), 'lab deploy: PROV_HOST_UNHEALTHY: app1 did not answer /readyz\n')
  const c = io()
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error thrown on purpose: the CLI must print it as is
  t.equal(await runLabCli(['down'], c.io, { version: '0', run: async () => { throw 'plain' } }), 1)
  t.equal(c.err.join(''), 'lab down: plain\n')
})
