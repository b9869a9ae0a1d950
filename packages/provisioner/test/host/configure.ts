import t from 'tap'
import { configureHosts } from '../../src/host/configure.js'
import type { Secrets } from '../../src/host/host-plan.js'
import { dryRunSessions } from '../../src/ssh/dry-run.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets: Secrets = {
  'superuser-password': 'su-SECRET-1',
  'replication-password': 'repl-SECRET-2',
  'rewind-password': 'rw-SECRET-3',
  'app-password': 'app-SECRET-4',
  'rest-password': 'rest-SECRET-5',
}
const healthy = JSON.stringify({
  members: [
    { name: 'db1', role: 'leader', state: 'running' },
    { name: 'db2', role: 'sync_standby', state: 'streaming' },
    { name: 'db3', role: 'replica', state: 'streaming' },
  ],
})

function script(overrides: { primary?: (host: string, n: number) => string; cluster?: () => string; standby?: () => string } = {}) {
  const lines: string[] = []
  let primaryPolls = 0
  const sessions = dryRunSessions({
    secrets: Object.values(secrets),
    print: (l) => lines.push(l),
    respond: (host, cmd) => {
      if (cmd.includes(':8008/primary')) return (overrides.primary ?? ((h, n) => (h === 'db1' && n > 3 ? '200' : '503')))(host, ++primaryPolls)
      if (cmd.includes(':8008/cluster')) return (overrides.cluster ?? (() => healthy))()
      if (cmd.includes(':8008/standby-leader')) return (overrides.standby ?? (() => '200'))()
      return ''
    },
  })
  return { lines, sessions }
}

t.test('steps run in order and nothing secret is printed', async (t) => {
  const { lines, sessions } = script()
  const sleeps: number[] = []
  const report = await configureHosts(stack, { sessions, secrets, sleep: async (ms) => void sleeps.push(ms), onProgress: () => {} })
  t.equal(report.leader, 'db1')
  t.ok(sleeps.length > 0 && sleeps.every((s) => s === 5000), 'bounded polling, no fixed sleeps')
  const all = lines.join('\n')
  for (const v of Object.values(secrets)) t.notOk(all.includes(v), 'secret redacted')
  t.match(all, /<redacted>/)
  const idx = (re: RegExp, from = 0) => lines.findIndex((l, i) => i >= from && re.test(l))
  const install = idx(/\[db1\] \$ set -eu/)
  const write = idx(/\[db1\] write \/etc\/birthday-ha\/patroni.yml \(mode 600, postgres:postgres/)
  const etcd = idx(/\[db3\] \$ systemctl enable --now birthday-etcd/)
  const p1 = idx(/\[db1\] \$ systemctl enable --now birthday-patroni/)
  const leader = idx(/\[db1\] \$ curl .*\/primary/)
  const p2 = idx(/\[db2\] \$ systemctl enable --now birthday-patroni/)
  t.ok(install < write && write < etcd && etcd < p1 && p1 < leader && leader < p2, 'install < upload < etcd < first Patroni < leader < replicas')
  t.ok(idx(/\[db1\] \$ sudo -u postgres pgbackrest --stanza=bday-prod stanza-create/) > p2)
  t.match(all, /patroni=4\.0\.4-1\.pgdg120\+1/)
  t.match(all, /apt\.postgresql\.org\.sh -y/)
  t.match(all, /sha256sum -c -/)
  t.match(all, /\[dr1\]   \|\s+standby_cluster:/)
  t.match(all, /\[app1\] write \/etc\/birthday-ha\/app.env \(mode 600/)
  t.match(all, /archive_command: pgbackrest --stanza=bday-prod archive-push %p/)
  t.equal(report.written.length, lines.filter((l) => / write /.test(l)).length)
})

t.test('dry-run prints and skips waits', async (t) => {
  const lines: string[] = []
  const report = await configureHosts(stack, { sessions: dryRunSessions({ secrets: Object.values(secrets), print: (l) => lines.push(l) }), secrets, dryRun: true })
  t.equal(report.leader, 'db1')
  t.notOk(lines.some((l) => l.includes('/cluster')), 'no verification in dry-run')
})

t.test('no leader: PROV_NO_LEADER after a bounded wait', async (t) => {
  const { sessions } = script({ primary: () => '503' })
  await t.rejects(configureHosts(stack, { sessions, secrets, sleep: async () => {}, pollAttempts: 3 }), { code: 'PROV_NO_LEADER' })
})

t.test('an unhealthy cluster or DR standby is PROV_HOST_UNHEALTHY', async (t) => {
  const bad = JSON.stringify({ members: [{ name: 'db1', role: 'leader', state: 'running' }, { name: 'db2', role: 'replica', state: 'starting' }] })
  for (const cluster of [() => bad, () => 'not json']) {
    const { sessions } = script({ primary: () => '200', cluster })
    await t.rejects(configureHosts(stack, { sessions, secrets, sleep: async () => {}, pollAttempts: 2 }), { code: 'PROV_HOST_UNHEALTHY' })
  }
  const { sessions } = script({ primary: () => '200', standby: () => '503' })
  await t.rejects(configureHosts(stack, { sessions, secrets, sleep: async () => {}, pollAttempts: 2 }), { code: 'PROV_HOST_UNHEALTHY', details: { host: 'dr1' } })
})

t.test('async mode does not wait for a sync standby', async (t) => {
  const s = makeStack((x) => void ((x.database ??= {}).synchronousMode = false))
  const async = JSON.stringify({ members: [{ name: 'db1', role: 'leader', state: 'running' }, { name: 'db2', role: 'replica', state: 'streaming' }, { name: 'db3', role: 'replica', state: 'streaming' }] })
  const { sessions } = script({ primary: () => '200', cluster: () => async })
  t.equal((await configureHosts(s, { sessions, secrets, sleep: async () => {} })).leader, 'db1')
})
