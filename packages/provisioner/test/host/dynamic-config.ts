import t from 'tap'
import { stringify } from 'yaml'
import { bootstrapDcs, dynamicConfigPatch } from '../../src/host/dynamic-config.js'

const yml = (dcs: object): string => stringify({ scope: 'birthday', bootstrap: { dcs } })
const primary = yml({ ttl: 30, slots: { dr_standby: { type: 'physical' } }, postgresql: { use_slots: true, parameters: { max_slot_wal_keep_size: '2GB', wal_level: 'replica' } } })
const standby = yml({ ttl: 30, standby_cluster: { host: '10.0.1.10,10.0.2.10,10.0.3.10', port: 5432, primary_slot_name: 'dr_standby', create_replica_methods: ['basebackup'] } })

t.test('a cluster bootstrapped with these settings needs no patch', async (t) => {
  t.equal(dynamicConfigPatch(primary, { ttl: 30, loop_wait: 10, slots: { dr_standby: { type: 'physical' } }, postgresql: { parameters: { max_slot_wal_keep_size: '2GB' } } }), undefined)
  t.equal(dynamicConfigPatch(standby, { ttl: 30, standby_cluster: { host: '10.0.1.10,10.0.2.10,10.0.3.10', port: 5432, primary_slot_name: 'dr_standby', create_replica_methods: ['basebackup'] } }), undefined)
  t.equal(dynamicConfigPatch(yml({ wal_level: 'replica' }), {}), undefined, 'nothing managed, nothing patched')
  t.equal(dynamicConfigPatch(yml({ ttl: 20, loop_wait: 1 }), { ttl: '20', loop_wait: 1 }), undefined, 'a value PATCHed as a string is the same setting')
})

t.test('a cluster bootstrapped before the slot existed gets the slot and the cap, and nothing else', async (t) => {
  t.strictSame(dynamicConfigPatch(primary, { ttl: 30, postgresql: { parameters: { wal_level: 'logical' } } }), {
    slots: { dr_standby: { type: 'physical' } },
    postgresql: { parameters: { max_slot_wal_keep_size: '2GB' } },
  }, 'wal_level is left as the operator set it')
  t.strictSame(dynamicConfigPatch(primary, { ttl: 30, slots: { other: { type: 'logical', database: 'x', plugin: 'y' } }, postgresql: { parameters: { max_slot_wal_keep_size: '2GB' } } }), {
    slots: { dr_standby: { type: 'physical' } },
  }, "an operator's own slots stay (PATCH merges)")
})

t.test("Patroni's timing follows the stack on a running cluster, in one PATCH (its check of loop_wait + 2·retry_timeout ≤ ttl sees them together)", async (t) => {
  const lab = yml({ ttl: 20, loop_wait: 1, retry_timeout: 5, maximum_lag_on_failover: 1048576, synchronous_mode: true, failsafe_mode: true })
  t.strictSame(dynamicConfigPatch(lab, { ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 1048576, synchronous_mode: true, failsafe_mode: true }), { ttl: 20, loop_wait: 1, retry_timeout: 5 }, 'a cluster bootstrapped with the production profile')
  t.strictSame(dynamicConfigPatch(lab, { ttl: 20, loop_wait: 1, retry_timeout: 5, maximum_lag_on_failover: 1048576, synchronous_mode: false }), { synchronous_mode: true, failsafe_mode: true }, 'synchronous and failsafe mode too')
  t.equal(dynamicConfigPatch(lab, { ttl: 20, loop_wait: 1, retry_timeout: 5, maximum_lag_on_failover: 1048576, synchronous_mode: true, failsafe_mode: true }), undefined)
})

t.test('primary_stop_timeout follows the stack on a running cluster', async (t) => {
  const bounded = yml({ ttl: 20, synchronous_mode: true, primary_stop_timeout: 30 })
  t.strictSame(dynamicConfigPatch(bounded, { ttl: 20, synchronous_mode: true }), { primary_stop_timeout: 30 }, 'a cluster bootstrapped before it was set')
  t.strictSame(dynamicConfigPatch(bounded, { ttl: 20, synchronous_mode: true, primary_stop_timeout: 0 }), { primary_stop_timeout: 30 })
  t.equal(dynamicConfigPatch(bounded, { ttl: 20, synchronous_mode: true, primary_stop_timeout: 30 }), undefined)
})

t.test('a standby cluster pinned to one host is pointed at all of them, with the slot', async (t) => {
  t.strictSame(dynamicConfigPatch(standby, { ttl: 30, standby_cluster: { host: '10.0.1.10', port: 5432, create_replica_methods: ['basebackup'] } }), {
    standby_cluster: { host: '10.0.1.10,10.0.2.10,10.0.3.10', port: 5432, primary_slot_name: 'dr_standby', create_replica_methods: ['basebackup'] },
  })
})

t.test('a promoted DR cluster is never made a standby again', async (t) => {
  // promote-dr removed standby_cluster (PATCH {"standby_cluster": null}); putting it back would demote the only primary left.
  t.equal(dynamicConfigPatch(standby, { ttl: 30 }), undefined)
  t.equal(dynamicConfigPatch(standby, undefined), undefined, 'no answer: nothing to compare, nothing patched')
})

t.test('bootstrapDcs: a file without a bootstrap section bootstraps nothing', async (t) => {
  t.strictSame(bootstrapDcs('scope: birthday\n'), {})
  t.strictSame(bootstrapDcs(primary).slots, { dr_standby: { type: 'physical' } })
})
