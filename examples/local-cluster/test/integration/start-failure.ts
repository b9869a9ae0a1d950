// A Patroni that cannot start makes startCluster fail fast with its log, and leaves no process.
import t from 'tap'
import { chmod, mkdir, readFile, rm } from 'node:fs/promises'
import { startCluster } from '../../src/index.js'
import { isAlive } from '../../src/processes.js'
import { recordedProcesses } from './fixtures/recorded.js'

const parent = '/tmp/lc-start-failure'
const options = { name: 'it-fail', basePort: 25400, etcdMembers: 1, dataDir: `${parent}/cluster` } as const
t.teardown(async () => await rm(parent, { recursive: true, force: true }))

t.test('postgres cannot reach its config: LC_PROCESS_EXITED, everything stopped', async (t) => {
  await mkdir(parent, { recursive: true })
  await chmod(parent, 0o700) // root-only: Patroni runs as postgres and cannot open patroni.yml below
  const err = await startCluster(options).catch((e: unknown) => e)
  t.match(err, { code: 'LC_PROCESS_EXITED', message: /^Patroni of pg\d exited; see \/tmp\/lc-start-failure\/cluster\/nodes\/pg\d\/patroni.log:\n/ })
  const records = await recordedProcesses(options)
  t.ok(records.length >= 1, 'etcd at least was recorded')
  for (const r of records) {
    const alive = await isAlive(r)
    const proc = alive ? await readFile(`/proc/${r.pid}/stat`, 'utf8').catch(() => '') : ''
    t.notOk(alive, `pid ${r.pid} (${r.marker}) is gone ${proc}`)
  }
})
