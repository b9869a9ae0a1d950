import t from 'tap'
import { parse } from 'yaml'
import { PATRONI_TIMING_PROFILES, RenderError, renderPatroniConfig } from '../../src/render/index.js'
import { nodeSpec } from './fixtures/node-spec.js'

t.snapshotFile = new URL('./snapshots/patroni-config.cjs', import.meta.url)

t.test('renders the default node', async (t) => {
  const yml = renderPatroniConfig(nodeSpec())
  t.matchSnapshot(yml, 'patroni.yml')
  const config = parse(yml, { version: '1.1' }) as Record<string, any>
  t.strictSame(config.etcd3, { hosts: ['127.0.0.1:25000', '127.0.0.1:25002', '127.0.0.1:25004'] })
  t.equal(config.bootstrap.dcs.synchronous_mode, true)
  t.equal(config.bootstrap.dcs.failsafe_mode, true)
  t.equal(config.bootstrap.dcs.primary_stop_timeout, 30, 'a demoting primary stuck on synchronous replication is killed after 30 s')
  t.equal(config.bootstrap.dcs.postgresql.use_pg_rewind, true)
  t.equal(config.bootstrap.dcs.postgresql.use_slots, true)
  t.equal(config.bootstrap.dcs.maximum_lag_on_failover, 1048576)
  t.notOk('standby_cluster' in config.bootstrap.dcs)
  t.notOk('archive_mode' in config.bootstrap.dcs.postgresql.parameters)
  t.equal(config.postgresql.parameters.hot_standby, undefined, 'hot_standby is cluster-wide (dcs)')
  t.equal(config.bootstrap.dcs.postgresql.parameters.hot_standby, 'on', 'quoted, not a YAML 1.1 boolean')
  t.ok(config.bootstrap.initdb.includes('data-checksums'))
  t.equal(config.bootstrap.post_bootstrap, '/usr/lib/postgresql/15/bin/psql -X -q -f /srv/pg1/post-bootstrap.sql')
  t.equal(config.postgresql.authentication.superuser.password, "super'secret")
  t.equal(config.postgresql.pg_hba.at(-1), 'host replication all ::/0 reject')
  t.strictSame(config.tags, { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false })
  t.strictSame(config.watchdog, { mode: 'automatic' })
  t.strictSame(config.postgresql.basebackup, [{ checkpoint: 'fast' }])
  t.equal(config.namespace, '/service/')
})

t.test('renders a DR standby-cluster node with archiving and tags', async (t) => {
  const yml = renderPatroniConfig(nodeSpec({
    name: 'pg-dr',
    namespace: '/dr/',
    synchronousMode: false,
    maximumLagOnFailover: 0,
    tags: { nofailover: true, noloadbalance: true, clonefrom: true, nosync: true },
    standbyCluster: {
      host: '10.1.0.10', port: 5432, primarySlotName: 'dr_standby', createReplicaMethods: ['pgbackrest', 'basebackup'],
      restoreCommand: 'pgbackrest --stanza=birthday archive-get %f "%p"',
    },
    walArchive: { command: 'pgbackrest --stanza=birthday archive-push "%p"', timeoutSeconds: 60, restoreCommand: 'true' },
    watchdog: 'off',
    timing: PATRONI_TIMING_PROFILES.production,
    postgres: { ...nodeSpec().postgres, parameters: { shared_buffers: '256MB', work_mem: '8MB' } },
  }))
  t.matchSnapshot(yml, 'patroni.yml (DR)')
  const config = parse(yml, { version: '1.1' }) as Record<string, any>
  t.strictSame(config.bootstrap.dcs.standby_cluster, {
    host: '10.1.0.10', port: 5432, primary_slot_name: 'dr_standby', create_replica_methods: ['pgbackrest', 'basebackup'],
    restore_command: 'pgbackrest --stanza=birthday archive-get %f "%p"',
  })
  t.equal(config.bootstrap.dcs.postgresql.parameters.archive_mode, 'on')
  t.equal(config.bootstrap.dcs.postgresql.parameters.archive_timeout, 60)
  t.strictSame(config.bootstrap.dcs.postgresql.recovery_conf, { restore_command: 'true' })
  t.equal(config.postgresql.parameters.work_mem, '8MB')
  t.equal(config.tags.nofailover, true)
})

t.test('a standby cluster defaults to basebackup and has no slot unless given', async (t) => {
  const config = parse(renderPatroniConfig(nodeSpec({ standbyCluster: { host: 'primary.example', port: 5432 } })), {
    version: '1.1',
  }) as Record<string, any>
  t.strictSame(config.bootstrap.dcs.standby_cluster, { host: 'primary.example', port: 5432, create_replica_methods: ['basebackup'] })
})

