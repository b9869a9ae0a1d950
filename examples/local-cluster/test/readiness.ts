import t from 'tap'
import { resolveLayout } from '../src/layout.js'
import type { PatroniClusterMember } from '../src/patroni-rest.js'
import { assertListedRunning } from '../src/readiness.js'

const nodes = resolveLayout({ dataDir: '/tmp/lc-readiness' }).nodes
const member = (name: string, role: string, state: string, timeline = 1): PatroniClusterMember =>
  ({ name, role, state, api_url: '', host: '127.0.0.1', port: 0, timeline })
const pg1 = { name: 'pg1', timeline: 1 }

t.test('/cluster must list every running node running (3.0.2) or streaming (Patroni 4)', async (t) => {
  assertListedRunning([member('pg1', 'leader', 'running'), member('pg2', 'replica', 'running'), member('pg3', 'sync_standby', 'running')], nodes, pg1)
  assertListedRunning([member('pg1', 'leader', 'running'), member('pg2', 'replica', 'streaming'), member('pg3', 'quorum_standby', 'streaming')], nodes, pg1)
  assertListedRunning([member('pg1', 'leader', 'running', 3)], nodes.slice(0, 1), { name: 'pg1', timeline: 3 })
  t.throws(() => assertListedRunning([member('pg1', 'leader', 'running'), member('pg2', 'replica', 'starting')], nodes, pg1),
    { message: '/cluster does not show pg2 (starting), pg3 (not listed) as running yet' })
})

t.test("the leader's record must show the timeline its PostgreSQL is on (Patroni 4 lags after a promotion)", async (t) => {
  const running = [member('pg1', 'leader', 'running', 2), member('pg2', 'replica', 'streaming', 2), member('pg3', 'replica', 'streaming', 2)]
  t.throws(() => assertListedRunning(running, nodes, { name: 'pg1', timeline: 3 }),
    { message: '/cluster shows leader pg1 on timeline 2, its PostgreSQL is on 3' })
  const { timeline: _, ...noTimeline } = running[0]!
  t.throws(() => assertListedRunning([noTimeline, ...running.slice(1)], nodes, { name: 'pg1', timeline: 3 }),
    { message: '/cluster shows leader pg1 on timeline undefined, its PostgreSQL is on 3' })
})
