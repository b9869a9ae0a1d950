// The Cluster over a state file whose processes are all gone: every helper stays safe and bounded.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cluster } from '../src/cluster.js'
import { resolveLayout } from '../src/layout.js'
import { attachCluster } from '../src/start-cluster.js'
import { generateCredentials, readState, writeState, type ClusterState } from '../src/state-file.js'

const dir = await mkdtemp(join(tmpdir(), 'lc-cluster-'))
t.teardown(async () => await rm(dir, { recursive: true, force: true }))
// Ports nothing listens on: every REST probe fails fast.
const layout = resolveLayout({ dataDir: dir, basePort: 25460, etcdMembers: 1 })
const state: ClusterState = {
  version: 1, name: 'birthday', basePort: 25460, etcdMembers: 1, drReplica: false, patroni: '3',
  timing: layout.timing, synchronousMode: true, credentials: generateCredentials(),
  etcdPids: [null], patroniPids: {},
}

t.test('helpers on a cluster whose processes are gone, and without a state file', async (t) => {
  const logs: string[] = []
  const cluster = new Cluster(layout, state, (line) => logs.push(line))
  t.strictSame(cluster.patroniUrls, ['http://127.0.0.1:25480', 'http://127.0.0.1:25481', 'http://127.0.0.1:25482'])
  t.equal(cluster.pgConnectionString('pg2', 'superuser'),
    `postgresql://postgres:${encodeURIComponent(state.credentials.superuser.password)}@127.0.0.1:25471/postgres`)
  await t.rejects(cluster.leader(), { code: 'LC_NO_LEADER', message: 'want exactly one node answering /primary 200, got []' })
  await t.rejects(cluster.status(), { code: 'LC_REST_FAILED' })
  await t.rejects(cluster.hangLeader(), { code: 'LC_NO_LEADER' })
  await t.rejects(cluster.patroniPid('pg1'), { code: 'LC_UNKNOWN_MEMBER', message: 'pg1 is not running' })
  await cluster.killMember('pg1') // nothing runs: a no-op that records pg1 as stopped
  t.strictSame((await readState(layout))?.patroniPids, { pg1: null })
  await rm(layout.stateFile)
  await t.rejects(cluster.waitReady({ timeoutMs: 200 }), { code: 'LC_TIMEOUT', message: /0 nodes answer \/primary 200/ })
  await cluster.stopEtcdMember(0)
  // A postmaster.pid left by a killed node (its PID long gone), and no state file at all.
  await mkdir(layout.nodes[1]!.dataDir, { recursive: true })
  await writeFile(`${layout.nodes[1]!.dataDir}/postmaster.pid`, `${spawnSync('/bin/true').pid}\n`)
  await rm(layout.stateFile)
  await cluster.close()
  await cluster.close({ removeData: true })
  await t.rejects(stat(dir), { code: 'ENOENT' })
  t.strictSame(logs.slice(0, 2), ['killed pg1 (Patroni and postmaster, SIGKILL)', 'stopped etcd0'])
  t.strictSame(logs.slice(2, 5).map((l) => l.replace(/ after \d+ ms$/, '')).sort(), ['stopped pg1', 'stopped pg2', 'stopped pg3'])
  t.match(logs[5], /^stopped cluster birthday in \d+ ms$/)
})

t.test('attachCluster of a cluster started with restTls speaks HTTPS, with the files read; unreadable ones are named', async (t) => {
  const other = await mkdtemp(join(tmpdir(), 'lc-attach-tls-'))
  t.teardown(async () => await rm(other, { recursive: true, force: true }))
  const restTls = { caFile: join(other, 'ca.pem'), certFile: join(other, 'cert.pem'), keyFile: join(other, 'key.pem') }
  for (const file of Object.values(restTls)) await writeFile(file, 'PEM')
  await writeState(resolveLayout({ dataDir: other }), { ...state, basePort: 26300, restTls })
  const cluster = await attachCluster({ dataDir: other })
  t.strictSame(cluster.patroniUrls, ['https://127.0.0.1:26320', 'https://127.0.0.1:26321', 'https://127.0.0.1:26322'])
  await rm(restTls.keyFile)
  await t.rejects(attachCluster({ dataDir: other }), { code: 'LC_BAD_OPTIONS', message: `cannot read restTls.keyFile ${restTls.keyFile}` })
})

t.test('attachCluster by dataDir alone reads ports and members from the state file', async (t) => {
  const other = await mkdtemp(join(tmpdir(), 'lc-attach-'))
  t.teardown(async () => await rm(other, { recursive: true, force: true }))
  await t.rejects(attachCluster({ dataDir: other }), { code: 'LC_NO_STATE', message: /start one with: npm run cluster -- up/ })
  await writeState(resolveLayout({ dataDir: other }), { ...state, basePort: 25500, drReplica: true })
  const cluster = await attachCluster({ dataDir: other, name: 'birthday' })
  t.strictSame(cluster.patroniUrls.at(-1), 'http://127.0.0.1:25523')
  t.equal(cluster.env().PGUSER, 'birthday_app')
})