t.test('a standby cluster given all the remote members follows whichever is the leader', async (t) => {
  const config = parse(renderPatroniConfig(nodeSpec({
    standbyCluster: { host: ['10.0.1.10', '10.0.2.10', '10.0.3.10'], port: 5432, primarySlotName: 'dr_standby' },
  })), { version: '1.1' }) as Record<string, any>
  // Patroni splits the host on commas and, with a slot, adds target_session_attrs=read-write.
  t.equal(config.bootstrap.dcs.standby_cluster.host, '10.0.1.10,10.0.2.10,10.0.3.10')
  t.equal(config.bootstrap.dcs.standby_cluster.primary_slot_name, 'dr_standby')
  t.throws(() => renderPatroniConfig(nodeSpec({ standbyCluster: { host: [], port: 5432 } })), { code: 'PROV_RENDER_INVALID_SPEC', field: 'standbyCluster.host' })
  t.throws(() => renderPatroniConfig(nodeSpec({ standbyCluster: { host: ['10.0.1.10', '10.0.2.10,x'], port: 5432 } })), { code: 'PROV_RENDER_INVALID_SPEC', field: 'standbyCluster.host[1]' })
})

t.test('permanent slots: kept by Patroni in the dynamic config, their WAL capped', async (t) => {
  const config = parse(renderPatroniConfig(nodeSpec({ permanentSlots: ['dr_standby'] })), { version: '1.1' }) as Record<string, any>
  t.strictSame(config.bootstrap.dcs.slots, { dr_standby: { type: 'physical' } })
  t.equal(config.bootstrap.dcs.postgresql.parameters.max_slot_wal_keep_size, '2GB', 'a vanished consumer cannot fill the disk')
  const capped = parse(renderPatroniConfig(nodeSpec({ permanentSlots: ['dr_standby'], maxSlotWalKeepSize: '512MB' })), { version: '1.1' }) as Record<string, any>
  t.equal(capped.bootstrap.dcs.postgresql.parameters.max_slot_wal_keep_size, '512MB')
  const none = parse(renderPatroniConfig(nodeSpec()), { version: '1.1' }) as Record<string, any>
  t.notOk('slots' in none.bootstrap.dcs)
  t.notOk('max_slot_wal_keep_size' in none.bootstrap.dcs.postgresql.parameters)
  t.throws(() => renderPatroniConfig(nodeSpec({ permanentSlots: ['DR'] })), { code: 'PROV_RENDER_INVALID_SPEC', field: 'permanentSlots[0]' })
  t.throws(() => renderPatroniConfig(nodeSpec({ maxSlotWalKeepSize: '2 GB' })), { code: 'PROV_RENDER_INVALID_SPEC', field: 'maxSlotWalKeepSize' })
})

t.test('rejects timing where loop_wait + 2*retry_timeout > ttl', async (t) => {
  const err = t.throws(() => renderPatroniConfig(nodeSpec({ timing: { ttl: 10, loop_wait: 3, retry_timeout: 4 } })))
  t.type(err, RenderError)
  t.match(err, { code: 'PROV_RENDER_INVALID_TIMING', field: 'timing', message: /3 \+ 2\*4 > 10/ })
  t.throws(() => renderPatroniConfig(nodeSpec({ timing: { ttl: 10, loop_wait: 0, retry_timeout: 4 } })), {
    code: 'PROV_RENDER_INVALID_SPEC', field: 'timing.loop_wait',
  })
  t.doesNotThrow(() => renderPatroniConfig(nodeSpec({ timing: { ttl: 9, loop_wait: 1, retry_timeout: 4 } })), 'equality is fine')
})

t.test('the local superuser auth reaches pg_hba', async (t) => {
  const config = parse(renderPatroniConfig(nodeSpec({ hba: { ...nodeSpec().hba, localSuperuserAuth: 'peer' } })), { version: '1.1' }) as Record<string, any>
  t.equal(config.postgresql.pg_hba[0], 'local all postgres peer')
})

