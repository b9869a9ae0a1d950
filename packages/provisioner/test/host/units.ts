import t from 'tap'
import { configureHosts } from '../../src/host/configure.js'
import { hostPlan, stackHosts, type Secrets } from '../../src/host/host-plan.js'
import { FOLLOWS_DR, patroniUnit, SOCKET_DIR } from '../../src/host/units.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets: Secrets = { 'superuser-password': 'a', 'replication-password': 'b', 'rewind-password': 'c', 'app-password': 'd', 'rest-password': 'e' }
const fast = { sleep: async () => {}, pollAttempts: 3 }
const service = (content: string): string[] => content.split('\n[Service]\n')[1]!.split('\n[')[0]!.split('\n')

// Found on a real Debian 13 host: after a power cut + boot, Patroni crash-looped with
// `'/var/run/birthday-ha' is defined in unix_socket_directories, couldn't create the directory`
// (/run is a tmpfs; only the install script had made the directory).
t.test('the Patroni unit recreates PostgreSQL socket directory on every start, and keeps it across restarts', async (t) => {
  const lines = service(patroniUnit().content)
  t.ok(lines.includes('RuntimeDirectory=birthday-ha'), 'created below /run by systemd, owned by User=/Group=')
  t.ok(lines.includes('RuntimeDirectoryMode=0700'))
  t.ok(lines.includes('RuntimeDirectoryPreserve=yes'), 'not removed under a running PostgreSQL when Patroni stops or restarts')
  t.equal(SOCKET_DIR, '/var/run/birthday-ha')
  t.equal(SOCKET_DIR.replace(/^\/var\/run\//, '/run/'), `/run/${lines.find((l) => l.startsWith('RuntimeDirectory='))!.split('=')[1]}`)
  for (const h of stackHosts(stack).filter((h) => h.role === 'db' || h.role === 'dr-db')) {
    const p = hostPlan(stack, h, secrets)
    const yml = p.files.find((f) => f.path.endsWith('/patroni.yml'))!.content
    t.match(yml, `unix_socket_directories: ${SOCKET_DIR}`, `${h.name}: PostgreSQL's socket is in the unit's runtime directory`)
    t.match(p.files.find((f) => f.path.endsWith('/pgbackrest.conf'))!.content, `pg1-socket-path=${SOCKET_DIR}`)
    t.notMatch(p.install, SOCKET_DIR, 'the install script no longer makes it (it would be gone after the next boot anyway)')
  }
})

t.test('hosts configured with the older Patroni unit: only the unit file is rewritten, Patroni restarts replicas first, then 0/0', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  const path = patroniUnit().path
  const old = patroniUnit().content.split('\n').filter((l) => !l.startsWith('RuntimeDirectory')).join('\n')
  for (const name of ['db1', 'db2', 'db3', 'dr1']) {
    const h = f.hosts.get(name)!
    h.files.set(path, { ...h.files.get(path)!, content: old })
    h.unit('birthday-patroni.service').runsWith = h.configOf('birthday-patroni.service') // running with the old unit
  }
  f.events.length = 0
  const r = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same([...r.written].sort(), ['db1', 'db2', 'db3', 'dr1'].map((h) => `${h}:${path}`))
  t.same(r.restarted, ['db2:birthday-patroni.service', 'db3:birthday-patroni.service', 'db1:birthday-patroni.service', 'dr1:birthday-patroni.service'])
  t.same(r.started, [])
  t.same(f.violations, [], 'no leader was restarted while leading')
  t.same([...f.hosts.values()].flatMap((h) => h.stale()), [], 'every Patroni runs with the new unit')
  const again = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same({ written: again.written, restarted: again.restarted, started: again.started }, { written: [], restarted: [], started: [] })
})

// The fence's command, run as systemd would run it (after unescaping %% and $$) against a real HTTP server.
t.test("the primary region's fence: Patroni starts unless the DR host answers /primary 200, or the host follows it", async (t) => {
  const { createServer } = await import('node:http')
  const { spawn } = await import('node:child_process')
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  let status = 503
  const server = createServer((_req, res) => res.writeHead(status).end())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const marker = `${mkdtempSync(`${tmpdir()}/fence-`)}/follows-dr`
  const line = service(patroniUnit({ fenceWhilePrimary: `http://127.0.0.1:${port}/primary` }).content).find((l) => l.startsWith('ExecCondition='))!
  const script = /^ExecCondition=\/bin\/sh -c '(.*)'$/.exec(line)![1]!.replaceAll('%%', '%').replaceAll('$$', '$').replace(FOLLOWS_DR, marker)
  // async: the server in this process must answer while the shell runs
  const exit = (cmd = script): Promise<number | null> => new Promise((r) => spawn('/bin/sh', ['-c', cmd]).on('exit', r))
  t.equal(await exit(), 0, 'the DR host is a standby (503): start')
  status = 200
  t.equal(await exit(), 1, 'the DR host is the primary: skip the start (1, not a failure)')
  writeFileSync(marker, 'x')
  t.equal(await exit(), 0, 'rebuilt to follow it: start')
  server.close()
  t.equal(await exit(script.replace(marker, `${marker}.absent`)), 0, 'the DR host unreachable: start')
  t.notOk(service(patroniUnit().content).some((l) => l.startsWith('ExecCondition=')), 'the DR host itself has no fence')
  const db1 = hostPlan(stack, stackHosts(stack).find((h) => h.name === 'db1')!, secrets)
  t.match(db1.files.find((f) => f.path === patroniUnit().path)!.content, /ExecCondition=.*http:\/\/10\.\d+\.10\.10:8008\/primary/, "db hosts ask the DR host's own address")
})
