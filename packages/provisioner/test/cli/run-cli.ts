import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { EXIT, runCli } from '../../src/cli/run-cli.js'
import { dryRunSessions } from '../../src/ssh/dry-run.js'
import { FakeAws } from '../targets/aws/fixtures/fake-aws.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { exampleInput, makeStack } from '../fixtures/stack.js'

const dir = mkdtempSync(join(tmpdir(), 'cli-'))
const stackFile = join(dir, 'stack.json')
writeFileSync(stackFile, JSON.stringify(exampleInput))
writeFileSync(join(dir, 'id'), 'KEY')
writeFileSync(join(dir, 'app.tar.gz'), 'x')
const badFile = join(dir, 'bad.json')
writeFileSync(badFile, JSON.stringify({ ...exampleInput, operatorCidr: '0.0.0.0/0', app: { ...exampleInput.app, count: 1 } }))

function io(fake = new FakeAws(), respond?: (host: string, cmd: string) => string) {
  const stdout: string[] = []
  const stderr: string[] = []
  const sshUsed: string[] = []
  const hosts = new FakeHosts(makeStack())
  return {
    fake, stdout, stderr, sshUsed, hosts,
    io: {
      clients: fake.clients,
      sessions: (o: { bastion: string; privateKey: string; username: string }) => {
        sshUsed.push(`${o.username}@${o.bastion} key=${o.privateKey}`)
        return respond === undefined ? hosts.sessions() : dryRunSessions({ secrets: [], print: () => {}, respond })
      },
      stdout: (s: string) => void stdout.push(s),
      stderr: (s: string) => void stderr.push(s),
      // The fake AWS's states move on its own clock: sleeping advances it.
      sleep: fake.sleep,
      renderer: 'silent' as const,
      env: { HOME: dir },
    },
  }
}

t.test('usage errors exit 2', async (t) => {
  const x = io()
  t.equal(await runCli([], x.io), EXIT.usage)
  t.equal(await runCli(['plan'], x.io), EXIT.usage)
  t.equal(await runCli(['frobnicate', '--stack', stackFile], x.io), EXIT.usage)
  t.equal(await runCli(['plan', '--bogus'], x.io), EXIT.usage)
  t.match(x.stderr.join(''), /^missing command\nusage: .*\nmissing --stack <file>\nusage: .*\nunknown command "frobnicate"\nusage: /s, 'what was wrong, before the usage')
  t.equal(await runCli(['--version'], x.io), EXIT.ok)
  t.match(x.stdout.join(''), /^\d+\.\d+\.\d+\n$/)
  t.equal(await runCli(['--help'], x.io), EXIT.ok)
  t.match(x.stdout.join(''), /usage: birthday-ha-provision/)
})

t.test('an invalid stack file is reported field by field (exit 2)', async (t) => {
  const x = io()
  t.equal(await runCli(['plan', '--stack', badFile], x.io), EXIT.usage)
  t.match(x.stderr.join(''), /operatorCidr: must be \/16 to \/32[\s\S]*app\.count: at least 2/)
  t.equal(await runCli(['plan', '--stack', badFile, '--json'], x.io), EXIT.usage)
  t.match(JSON.parse(x.stdout.at(-1)!), { error: 'PROV_INVALID_STACK', issues: [{ path: 'operatorCidr' }, { path: 'app.count' }] })
})

