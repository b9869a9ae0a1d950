// Replica reads with a lag bound, fencing of a demoted leader, the etcd majority lost, and close()
// leaving nothing behind — HaPgClient against a real cluster (fast timing, failsafe_mode as the harness sets it).
import t from 'tap'
import { spawn } from 'node:child_process'
import { HaPgClient, HaPgError } from '@birthday-ha/ha-pg-client'
import { startCluster, type LocalCluster } from '../../src/index.js'

t.setTimeout(900_000)

let cluster: LocalCluster
let client: HaPgClient
let pgOptions: { user: string; password: string; database: string }

t.before(async () => {
  cluster = await startCluster({ name: 'client-reads', basePort: 26100, etcdMembers: 3 })
  await cluster.waitReady()
  const { app } = cluster.credentials
  pgOptions = { user: app.user, password: app.password, database: app.database }
  client = new HaPgClient({ patroniUrls: cluster.patroniUrls, patroniAuth: cluster.credentials.restApi, pg: pgOptions })
})

t.teardown(async () => {
  await client?.close()
  await cluster?.close()
})

const inRecovery = async (role: 'leader' | 'replica', maxLagBytes?: number): Promise<boolean> => {
  const { rows } = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r', [], maxLagBytes === undefined ? { role } : { role, maxLagBytes })
  return rows[0]?.r === true
}

t.test('replica reads go to a replica within the lag bound, else to the leader', async (t) => {
  t.equal(await inRecovery('leader'), false)
  t.equal(await inRecovery('replica', 16 * 1024 * 1024), true, 'a replica within 16 MiB')
  t.equal(await inRecovery('replica', -1), false, 'no replica qualifies: the leader answers')
})

t.test('fencing: a connection held on the old leader does not keep writes there', async (t) => {
  await client.query('CREATE TABLE IF NOT EXISTS fencing_probe (id int PRIMARY KEY)')
  const held = await client.connect()
  const before = (await held.query<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port
  const { from, to } = await cluster.switchover()
  t.not(from, to)
  // the old leader is demoted (restarted read-only): the held session is gone or read-only
  const heldResult = await held.query('INSERT INTO fencing_probe VALUES (1) ON CONFLICT DO NOTHING').then(() => 'ok', (err: { code?: string }) => err.code ?? 'error')
  held.release(true)
  t.not(heldResult, 'ok', `the held session on ${from} cannot write (got ${heldResult})`)
  await client.query('INSERT INTO fencing_probe VALUES (2) ON CONFLICT DO NOTHING', [], { idempotent: true })
  const after = (await client.query<{ port: number }>('SELECT inet_server_port() AS port')).rows[0]?.port
  t.not(after, before, 'writes moved to the new leader')
  t.equal(client.stats().leader?.name, to)
  t.ok(client.stats().counters.retiredPools >= 1, 'the old leader pool was retired')
})

t.test('etcd majority lost: with failsafe_mode the leader keeps taking writes', async (t) => {
  await cluster.waitReady({ timeoutMs: 180_000 })
  const leader = await cluster.leader()
  // The precondition of the documented behaviour: the harness bootstraps Patroni with failsafe_mode.
  const config = (await fetch(`${leader.apiUrl}/config`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.json())) as { failsafe_mode?: boolean }
  t.equal(config.failsafe_mode, true, 'the cluster runs with failsafe_mode')
  await client.query('CREATE TABLE IF NOT EXISTS dcs_lost_writes (id int PRIMARY KEY, port int NOT NULL)')
  await cluster.stopEtcdMember(0)
  await cluster.stopEtcdMember(1)
  const acked: number[] = []
  try {
    await new Promise((r) => setTimeout(r, 15_000)) // > ttl (10 s): Patroni has noticed the DCS is gone
    // Real, non-idempotent INSERTs: each must be acknowledged (not HAPG_NO_LEADER, not HAPG_OUTCOME_UNKNOWN)
    // by the same leader, as the README's DCS section documents for failsafe_mode.
    for (let id = 1; id <= 5; id++) {
      const result = await client.query<{ port: number }>('INSERT INTO dcs_lost_writes (id, port) VALUES ($1, inet_server_port()) RETURNING port', [id])
        .then((r) => r, (err: unknown) => (err instanceof HaPgError ? err.code : String(err)))
      if (typeof result === 'string') {
        t.fail(`INSERT ${id} with 2 of 3 etcd members down failed: ${result}`)
        continue
      }
      t.equal(result.rows[0]?.port, leader.pgPort, `INSERT ${id} acknowledged by the leader ${leader.name}`)
      acked.push(id)
      await new Promise((r) => setTimeout(r, 200))
    }
    t.equal(client.stats().leader?.name, leader.name, 'the client kept the same leader')
    t.equal(await inRecovery('replica'), true, 'replica reads keep working')
  } finally {
    await cluster.startEtcdMember(0)
    await cluster.startEtcdMember(1)
  }
  // Every acknowledged INSERT is still there once the DCS is back (read on the leader of that time).
  await cluster.waitReady({ timeoutMs: 180_000 })
  const { rows } = await client.query<{ id: number }>('SELECT id FROM dcs_lost_writes ORDER BY id')
  t.strictSame(rows.map((r) => r.id), acked, 'the acknowledged INSERTs survived')
  t.equal(acked.length, 5, 'all 5 INSERTs were acknowledged')
})

t.test('close() leaves no handle: a process using the client exits by itself', async (t) => {
  const script = `
    import { HaPgClient } from '@birthday-ha/ha-pg-client'
    const c = new HaPgClient(JSON.parse(process.env.OPTS))
    await c.query('SELECT 1')
    await c.query('SELECT 1', [], { role: 'replica' })
    await c.close()
    console.log('closed')`
  const opts = JSON.stringify({ patroniUrls: cluster.patroniUrls, pg: pgOptions })
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url), env: { ...process.env, OPTS: opts } })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve(null)
    }, 60_000)
    child.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  t.equal(code, 0, 'the process exited on its own after close()')
  t.match(out, 'closed')
})
