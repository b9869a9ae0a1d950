// The host configuration, end to end, on REAL Debian 13 systemd hosts: the lab of examples/lab.
// Runs only when a lab is up and named: BIRTHDAY_LAB_SSH=<lab state dir>/ssh (holding id_ed25519),
// BIRTHDAY_LAB_BASTION=<bastion public address>, BIRTHDAY_LAB_NODE_URL=<the lab's Node tarball URL>.
// It configures every host twice (the second run must change nothing), then checks the status.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { configureHosts } from '../../src/host/configure.js'
import { deployApp } from '../../src/host/deploy.js'
import type { Secrets } from '../../src/host/host-plan.js'
import { stackStatus } from '../../src/host/status.js'
import { PATRONI_TIMING_PROFILES } from '../../src/render/index.js'
import { openSsh, type SshSessionFactory } from '../../src/ssh/session.js'
import { stackSchema } from '../../src/stack/schema.js'

const sshDir = process.env['BIRTHDAY_LAB_SSH']
const bastion = process.env['BIRTHDAY_LAB_BASTION']
// Not in `npm test` (excluded in package.json: it needs a lab that is up); `npm run test:lab` runs the same path in CI.
if (sshDir === undefined || bastion === undefined) throw new Error("needs a running lab: set BIRTHDAY_LAB_SSH and BIRTHDAY_LAB_BASTION (see the README)")

t.test('configure real Debian 13 hosts twice; the second run changes nothing; the stack is healthy', { timeout: 900_000 }, async (t) => {
  const input = JSON.parse(readFileSync(new URL('../../../../examples/lab/stack.json', import.meta.url), 'utf8')) as { app: { nodeTarballUrl?: string } }
  if (process.env['BIRTHDAY_LAB_NODE_URL'] !== undefined) input['app'].nodeTarballUrl = process.env['BIRTHDAY_LAB_NODE_URL']
  const stack = stackSchema.parse(input)
  // The same secrets on every run: a rerun must find nothing to change.
  const secretsFile = join(sshDir, '..', 'provisioner-test-secrets.json')
  if (!existsSync(secretsFile)) {
    const gen = () => randomBytes(24).toString('base64url')
    writeFileSync(secretsFile, JSON.stringify({ 'superuser-password': gen(), 'replication-password': gen(), 'rewind-password': gen(), 'app-password': gen(), 'rest-password': gen() }), { mode: 0o600 })
  }
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Secrets
  const privateKey = readFileSync(join(sshDir, 'id_ed25519'), 'utf8')
  const sessions: SshSessionFactory = ({ host }) => openSsh({ host, username: 'admin', privateKey, sudo: true, jump: { host: bastion, username: 'admin', privateKey } })
  const env = { timing: PATRONI_TIMING_PROFILES.lab, backupRepository: { type: 'posix' as const, path: '/var/lib/pgbackrest-repo' } }
  const log = (e: { detail?: string }) => t.comment(`${new Date().toISOString()} ${e.detail}`)
  const t0 = Date.now()
  const first = await configureHosts(stack, { sessions, secrets, ...env, pollIntervalMs: 2000, onProgress: log })
  t.comment(`first run: ${(Date.now() - t0) / 1000} s, ${first.written.length} written, ${first.started.length} started, ${first.restarted.length} restarted`)
  const t1 = Date.now()
  const second = await configureHosts(stack, { sessions, secrets, ...env, pollIntervalMs: 2000, onProgress: log })
  t.comment(`second run: ${(Date.now() - t1) / 1000} s`)
  t.same({ written: second.written, started: second.started, restarted: second.restarted }, { written: [], started: [], restarted: [] }, 'a second run rewrites 0 files and restarts 0 units')

  // A release through the app unit (Node 24 from the stack's tarball, ProtectSystem=strict, app.env):
  // a stand-in service answering /readyz; the load balancer here only records the order.
  const dir = mkdtempSync(join(tmpdir(), 'lab-release-'))
  mkdirSync(join(dir, 'pkg'))
  writeFileSync(join(dir, 'pkg', 'main.js'), "require('node:http').createServer((q, s) => { s.writeHead(q.url === '/readyz' && process.env.PATRONI_URLS && process.env.PGPASSWORD && !process.env.DATABASE_URL ? 200 : 404); s.end(process.version) }).listen(Number(process.env.PORT), process.env.HOST)\n")
  execFileSync('tar', ['-czf', join(dir, 'release.tar.gz'), '-C', join(dir, 'pkg'), '.'])
  const order: string[] = []
  const lb = { deregister: async (_s: unknown, h: string) => void order.push(`out ${h}`), register: async (_s: unknown, h: string) => void order.push(`in ${h}`), health: async () => new Map(), url: async () => undefined }
  t.same(await deployApp(stack, { sessions, loadBalancer: lb, artifact: join(dir, 'release.tar.gz'), version: `t${Date.now()}`, pollIntervalMs: 1000 }), ['app1', 'app2'])
  t.same(order, ['out app1', 'in app1', 'out app2', 'in app2'], 'one host at a time')
  const third = await configureHosts(stack, { sessions, secrets, ...env, pollIntervalMs: 2000, loadBalancer: lb })
  t.same({ written: third.written, started: third.started, restarted: third.restarted }, { written: [], started: [], restarted: [] }, 'after a release: still nothing to change')

  const st = await stackStatus(stack, { sessions, loadBalancer: { health: async () => new Map() } })
  t.comment(JSON.stringify(st.members))
  t.same(st.problems.filter((p) => !p.includes('load balancer')), [], 'one leader, streaming replicas with one sync, a streaming DR standby leader, pgbackrest check ok')
})
