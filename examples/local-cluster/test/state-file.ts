import t from 'tap'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveLayout } from '../src/layout.js'
import { generateCredentials, readState, writeState, type ClusterState } from '../src/state-file.js'

const dir = await mkdtemp(join(tmpdir(), 'lc-state-'))
t.teardown(async () => await rm(dir, { recursive: true, force: true }))
const layout = resolveLayout({ dataDir: dir })

t.test('credentials are random and distinct', async (t) => {
  const a = generateCredentials()
  const b = generateCredentials()
  t.not(a.app.password, b.app.password)
  t.not(a.superuser.password, a.replication.password)
  t.match(a.app.password, /^[A-Za-z0-9_-]{24}$/)
  t.strictSame([a.superuser.user, a.app.user, a.app.database, a.restApi.username], ['postgres', 'birthday_app', 'birthday', 'patroni'])
})

t.test('round trip, mode 0600; missing file is undefined', async (t) => {
  t.equal(await readState(layout), undefined)
  const state: ClusterState = {
    version: 1, name: 'birthday', basePort: 25000, etcdMembers: 3, drReplica: false, patroni: '4',
    timing: { ttl: 10, loop_wait: 1, retry_timeout: 4 }, synchronousMode: true, credentials: generateCredentials(),
    etcdPids: [1, null, 3], patroniPids: { pg1: 10, pg2: null },
  }
  await writeState(layout, state)
  t.strictSame(await readState(layout), state)
  t.equal((await stat(layout.stateFile)).mode & 0o777, 0o600)
  const { patroni: _, ...older } = state // a file written before the patroni option
  await writeFile(layout.stateFile, JSON.stringify(older))
  t.strictSame(await readState(layout), { ...state, patroni: '3' }, 'no patroni recorded: Patroni 3')
})

t.test('garbage, a wrong version or an unreadable file is LC_NO_STATE', async (t) => {
  await writeFile(layout.stateFile, 'not json')
  await t.rejects(readState(layout), { code: 'LC_NO_STATE' })
  await writeFile(layout.stateFile, '{"version":2}')
  await t.rejects(readState(layout), { code: 'LC_NO_STATE', message: /not a harness state file/ })
  await writeFile(layout.stateFile, '{"version":1,"patroni":"5"}')
  const err = await readState(layout).catch((e: unknown) => e)
  t.match(err, { code: 'LC_NO_STATE', message: /not a harness state file/ })
  t.match((err as Error).cause, { message: 'unknown patroni "5"' })
  const dirLayout = resolveLayout({ dataDir: join(dir, 'sub') })
  await mkdir(dirLayout.stateFile, { recursive: true })
  await t.rejects(readState(dirLayout), { code: 'LC_NO_STATE', message: /cannot read/ })
})