t.test('Patroni 4: the timing must meet its minimums, or it would silently run with other values', async (t) => {
  // Patroni 4 raises ttl < 20 to 20 ("ttl=10 can't be smaller than 20, adjusting…"), retry_timeout < 3 to 3.
  t.throws(() => renderPatroniConfig(nodeSpec({ timing: PATRONI_TIMING_PROFILES.fast, patroniMajor: 4 })), { code: 'PROV_RENDER_INVALID_TIMING', field: 'timing.ttl', message: /20 for Patroni 4/ })
  t.throws(() => renderPatroniConfig(nodeSpec({ timing: { ttl: 20, loop_wait: 1, retry_timeout: 2 }, patroniMajor: 4 })), { code: 'PROV_RENDER_INVALID_TIMING', field: 'timing.retry_timeout' })
  for (const p of [PATRONI_TIMING_PROFILES.lab, PATRONI_TIMING_PROFILES.production]) {
    t.match(parse(renderPatroniConfig(nodeSpec({ timing: p, patroniMajor: 4 })), { version: '1.1' }), { bootstrap: { dcs: p } })
  }
  t.doesNotThrow(() => renderPatroniConfig(nodeSpec({ timing: PATRONI_TIMING_PROFILES.fast, patroniMajor: 3 })), 'Patroni 3.0 takes the fast profile')
})

t.test('an HTTPS REST API with client certificates: restapi has the files and verify_client, ctl the same files', async (t) => {
  const tls = { certFile: '/etc/patroni/rest.pem', keyFile: '/etc/patroni/rest.key', caFile: '/etc/patroni/ca.pem', verifyClient: 'required' } as const
  const config = parse(renderPatroniConfig(nodeSpec({ restApi: { ...nodeSpec().restApi, tls } })), { version: '1.1' }) as Record<string, any>
  t.match(config.restapi, { certfile: '/etc/patroni/rest.pem', keyfile: '/etc/patroni/rest.key', cafile: '/etc/patroni/ca.pem', verify_client: 'required', authentication: { username: 'patroni' } })
  t.strictSame(config.ctl, { certfile: '/etc/patroni/rest.pem', keyfile: '/etc/patroni/rest.key', cacert: '/etc/patroni/ca.pem' })
  const plain = parse(renderPatroniConfig(nodeSpec()), { version: '1.1' }) as Record<string, any>
  t.notOk('ctl' in plain || 'certfile' in plain.restapi, 'plain HTTP without them')
  t.throws(() => renderPatroniConfig(nodeSpec({ restApi: { ...nodeSpec().restApi, tls: { ...tls, keyFile: 'rest.key' } } })), { code: 'PROV_RENDER_INVALID_SPEC', field: 'restApi.tls.keyFile' })
})

t.test('rejects bad fields with the field path and without echoing secrets', async (t) => {
  const base = nodeSpec()
  const cases: [string, Partial<ReturnType<typeof nodeSpec>>][] = [
    ['scope', { scope: 'bad scope' }],
    ['name', { name: '' }],
    ['restApi.listen', { restApi: { ...base.restApi, listen: 'http://127.0.0.1:8008' } }],
    ['restApi.connectAddress', { restApi: { ...base.restApi, connectAddress: '127.0.0.1:70000' } }],
    ['restApi.auth.password', { restApi: { ...base.restApi, auth: { username: 'patroni', password: '' } } }],
    ['etcdHosts', { etcdHosts: [] }],
    ['etcdHosts[1]', { etcdHosts: ['127.0.0.1:2379', 'http://127.0.0.1:2379'] }],
    ['etcdHosts[0]', { etcdHosts: ['localhost'] }],
    ['postgres.dataDir', { postgres: { ...base.postgres, dataDir: 'relative/data' } }],
    ['postgres.logDir', { postgres: { ...base.postgres, logDir: '/srv/../etc' } }],
    ['postgres.binDir', { postgres: { ...base.postgres, binDir: '/usr/lib/postgresql 15/bin' } }],
    ['superuser.username', { superuser: { username: 'Postgres', password: 'x' } }],
    ['replication.password', { replication: { username: 'replicator', password: 'line\nbreak' } }],
    ['app.username', { app: { username: 'app;drop', database: 'birthday' } }],
    ['maximumLagOnFailover', { maximumLagOnFailover: -1 }],
    ['standbyCluster.host', { standbyCluster: { host: 'bad host', port: 5432 } }],
    ['standbyCluster.port', { standbyCluster: { host: '10.0.0.1', port: 0 } }],
    ['standbyCluster.primarySlotName', { standbyCluster: { host: '10.0.0.1', port: 5432, primarySlotName: 'Slot-1' } }],
    ['clusterCidrs[0]', { hba: { clusterCidrs: ['127.0.0.1'], appCidrs: ['127.0.0.1/32'] } }],
  ]
  for (const [field, override] of cases) {
    const err = t.throws(() => renderPatroniConfig(nodeSpec(override)), { code: 'PROV_RENDER_INVALID_SPEC', field }, field)
    t.notMatch((err as Error).message, /secret|line\nbreak/, `${field}: no secret in the message`)
  }
})
