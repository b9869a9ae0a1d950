/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render/patroni-config.ts > TAP > renders a DR standby-cluster node with archiving and tags > patroni.yml (DR) 1`] = `
scope: birthday
namespace: /dr/
name: pg-dr
restapi:
  listen: 127.0.0.1:25011
  connect_address: 127.0.0.1:25011
  authentication:
    username: patroni
    password: rest-secret
etcd3:
  hosts:
    - 127.0.0.1:25000
    - 127.0.0.1:25002
    - 127.0.0.1:25004
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    maximum_lag_on_failover: 0
    synchronous_mode: false
    primary_stop_timeout: 30
    failsafe_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
        password_encryption: scram-sha-256
        archive_mode: "on"
        archive_command: pgbackrest --stanza=birthday archive-push "%p"
        archive_timeout: 60
      recovery_conf:
        restore_command: "true"
    standby_cluster:
      host: 10.1.0.10
      port: 5432
      primary_slot_name: dr_standby
      create_replica_methods:
        - pgbackrest
        - basebackup
      restore_command: pgbackrest --stanza=birthday archive-get %f "%p"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
    - auth-local: scram-sha-256
    - auth-host: scram-sha-256
  post_bootstrap: /usr/lib/postgresql/15/bin/psql -X -q -f /srv/pg1/post-bootstrap.sql
postgresql:
  listen: 127.0.0.1:25010
  connect_address: 127.0.0.1:25010
  data_dir: /srv/pg1/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /srv/pg1/pgpass
  authentication:
    superuser:
      username: postgres
      password: super'secret
    replication:
      username: replicator
      password: repl-secret
    rewind:
      username: rewind_user
      password: rewind-secret
  parameters:
    unix_socket_directories: /srv/pg1/run
    logging_collector: "on"
    log_directory: /srv/pg1/log
    log_filename: postgresql.log
    log_line_prefix: "%m [%p] %q%u@%d "
    password_encryption: scram-sha-256
    shared_buffers: 256MB
    work_mem: 8MB
  pg_hba:
    - local all postgres scram-sha-256
    - host all postgres 127.0.0.1/32 scram-sha-256
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host postgres rewind_user 127.0.0.1/32 scram-sha-256
    - host birthday birthday_app 127.0.0.1/32 scram-sha-256
    - local all all reject
    - local replication all reject
    - host all all 0.0.0.0/0 reject
    - host replication all 0.0.0.0/0 reject
    - host all all ::/0 reject
    - host replication all ::/0 reject
  basebackup:
    - checkpoint: fast
watchdog:
  mode: "off"
tags:
  nofailover: true
  noloadbalance: true
  clonefrom: true
  nosync: true

`

exports[`test/render/patroni-config.ts > TAP > renders the default node > patroni.yml 1`] = `
scope: birthday
namespace: /service/
name: pg1
restapi:
  listen: 127.0.0.1:25011
  connect_address: 127.0.0.1:25011
  authentication:
    username: patroni
    password: rest-secret
etcd3:
  hosts:
    - 127.0.0.1:25000
    - 127.0.0.1:25002
    - 127.0.0.1:25004
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    primary_stop_timeout: 30
    failsafe_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
        password_encryption: scram-sha-256
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
    - auth-local: scram-sha-256
    - auth-host: scram-sha-256
  post_bootstrap: /usr/lib/postgresql/15/bin/psql -X -q -f /srv/pg1/post-bootstrap.sql
postgresql:
  listen: 127.0.0.1:25010
  connect_address: 127.0.0.1:25010
  data_dir: /srv/pg1/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /srv/pg1/pgpass
  authentication:
    superuser:
      username: postgres
      password: super'secret
    replication:
      username: replicator
      password: repl-secret
    rewind:
      username: rewind_user
      password: rewind-secret
  parameters:
    unix_socket_directories: /srv/pg1/run
    logging_collector: "on"
    log_directory: /srv/pg1/log
    log_filename: postgresql.log
    log_line_prefix: "%m [%p] %q%u@%d "
    password_encryption: scram-sha-256
  pg_hba:
    - local all postgres scram-sha-256
    - host all postgres 127.0.0.1/32 scram-sha-256
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host postgres rewind_user 127.0.0.1/32 scram-sha-256
    - host birthday birthday_app 127.0.0.1/32 scram-sha-256
    - local all all reject
    - local replication all reject
    - host all all 0.0.0.0/0 reject
    - host replication all 0.0.0.0/0 reject
    - host all all ::/0 reject
    - host replication all ::/0 reject
  basebackup:
    - checkpoint: fast
watchdog:
  mode: automatic
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false

`
