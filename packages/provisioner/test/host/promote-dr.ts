import t from 'tap'
import { hostPlan, stackHosts, UPSTREAM_BACKREST_CONF } from '../../src/host/host-plan.js'
import { configureHosts } from '../../src/host/configure.js'
import { promoteDr } from '../../src/host/promote-dr.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets = { 'superuser-password': 'a1', 'replication-password': 'b2', 'rewind-password': 'c3', 'app-password': 'd4', 'rest-password': 'e5' }

t.test('promotes the DR cluster, then repoints the app hosts one at a time behind the load balancer', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, sleep: async () => {} })
  for (const n of ['app1', 'app2']) f.host(n).unit('birthday-app.service').active = true
  const lb = f.loadBalancer()
  f.events.length = 0
  await t.rejects(promoteDr(stack, { sessions: f.sessions(), loadBalancer: lb, secrets, confirm: false }), { code: 'PROV_NOT_CONFIRMED' })
  const r = await promoteDr(stack, { sessions: f.sessions(), loadBalancer: lb, secrets, confirm: true, sleep: async () => {} })
  t.same(r, { promoted: 'dr1', repointed: ['app1', 'app2'] })
  t.same(f.events, ['dr1 promoted', 'dr1 stanza-create', 'lb deregister app1', 'app1 restart birthday-app.service', 'lb register app1', 'lb deregister app2', 'app2 restart birthday-app.service', 'lb register app2'])
  const env = f.host('app1').files.get('/etc/birthday-ha/app.env')!
  t.match(env.content, /\nPATRONI_URLS=http:\/\/10\.20\.10\.10:8008\nPGUSER=birthday_app\nPGPASSWORD='d4'\nPGDATABASE=birthday\n/)
  t.match(env, { mode: '600', owner: 'birthday:birthday' })
  t.same(await promoteDr(stack, { sessions: f.sessions(), loadBalancer: lb, secrets, confirm: true, sleep: async () => {} }), { promoted: 'dr1', repointed: [] }, 'a rerun changes nothing')
})

t.test('a DR host that does not become primary is PROV_HOST_UNHEALTHY', async (t) => {
  const f = new FakeHosts(stack)
  await t.rejects(promoteDr(stack, { sessions: f.sessions(), loadBalancer: f.loadBalancer(), secrets, confirm: true }), { code: 'PROV_SSH_COMMAND_FAILED' }, 'Patroni not running: the PATCH fails')
  await configureHosts(stack, { sessions: f.sessions(), secrets, sleep: async () => {} })
  const real = f.sessions()
  const sessions: typeof real = async (target) => {
    const s = await real(target)
    return { ...s, run: async (cmd: string, o?: { readonly stdin?: string }) => (cmd.includes('/primary') ? { stdout: '503', stderr: '' } : s.run(cmd, o)) }
  }
  await t.rejects(promoteDr(stack, { sessions, loadBalancer: f.loadBalancer(), secrets, confirm: true, pollAttempts: 2, pollIntervalMs: 1, sleep: async () => {} }), { code: 'PROV_HOST_UNHEALTHY', details: { host: 'dr1' } })
})

t.test('the DR host archives to a repository of its own, and reads the primary region\'s while it is a standby', async (t) => {
  const dr = stackHosts(stack).find((h) => h.role === 'dr-db')!
  const db1 = stackHosts(stack).find((h) => h.name === 'db1')!
  const file = (p: ReturnType<typeof hostPlan>, path: string) => p.files.find((f) => f.path === path)?.content
  const drPlan = hostPlan(stack, dr, secrets)
  const primaryRepo = file(hostPlan(stack, db1, secrets), '/etc/pgbackrest.conf')!
  t.equal(file(drPlan, UPSTREAM_BACKREST_CONF), primaryRepo, "the upstream config is the primary region's")
  t.match(file(drPlan, '/etc/pgbackrest.conf'), /repo1-path=\/birthday-ha\/[\w-]+-dr\n/, 'its own: a path of its own in the same bucket by default')
  t.match(file(drPlan, '/etc/birthday-ha/patroni.yml'), `restore_command: pgbackrest --config=${UPSTREAM_BACKREST_CONF} --stanza=`)
  const own = makeStack((s) => void (s.backups.drBucket = 'bday-dr-backups'))
  const ownDr = file(hostPlan(own, stackHosts(own).find((h) => h.role === 'dr-db')!, secrets), '/etc/pgbackrest.conf')!
  t.match(ownDr, `repo1-s3-bucket=bday-dr-backups\nrepo1-s3-region=${own.dr.region}\n`, 'a DR bucket lives in the DR region unless told otherwise')
  const posix = hostPlan(stack, dr, secrets, { backupRepository: { type: 'posix', path: '/srv/repo' } })
  t.match(file(posix, '/etc/pgbackrest.conf'), 'repo1-path=/srv/repo-dr\n')
  t.match(posix.install, 'install -d -o postgres -g postgres -m 0750 /srv/repo-dr')
})
