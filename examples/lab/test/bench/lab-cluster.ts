// labBenchCluster against real HTTP servers answering GET /cluster with the shapes of Patroni's REST
// API documentation (https://patroni.readthedocs.io/en/latest/rest_api.html#cluster-status-endpoints).
import { createServer, type Server } from 'node:http'
import t from 'tap'
import { isReady, labBenchCluster, majorityLeader } from '../../src/bench/lab-cluster.js'
import type { PatroniMember } from '../../src/drills/patroni-view.js'

const m = (name: string, role: string, state: string, timeline = 3): PatroniMember => ({ name, role, state, timeline })
const healthy = [m('db1', 'leader', 'running'), m('db2', 'sync_standby', 'streaming'), m('db3', 'replica', 'streaming')]

t.test('majorityLeader: a lone stale view does not decide', async (t) => {
  const moved = [m('db1', 'replica', 'running'), m('db2', 'leader', 'running'), m('db3', 'sync_standby', 'streaming')]
  t.equal(majorityLeader([healthy, healthy, undefined], 3), 'db1')
  t.equal(majorityLeader([healthy, moved, moved], 3), 'db2', "the cut-off leader's own view is outvoted")
  t.equal(majorityLeader([healthy, moved, undefined], 3), undefined, 'one view each: no majority')
  t.equal(majorityLeader([[m('db2', 'replica', 'streaming')], undefined, undefined], 3), undefined, 'no leader key')
})

t.test('isReady: one leader running, the others streaming on its timeline, one the sync standby', async (t) => {
  t.equal(isReady(healthy, 3), true)
  t.equal(isReady(healthy.slice(0, 2), 3), false, 'a member missing from the view (the old leader not back yet)')
  t.equal(isReady([healthy[0]!, m('db2', 'replica', 'streaming'), healthy[2]!], 3), false, 'no sync standby')
  t.equal(isReady([healthy[0]!, healthy[1]!, m('db3', 'replica', 'starting')], 3), false, 'a replica still starting')
  t.equal(isReady([healthy[0]!, healthy[1]!, m('db3', 'replica', 'streaming', 2)], 3), false, 'a replica on the old timeline')
  t.equal(isReady([m('db1', 'leader', 'starting'), healthy[1]!, healthy[2]!], 3), false, 'the leader not running yet')
  t.equal(isReady([m('db2', 'sync_standby', 'streaming'), m('db3', 'replica', 'streaming')], 2), false, 'no leader')
})

/** Three members on 127.0.91.1-3, one port; `views[i]()` is what member i answers (undefined: it hangs up). */
async function members(views: (() => readonly PatroniMember[] | undefined)[]): Promise<{ port: number; servers: Server[] }> {
  const servers: Server[] = []
  let port = 0
  for (const [i, view] of views.entries()) {
    const server = createServer((req, res) => {
      const v = view()
      if (req.url !== '/cluster' || v === undefined) return void res.socket?.destroy()
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ members: v, scope: 'bday-lab' }))
    })
    await new Promise<void>((resolve) => server.listen(port, `127.0.91.${i + 1}`, resolve))
    port = (server.address() as { port: number }).port
    servers.push(server)
  }
  return { port, servers }
}
const close = (servers: Server[]): Promise<unknown> => Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
const db = [{ name: 'db1', ip: '127.0.91.1' }, { name: 'db2', ip: '127.0.91.2' }, { name: 'db3', ip: '127.0.91.3' }]
const creds = { user: 'bday app', password: 'p@ss/word', database: 'bday' }

t.test('leader, waitReady and the connection string, over real HTTP', async (t) => {
  let polls = 0
  // db3 rejoins: "starting" for the first polls, then streaming (states change over time, as Patroni's do).
  const rejoining = () => (++polls < 4 ? [healthy[0]!, healthy[1]!, m('db3', 'replica', 'starting')] : healthy)
  const { port, servers } = await members([() => healthy, rejoining, () => undefined])
  t.teardown(() => close(servers))
  const c = labBenchCluster(db, creds, { restPort: port, pollMs: 10 })
  t.strictSame(c.patroniUrls, [1, 2, 3].map((i) => `http://127.0.91.${i}:${port}`))
  t.strictSame(await c.members(), db.map((h, i) => ({ name: h.name, host: h.ip, port: 5432, apiUrl: c.patroniUrls[i] })))
  t.equal((await c.leader()).name, 'db1', 'db3 hangs up; the other two agree')
  await c.waitReady()
  t.ok(polls >= 4, 'waited for db3 to stream')
  t.equal(c.connectionString((await c.members())[1]!), 'postgres://bday%20app:p%40ss%2Fword@127.0.91.2:5432/bday')
})

t.test('no majority, no ready cluster: each wait ends with what it waited for', async (t) => {
  const moved = [m('db2', 'leader', 'running'), m('db3', 'sync_standby', 'streaming')]
  const { port, servers } = await members([() => healthy, () => moved, () => undefined])
  t.teardown(() => close(servers))
  const c = labBenchCluster(db, creds, { restPort: port, pollMs: 10, leaderTimeoutMs: 100, readyTimeoutMs: 100 })
  await t.rejects(c.leader(), /no leader named by a majority of the DB hosts after 0\.1 s/)
  await t.rejects(c.waitReady(), /no ready cluster \(one leader, the others streaming, a sync standby\) after 0\.1 s/)
})

t.test("the defaults: the stack's REST port, a poll every 500 ms", async (t) => {
  t.strictSame(labBenchCluster(db, creds).patroniUrls, db.map((h) => `http://${h.ip}:8008`))
  const { port, servers } = await members([() => undefined, () => undefined, () => undefined])
  t.teardown(() => close(servers))
  const t0 = performance.now()
  await t.rejects(labBenchCluster(db, creds, { restPort: port, leaderTimeoutMs: 100 }).leader(), /no leader/)
  t.ok(performance.now() - t0 >= 450, 'one poll interval before the second look')
})