t.test('plan, apply (with dry-run hosts), status, deploy, promote-dr, destroy', async (t) => {
  const x = io()
  const { sleep: _sleep, ...withoutSleep } = x.io
  t.equal(await runCli(['plan', '--stack', stackFile], withoutSleep), EXIT.ok, 'the default sleep (plan makes no wait)')
  t.match(x.stdout.at(-1), /to create/)
  t.equal(await runCli(['status', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.failure, 'status before apply: no bastion')
  t.match(x.stderr.at(-1), /PROV_MISSING_RESOURCE/)
  t.equal(await runCli(['apply', '--stack', stackFile, '--skip-hosts'], x.io), EXIT.ok)
  t.equal(await runCli(['status', '--stack', stackFile, '--identity', join(dir, 'missing')], x.io), EXIT.failure)
  t.match(x.stderr.at(-1), /PROV_SSH_CONNECT_FAILED: cannot read the SSH identity/)
  t.equal(await runCli(['status', '--stack', stackFile], { ...x.io, env: {} }), EXIT.failure, 'default identity under /root')
  t.equal(await runCli(['apply', '--stack', stackFile, '--dry-run'], x.io), EXIT.ok)
  t.match(x.stdout.join(''), /\[db1\] write \/etc\/birthday-ha\/patroni.yml/)
  for (const s of x.fake.secretsSeen) t.notOk(x.stdout.join('').includes(s), 'no secret printed')
  t.equal(await runCli(['apply', '--stack', stackFile, '--json', '--skip-hosts'], x.io), EXIT.ok)
  t.match(JSON.parse(x.stdout.at(-1)!), { aws: { created: [], deleted: [] } })
  t.equal(await runCli(['apply', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.ok)
  t.match(x.sshUsed.at(-1), /^admin@203\.0\.113\.\d+ key=KEY$/)
  t.match(x.stdout.at(-1), /hosts configured, leader db1: \d+ files written, 12 units started, 0 units restarted/)
  t.equal(await runCli(['apply', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /leader db1: 0 files written, 0 units started, 0 units restarted/, 'a second apply changes nothing')
  t.equal(await runCli(['status', '--stack', stackFile, '--json', '--identity', join(dir, 'id')], x.io), EXIT.ok)
  const st = JSON.parse(x.stdout.at(-1)!)
  t.match(st, {
    healthy: true, backups: 'ok',
    members: [{ name: 'db1', role: 'leader' }, { name: 'db2', role: 'sync_standby', state: 'streaming' }, { name: 'db3', role: 'replica' }, { name: 'dr1', role: 'standby_leader', state: 'streaming' }],
    apps: [{ name: 'app1', health: 'healthy' }, { name: 'app2', health: 'healthy' }],
  })
  t.equal(await runCli(['status', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /app1\s+app\s+10\.10\.10\.20\s+healthy/)
  t.equal(await runCli(['deploy', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.usage)
  t.equal(await runCli(['deploy', '--stack', stackFile, '--identity', join(dir, 'id'), '--artifact', join(dir, 'app.tar.gz'), '--release', 'r1'], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /released r1 on app1, app2/)
  t.match(x.stderr.join(''), /app1: deregister\n/)
  t.equal(await runCli(['promote-dr', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.usage, 'needs --yes')
  t.equal(await runCli(['promote-dr', '--stack', stackFile, '--identity', join(dir, 'id'), '--yes'], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /DR host dr1 promoted: eu-central-1 is now the primary; app hosts repointed: app1, app2/)
  t.equal(await runCli(['promote-dr', '--stack', stackFile, '--identity', join(dir, 'id'), '--yes'], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /app hosts repointed: none/, 'a rerun: already pointing at DR')
  t.equal(await runCli(['fail-back', '--stack', stackFile, '--identity', join(dir, 'id'), '--yes'], x.io), EXIT.failure, 'fail-back before rebuild-primary')
  t.match(x.stderr.at(-1), /PROV_WRONG_STATE: the primary region has no standby leader: run rebuild-primary first/)
  t.equal(await runCli(['rebuild-primary', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.usage, 'needs --yes')
  t.equal(await runCli(['rebuild-primary', '--stack', stackFile, '--identity', join(dir, 'id'), '--yes'], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /db1, db2, db3 rebuilt as a standby cluster of eu-central-1, standby leader db1; db1 still ran as a primary when stopped: the fence had not held; next: fail-back/)
  t.equal(await runCli(['rebuild-primary', '--stack', stackFile, '--identity', join(dir, 'id'), '--yes', '--json'], x.io), EXIT.ok, 'again: nothing was a primary')
  t.match(JSON.parse(x.stdout.at(-1)!), { rebuilt: ['db1', 'db2', 'db3'], wasPrimary: [] })
  t.equal(await runCli(['fail-back', '--stack', stackFile, '--identity', join(dir, 'id'), '--yes'], x.io), EXIT.ok)
  t.match(x.stdout.at(-1), /^eu-west-1 is the primary again, leader db1 \(no writer for [\d.]+ s, handed over at 0\/3000148\); the DR host is its standby; app hosts repointed: app1, app2\n$/)
  t.equal(await runCli(['status', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.ok, 'healthy after the way back')
  x.hosts.host('db2').unit('birthday-patroni.service').active = false
  t.equal(await runCli(['status', '--stack', stackFile, '--identity', join(dir, 'id')], x.io), EXIT.unhealthy, 'an unhealthy stack exits 4')
  t.match(x.stdout.at(-1), /problems: .*db2 is unreachable/)
  t.equal(await runCli(['destroy', '--stack', stackFile], x.io), EXIT.usage, 'needs --yes')
  t.equal(await runCli(['destroy', '--stack', stackFile, '--yes'], x.io), EXIT.ok)
  t.same(x.fake.live(), [])
  t.equal(await runCli(['destroy', '--stack', stackFile, '--yes', '--json'], x.io), EXIT.ok)
  t.equal(await runCli(['deploy', '--stack', stackFile, '--identity', join(dir, 'id'), '--artifact', 'a', '--release', 'r'], x.io), EXIT.failure)
})

t.test('exit codes: credentials 3, unhealthy host 4', async (t) => {
  const x = io()
  x.fake.fail('DescribeVpcs', 'CredentialsProviderError')
  t.equal(await runCli(['plan', '--stack', stackFile], x.io), EXIT.credentials)
  const y = io(new FakeAws(), () => '503')
  t.equal(await runCli(['apply', '--stack', stackFile, '--identity', join(dir, 'id')], { ...y.io, sleep: async () => {} }), EXIT.unhealthy)
  const z = io()
  await runCli(['apply', '--stack', stackFile, '--skip-hosts'], z.io)
  const w = io(z.fake, () => '503')
  t.equal(await runCli(['promote-dr', '--stack', stackFile, '--yes', '--identity', join(dir, 'id'), '--json'], w.io), EXIT.unhealthy)
  t.match(JSON.parse(w.stdout.at(-1)!), { error: 'PROV_HOST_UNHEALTHY' })
})

t.test('deploy without a target group; unexpected errors propagate', async (t) => {
  const x = io()
  await runCli(['apply', '--stack', stackFile, '--skip-hosts'], x.io)
  const tg = x.fake.ofType('tg')[0]!
  tg.data['state'] = 'deleted'
  const args = ['deploy', '--stack', stackFile, '--identity', join(dir, 'id'), '--artifact', join(dir, 'app.tar.gz'), '--release', 'r']
  t.equal(await runCli(args, x.io), EXIT.failure)
  t.match(x.stderr.at(-1), /PROV_MISSING_RESOURCE: target group .* does not exist yet/)
  tg.data['state'] = undefined
  const broken = { ...x.io, sessions: () => () => Promise.reject(new TypeError('bug')) }
  await t.rejects(runCli(args, broken), TypeError)
})

t.test('apply refuses a replacement unless --replace', async (t) => {
  const x = io()
  t.equal(await runCli(['apply', '--stack', stackFile, '--skip-hosts'], x.io), EXIT.ok)
  const bigger = join(dir, 'bigger.json')
  writeFileSync(bigger, JSON.stringify({ ...exampleInput, instanceTypes: { ...exampleInput.instanceTypes, db: 'm7i.xlarge' } }))
  t.equal(await runCli(['apply', '--stack', bigger, '--skip-hosts'], x.io), EXIT.failure)
  t.match(x.stderr.at(-1), /PROV_NEEDS_REPLACEMENT: .*instance type .*m7i\.xlarge.*--replace/)
  t.equal(await runCli(['apply', '--stack', bigger, '--skip-hosts', '--replace'], x.io), EXIT.ok)
  t.equal(await runCli(['apply', '--stack', bigger, '--skip-hosts'], x.io), EXIT.ok, 'replaced: nothing left to refuse')
})
