/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/pg-hba.ts > TAP > least privilege, scram everywhere, reject last > pg_hba lines 1`] = `
local all postgres scram-sha-256
host all postgres 10.0.1.0/24 scram-sha-256
host all postgres 10.0.2.0/24 scram-sha-256
host replication replicator 10.0.1.0/24 scram-sha-256
host replication replicator 10.0.2.0/24 scram-sha-256
host postgres rewind_user 10.0.1.0/24 scram-sha-256
host postgres rewind_user 10.0.2.0/24 scram-sha-256
host birthday birthday_app 10.0.10.0/24 scram-sha-256
host birthday birthday_app fd00::/64 scram-sha-256
local all all reject
local replication all reject
host all all 0.0.0.0/0 reject
host replication all 0.0.0.0/0 reject
host all all ::/0 reject
host replication all ::/0 reject
`
