import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderHaproxyConfig, startHaproxy } from '../src/haproxy.js'
import { isAlive } from '../src/processes.js'

t.snapshotFile = new URL('./snapshots/haproxy.cjs', import.meta.url)

const backends = [
  { name: 'pg1', host: '127.0.0.1', port: 25410, checkPort: 25420 },
  { name: 'pg2', host: '127.0.0.1', port: 25411, checkPort: 25421 },
]

t.test('renders the config Patroni recommends', async (t) => {
  const cfg = renderHaproxyConfig({ port: 25430, backends, mode: 'patroni-primary' })
  t.matchSnapshot(cfg, 'haproxy.cfg')
  t.match(cfg, 'option httpchk OPTIONS /primary')
  t.match(cfg, 'http-check expect status 200')
  t.match(cfg, 'default-server inter 3000ms fall 3 rise 2 on-marked-down shutdown-sessions')
  const replica = renderHaproxyConfig({ port: 25431, backends, mode: 'patroni-replica', check: { interMs: 500, fall: 2, rise: 1 } })
  t.match(replica, 'option httpchk OPTIONS /replica')
  t.match(replica, 'default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions')
  const tuned = renderHaproxyConfig({ port: 25431, backends, mode: 'patroni-primary', check: { interMs: 1000, fastInterMs: 250, fall: 2, rise: 1 } })
  t.match(tuned, 'default-server inter 1000ms fastinter 250ms fall 2 rise 1 on-marked-down shutdown-sessions', 'as its users tune it')
})

t.test('starts, listens, and stops by PID; close() is idempotent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-haproxy-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const proxy = await startHaproxy({ port: 25432, backends, mode: 'patroni-primary', dir })
  t.equal(proxy.configFile, join(dir, 'haproxy.cfg'))
  t.match(await readFile(proxy.configFile, 'utf8'), 'bind 127.0.0.1:25432')
  t.ok(await isAlive({ pid: proxy.pid, marker: proxy.configFile }))
  await proxy.close()
  await proxy[Symbol.asyncDispose]()
  t.notOk(await isAlive({ pid: proxy.pid, marker: proxy.configFile }))
})

t.test('fails fast when haproxy exits (unresolvable backend), and on no backends', async (t) => {
  const bad = [{ name: 'pg9', host: 'no-such-host.invalid', port: 1, checkPort: 2 }]
  await t.rejects(startHaproxy({ port: 25433, backends: bad, mode: 'patroni-primary' }), { code: 'LC_PROCESS_EXITED', message: /haproxy exited/ })
  await t.rejects(startHaproxy({ port: 25434, backends: [], mode: 'patroni-primary' }), { code: 'LC_BAD_OPTIONS' })
})
