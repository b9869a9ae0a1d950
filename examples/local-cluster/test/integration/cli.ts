// The CLI end to end: `node dist/cli.js` subprocesses (up exits and leaves the cluster running),
// and runCli in-process for the other commands and the error paths.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { attachCluster } from '../../src/index.js'
import { runCli } from '../../src/cli-main.js'
import { resolveLayout } from '../../src/layout.js'
import { isAlive } from '../../src/processes.js'
import { recordedProcesses } from './fixtures/recorded.js'

const name = 'it-cli'
const layout = resolveLayout({ name, basePort: 25300 })
const cliJs = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))
// On failure: stop the processes but keep the data dir (logs) for inspection; the next run wipes it.
t.teardown(async () => {
  if (t.passing()) await runCli(['down', '--name', name], { out: () => {}, err: () => {} })
  else await (await attachCluster({ name })).close()
})

interface Run { code: number; out: string; err: string }

const spawnCli = async (...args: string[]): Promise<Run> => await new Promise((resolve) => {
  execFile(process.execPath, [cliJs, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
    resolve({ code: error === null ? 0 : (error.code as number), out: stdout, err: stderr })
  })
})

const cli = async (...args: string[]): Promise<Run> => {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli([...args, '--name', name], { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

const secrets = async (): Promise<string[]> => {
  const state = JSON.parse(await readFile(layout.stateFile, 'utf8')) as { credentials: Record<string, { password: string }> }
  return Object.values(state.credentials).map((c) => c.password)
}

t.test('`up` (subprocess) over a junk data dir starts the cluster, exits, and leaves it running', async (t) => {
  await rm(layout.dataDir, { recursive: true, force: true })
  await mkdir(layout.dataDir, { recursive: true })
  await writeFile(`${layout.dataDir}/junk`, 'left by a crash')
  const up = await spawnCli('up', '--name', name, '--base-port', '25300', '--etcd', '1', '--no-sync')
  t.equal(up.code, 0, 'exit 0')
  t.match(up.out, /^cluster it-cli is up; leader pg\d on 127\.0\.0\.1:253\d\d$/m)
  t.match(up.err, /cleaning up a previous cluster[^]*ready in [\d.]+ s/)
  for (const secret of await secrets()) t.notOk(up.out.includes(secret) || up.err.includes(secret), 'no secret printed')
  t.equal((await stat(layout.stateFile)).mode & 0o777, 0o600, 'state file is 0600')
  const status = await spawnCli('status', '--name', name)
  t.equal(status.code, 0)
  t.match(status.out, /^MEMBER\s+HOST\s+ROLE\s+STATE\s+TL\s+LAG \(bytes\)$/m)
  t.equal(status.out.trim().split('\n').length, 4)
  t.match(status.out, /^pg\d\s+127\.0\.0\.1:2531\d\s+leader\s+running\s+1\s+-$/m)
  const env = await spawnCli('env', '--name', name)
  t.equal(env.code, 0)
  const app = (await attachCluster({ name })).credentials.app
  t.equal(env.out, [
    "export PATRONI_URLS='http://127.0.0.1:25320,http://127.0.0.1:25321,http://127.0.0.1:25322'",
    `export PGUSER='${app.user}'`, `export PGPASSWORD='${app.password}'`, `export PGDATABASE='${app.database}'`, '',
  ].join('\n'))
})

t.test('`up` again cleans the previous cluster up (killed member, stopped etcd) and starts afresh', async (t) => {
  const replica = (await (await attachCluster({ name })).status()).find((m) => m.role !== 'leader')!.name
  t.match(await cli('kill-member', replica), { code: 0, out: `killed ${replica}` })
  t.match(await cli('stop-etcd-member', '0'), { code: 0, out: 'stopped etcd member 0' })
  const old = await recordedProcesses({ name })
  const oldSecrets = await secrets()
  const up = await cli('up', '--base-port', '25300', '--etcd', '1', '--no-sync')
  t.equal(up.code, 0, 'exit 0')
  for (const r of old) t.notOk(await isAlive(r), `old pid ${r.pid} is gone`)
  t.not((await secrets())[0], oldSecrets[0], 'fresh secrets')
  t.match(await cli('stop-etcd-member', '0'), { code: 0 })
  t.match(await cli('start-etcd-member', '0'), { code: 0, out: 'started etcd member 0' })
})

t.test('switchover, kill-leader, start-member, hang-leader and resume', async (t) => {
  const any = await cli('switchover')
  t.match(any, { code: 0, out: /^switched over from pg\d to pg\d$/ })
  const target = (await (await attachCluster({ name })).status()).find((m) => m.role !== 'leader')!.name
  t.match(await cli('switchover', '--candidate', target), { code: 0, out: new RegExp(`to ${target}$`) })
  // Killing a leader ~1 s after its promotion can make Patroni 3.0.2 reuse a timeline ID (see the
  // README): let the replicas stream from it first.
  await (await attachCluster({ name })).waitReady()
  const killed = await cli('kill-leader')
  t.match(killed, { code: 0, out: `killed leader ${target} at ` })
  // Restarted within the TTL, a killed leader would simply keep its key: wait for the failover first.
  await (await attachCluster({ name })).waitReady()
  t.match(await cli('start-member', target), { code: 0, out: `started ${target}; wait for it with: npm run cluster -- status` })
  await (await attachCluster({ name })).waitReady()
  const reinit = await cli('reinit-member', target)
  t.match(reinit, { code: 0, out: `reinitialized ${target}` }, reinit.err)
  await (await attachCluster({ name })).waitReady()
  const hung = await cli('hang-leader')
  t.match(hung, { code: 0, out: /^froze Patroni of leader pg\d at .*; end it with: npm run cluster -- resume$/ })
  t.match(await cli('resume'), { code: 0, out: 'resumed: [pg1, pg2, pg3]' })
})

t.test('bad input exits 2, failures exit 1, each with one message', async (t) => {
  t.match(await cli('bogus'), { code: 2, err: /^error: unknown command "bogus"\nusage:/ })
  t.match(await cli('up', '--base-port', '80'), { code: 2, err: /^error \(LC_BAD_OPTIONS\): basePort must be/ })
  t.match(await runCli(['down', '--name', 'Bad Name'], { out: () => {}, err: (l) => t.match(l, /LC_BAD_OPTIONS/) }), 2)
  t.match(await cli('start-member', 'pg9'), { code: 1, err: /^error \(LC_UNKNOWN_MEMBER\): no member "pg9"/ })
  const missing = await runCli(['status', '--name', 'never-started'], { out: () => {}, err: (l) => t.match(l, /LC_NO_STATE/) })
  t.equal(missing, 1)
  const crash = await runCli(['down', '--name', 'never-started'], { out: () => { throw new Error('stdout closed') }, err: (l) => t.equal(l, 'error (ERROR): stdout closed') })
  t.equal(crash, 1)
  const usage = await spawnCli()
  t.equal(usage.code, 2)
  t.match(usage.err, /error: missing command/)
})

t.test('`down` (subprocess) stops every recorded process and removes the data dir; again is a no-op', async (t) => {
  const records = await recordedProcesses({ name })
  t.equal(records.length, 7)
  const down = await spawnCli('down', '--name', name)
  t.equal(down.code, 0, 'exit 0')
  t.equal(down.out, 'cluster it-cli stopped and its data dir removed\n')
  for (const r of records) t.notOk(await isAlive(r), `pid ${r.pid} is gone`)
  await t.rejects(stat(layout.dataDir), { code: 'ENOENT' })
  t.match(await cli('down'), { code: 0, out: 'no cluster to stop' })
})
