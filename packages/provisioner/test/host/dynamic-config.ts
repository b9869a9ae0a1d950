import t from 'tap'
import { stringify } from 'yaml'
import { bootstrapDcs, dynamicConfigPatch } from '../../src/host/dynamic-config.js'

const yml = (dcs: object): string => stringify({ scope: 'birthday', bootstrap: { dcs } })
const primary = yml({ ttl: 30, slots: { dr_standby: { type: 'physical' } }, postgresql: { use_slots: true, parameters: { max_slot_wal_keep_size: '2GB', wal_level: 'replica' } } })
const standby = yml({ ttl: 30, standby_cluster: { host: '10.0.1.10,10.0.2.10,10.0.3.10', port: 5432, primary_slot_name: 'dr_standby', create_replica_methods: ['basebackup'] } })

t.test('a cluster bootstrapped with these settings needs no patch', async (t) => {
  t.equal(dynamicConfigPatch(primary, { ttl: 30, loop_wait: 10, slots: { dr_standby: { type: 'physical' } }, postgresql: { parameters: { max_slot_wal_keep_size: '2GB' } } }), undefined)
  t.equal(dynamicConfigPatch(standby, { standby_cluster: { host: '10.0.1.10,10.0.2.10,10.0.3.10', port: 5432, primary_slot_name: 'dr_standby', create_replica_methods: ['basebackup'] } }), undefined)
  t.equal(dynamicConfigPatch(yml({ ttl: 30 }), {}), undefined, 'nothing managed, nothing patched')
})

t.test('a cluster bootstrapped before the slot existed gets the slot and the cap, and nothing else', async (t) => {
  t.strictSame(dynamicConfigPatch(primary, { ttl: 20, postgresql: { parameters: { wal_level: 'logical' } } }), {
    slots: { dr_standby: { type: 'physical' } },
    postgresql: { parameters: { max_slot_wal_keep_size: '2GB' } },
  }, 'ttl and wal_level are left as the operator set them')
  t.strictSame(dynamicConfigPatch(primary, { slots: { other: { type: 'logical', database: 'x', plugin: 'y' } }, postgresql: { parameters: { max_slot_wal_keep_size: '2GB' } } }), {
    slots: { dr_standby: { type: 'physical' } },
  }, "an operator's own slots stay (PATCH merges)")
})

t.test('primary_stop_timeout follows the stack on a running cluster', async (t) => {
  const bounded = yml({ ttl: 20, synchronous_mode: true, primary_stop_timeout: 30 })
  t.strictSame(dynamicConfigPatch(bounded, { ttl: 20, synchronous_mode: true }), { primary_stop_timeout: 30 }, 'a cluster bootstrapped before it was set')
  t.strictSame(dynamicConfigPatch(bounded, { primary_stop_timeout: 0 }), { primary_stop_timeout: 30 })
  t.equal(dynamicConfigPatch(bounded, { primary_stop_timeout: 30 }), undefined)
})

t.test('a standby cluster pinned to one host is pointed at all of them, with the slot', async (t) => {
  t.strictSame(dynamicConfigPatch(standby, { standby_cluster: { host: '10.0.1.10', port: 5432, create_replica_methods: ['basebackup'] } }), {
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
