import { stringify } from 'yaml'
import { renderPgHba } from './pg-hba.js'
import { checkTiming, type PatroniTiming } from './patroni-timing.js'

/** Patroni's `primary_stop_timeout`: how long a demoting primary may take to stop before SIGKILL (synchronous_mode only). */
export const PRIMARY_STOP_TIMEOUT_S = 30
import {
  checkHost, checkHostPort, checkList, checkNodeName, checkNonNegativeInt, checkPath, checkPort, checkRoleName,
  checkSecret, checkSize,
} from './spec-checks.js'

/** A login: user name plus secret. Secrets are always inputs, never defaults. */
export interface Credentials {
  readonly username: string
  readonly password: string
}

/** Everything one Patroni node's `patroni.yml` needs; see {@link renderPatroniConfig}. */
export interface PatroniNodeSpec {
  /** Cluster name (Patroni `scope`). */
  readonly scope: string
  /** This node's name; also its `application_name` in `pg_stat_replication`. */
  readonly name: string
  /** DCS key prefix. Default `/service/`. */
  readonly namespace?: string
  /** Patroni REST API `host:port` to bind and to advertise; basic auth guards its unsafe endpoints. */
  readonly restApi: { readonly listen: string; readonly connectAddress: string; readonly auth: Credentials; readonly tls?: RestApiTls }
  /** etcd v3 client endpoints as `host:port`, without a scheme (Patroni's `etcd3.hosts`). */
  readonly etcdHosts: readonly string[]
  readonly postgres: {
    /** `host:port` PostgreSQL binds to and advertises. */
    readonly listen: string
    readonly connectAddress: string
    readonly dataDir: string
    /** e.g. `/usr/lib/postgresql/15/bin`. */
    readonly binDir: string
    /** Per-node unix socket directory. */
    readonly socketDir: string
    /** Absolute server log directory outside PGDATA (a relative one is copied into replicas). */
    readonly logDir: string
    /** Per-node password file Patroni writes before pg_basebackup / pg_rewind. */
    readonly pgpassFile: string
    /** Extra local `postgresql.parameters`, merged over the rendered ones. */
    readonly parameters?: Readonly<Record<string, string | number | boolean>>
  }
  readonly superuser: Credentials
  readonly replication: Credentials
  readonly rewind: Credentials
  /** The non-superuser application role and its database, created by the post-bootstrap script. */
  readonly app: { readonly username: string; readonly database: string }
  /** Where the output of `renderPostBootstrapSql` lives on the node. */
  readonly postBootstrapSqlFile: string
  /** CIDRs for `pg_hba` (see `renderPgHba`). */
  readonly hba: { readonly clusterCidrs: readonly string[]; readonly appCidrs: readonly string[]; readonly localSuperuserAuth?: 'scram-sha-256' | 'peer' }
  readonly timing: PatroniTiming
  /**
   * The Patroni major version that will run this file. With 4, `timing` must meet Patroni 4's
   * minimums (ttl >= 20, retry_timeout >= 3), which it would otherwise raise silently.
   * Unset: only `loop_wait + 2*retry_timeout <= ttl` is checked (Patroni 3.0 stores what it is given).
   */
  readonly patroniMajor?: 3 | 4
  /** Default `true`. */
  readonly synchronousMode?: boolean
  /** Bytes a replica may lag and still be promoted. Default 1 MiB. */
  readonly maximumLagOnFailover?: number
  readonly tags?: {
    readonly nofailover?: boolean
    readonly noloadbalance?: boolean
    readonly clonefrom?: boolean
    readonly nosync?: boolean
  }
  /** Makes this cluster a standby cluster replicating from another region's primary. */
  readonly standbyCluster?: {
    /**
     * The remote cluster's address, or all its members' addresses. With a list and a
     * `primarySlotName`, Patroni adds `target_session_attrs=read-write` to the standby leader's
     * `primary_conninfo`, so it streams from whichever member is the remote leader now
     * (https://patroni.readthedocs.io/en/latest/standby_cluster.html).
     */
    readonly host: string | readonly string[]
    readonly port: number
    /** A slot the remote cluster keeps for this one (its `permanentSlots`). */
    readonly primarySlotName?: string
    /** Default `['basebackup']`. */
    readonly createReplicaMethods?: readonly string[]
    readonly restoreCommand?: string
  }
  /**
   * Physical slots this cluster keeps for consumers outside it (a DR standby cluster's
   * `primarySlotName`). Patroni creates them on the leader and keeps them on the replicas too, so
   * they survive a failover (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html, `slots`).
   */
  readonly permanentSlots?: readonly string[]
  /**
   * `max_slot_wal_keep_size`: how much WAL a slot may hold back before PostgreSQL gives it up, so
   * a DR standby that is gone cannot fill the primary's disk (it then catches up from the WAL
   * archive). Default `2GB` when there are permanent slots; otherwise unset (PostgreSQL's -1).
   */
  readonly maxSlotWalKeepSize?: string
  /** Optional continuous WAL archiving (e.g. pgBackRest's `archive-push`). */
  readonly walArchive?: { readonly command: string; readonly timeoutSeconds?: number; readonly restoreCommand?: string }
  /** Patroni watchdog mode. Default `automatic` (used when `/dev/watchdog` exists). */
  readonly watchdog?: 'off' | 'automatic' | 'required'
}

/**
 * HTTPS for the REST API (https://patroni.readthedocs.io/en/latest/yaml_configuration.html#rest-api):
 * files on the node, readable by Patroni's user. The same certificate and key are Patroni's own client
 * certificate (`ctl`) when it calls other members and for patronictl, so they must allow client use too.
 */
export interface RestApiTls {
  readonly certFile: string
  readonly keyFile: string
  /** The CA client certificates are checked against; Patroni's own calls trust it too (`ctl.cacert`). */
  readonly caFile: string
  /** `required`: the TLS handshake itself needs a client certificate, so every request, GETs included. */
  readonly verifyClient: 'none' | 'optional' | 'required'
}

const checkCredentials = (field: string, value: Credentials): Credentials => ({
  username: checkRoleName(`${field}.username`, value.username),
  password: checkSecret(`${field}.password`, value.password),
})

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

/**
 * Renders a Patroni `patroni.yml` (3.0.x and 4.0.x read the same file) for one node: `etcd3` DCS, REST basic auth, synchronous
 * mode (default on), failsafe mode, `pg_rewind` and replication slots, initdb with data checksums
 * and scram-sha-256, least-privilege `pg_hba`, and a `post_bootstrap` that runs the app-role script
 * with the node's own psql. Pure: writes nothing. The output holds secrets; store it mode 0600.
 *
 * @throws {RenderError} `PROV_RENDER_INVALID_TIMING` unless `loop_wait + 2*retry_timeout <= ttl` (and, with
 *   `patroniMajor: 4`, ttl >= 20 and retry_timeout >= 3);
 *   `PROV_RENDER_INVALID_SPEC` for any other bad field.
 * @example
 * ```ts
 * const yml = renderPatroniConfig({
 *   scope: 'birthday', name: 'pg1',
 *   restApi: { listen: '10.0.1.10:8008', connectAddress: '10.0.1.10:8008', auth: { username: 'patroni', password: restSecret } },
 *   etcdHosts: ['10.0.1.10:2379', '10.0.2.10:2379', '10.0.3.10:2379'],
 *   postgres: { listen: '10.0.1.10:5432', connectAddress: '10.0.1.10:5432', dataDir: '/var/lib/postgresql/15/main',
 *     binDir: '/usr/lib/postgresql/15/bin', socketDir: '/var/run/postgresql', logDir: '/var/log/postgresql',
 *     pgpassFile: '/var/lib/postgresql/.pgpass_patroni' },
 *   superuser, replication, rewind, app: { username: 'birthday_app', database: 'birthday' },
 *   postBootstrapSqlFile: '/etc/patroni/post-bootstrap.sql',
 *   hba: { clusterCidrs: ['10.0.0.0/16'], appCidrs: ['10.0.0.0/16'] },
 *   timing: PATRONI_TIMING_PROFILES.production,
 * })
 * ```
 */
export function renderPatroniConfig(spec: PatroniNodeSpec): string {
  const timing = checkTiming(spec.timing, spec.patroniMajor)
  const superuser = checkCredentials('superuser', spec.superuser)
  const replication = checkCredentials('replication', spec.replication)
  const rewind = checkCredentials('rewind', spec.rewind)
  const pg = spec.postgres
  const binDir = checkPath('postgres.binDir', pg.binDir)
  const pgHba = renderPgHba({
    superuser: superuser.username,
    replication: replication.username,
    rewind: rewind.username,
    app: spec.app,
    clusterCidrs: spec.hba.clusterCidrs,
    appCidrs: spec.hba.appCidrs,
    ...(spec.hba.localSuperuserAuth === undefined ? {} : { localSuperuserAuth: spec.hba.localSuperuserAuth }),
  })
  const lag = checkNonNegativeInt('maximumLagOnFailover', spec.maximumLagOnFailover ?? 1024 * 1024)
  const archive = spec.walArchive
  const slots = (spec.permanentSlots ?? []).map((name, i) => checkRoleName(`permanentSlots[${i}]`, name))
  const dcsParameters = withoutUndefined({
    wal_level: 'replica',
    hot_standby: 'on',
    wal_log_hints: 'on',
    max_connections: 100,
    max_wal_senders: 10,
    max_replication_slots: 10,
    wal_keep_size: '128MB',
    password_encryption: 'scram-sha-256',
    archive_mode: archive === undefined ? undefined : 'on',
    archive_command: archive?.command,
    archive_timeout: archive?.timeoutSeconds,
    max_slot_wal_keep_size: spec.maxSlotWalKeepSize === undefined
      ? (slots.length > 0 ? '2GB' : undefined)
      : checkSize('maxSlotWalKeepSize', spec.maxSlotWalKeepSize),
  })
  const standby = spec.standbyCluster
  const tls = spec.restApi.tls
  const restTls = tls === undefined ? undefined : {
    certfile: checkPath('restApi.tls.certFile', tls.certFile),
    keyfile: checkPath('restApi.tls.keyFile', tls.keyFile),
    cafile: checkPath('restApi.tls.caFile', tls.caFile),
    verify_client: tls.verifyClient,
  }
  const config = withoutUndefined({
    scope: checkNodeName('scope', spec.scope),
    namespace: spec.namespace ?? '/service/',
    name: checkNodeName('name', spec.name),
    restapi: {
      listen: checkHostPort('restApi.listen', spec.restApi.listen),
      connect_address: checkHostPort('restApi.connectAddress', spec.restApi.connectAddress),
      authentication: {
        username: checkNodeName('restApi.auth.username', spec.restApi.auth.username),
        password: checkSecret('restApi.auth.password', spec.restApi.auth.password),
      },
      ...restTls,
    },
    // Patroni's own REST client (calls to other members, patronictl): ctl.cacert, not cafile (patroni/request.py).
    ctl: restTls === undefined ? undefined : { certfile: restTls.certfile, keyfile: restTls.keyfile, cacert: restTls.cafile },
    etcd3: { hosts: checkList('etcdHosts', spec.etcdHosts, checkHostPort) },
    bootstrap: {
      dcs: withoutUndefined({
        ...timing,
        maximum_lag_on_failover: lag,
        synchronous_mode: spec.synchronousMode ?? true,
        // A demoting primary whose sync standbys are cut off can wait in its stop forever (found on the
        // lab: a backend's exit waited for synchronous replication, Patroni's loop hung, and the DR
        // standby went on streaming from the deposed leader). With synchronous_mode, Patroni kills the
        // postmaster after this many seconds (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html).
        primary_stop_timeout: PRIMARY_STOP_TIMEOUT_S,
        failsafe_mode: true,
        slots: slots.length === 0 ? undefined : Object.fromEntries(slots.map((name) => [name, { type: 'physical' }])),
        postgresql: withoutUndefined({
          use_pg_rewind: true,
          use_slots: true,
          parameters: dcsParameters,
          recovery_conf: archive?.restoreCommand === undefined ? undefined : { restore_command: archive.restoreCommand },
        }),
        standby_cluster: standby === undefined ? undefined : withoutUndefined({
          host: typeof standby.host === 'string'
            ? checkHost('standbyCluster.host', standby.host)
            : checkList('standbyCluster.host', standby.host, checkHost).join(','),
          port: checkPort('standbyCluster.port', standby.port),
          primary_slot_name: standby.primarySlotName === undefined
            ? undefined
            : checkRoleName('standbyCluster.primarySlotName', standby.primarySlotName),
          create_replica_methods: [...(standby.createReplicaMethods ?? ['basebackup'])],
          restore_command: standby.restoreCommand,
        }),
      }),
      initdb: [
        { encoding: 'UTF8' },
        { locale: 'C.UTF-8' },
        'data-checksums',
        { 'auth-local': 'scram-sha-256' },
        { 'auth-host': 'scram-sha-256' },
      ],
      post_bootstrap: `${binDir}/psql -X -q -f ${checkPath('postBootstrapSqlFile', spec.postBootstrapSqlFile)}`,
    },
    postgresql: {
      listen: checkHostPort('postgres.listen', pg.listen),
      connect_address: checkHostPort('postgres.connectAddress', pg.connectAddress),
      data_dir: checkPath('postgres.dataDir', pg.dataDir),
      bin_dir: binDir,
      pgpass: checkPath('postgres.pgpassFile', pg.pgpassFile),
      authentication: { superuser, replication, rewind },
      parameters: {
        unix_socket_directories: checkPath('postgres.socketDir', pg.socketDir),
        logging_collector: 'on',
        log_directory: checkPath('postgres.logDir', pg.logDir),
        log_filename: 'postgresql.log',
        log_line_prefix: '%m [%p] %q%u@%d ',
        password_encryption: 'scram-sha-256',
        ...pg.parameters,
      },
      pg_hba: pgHba,
      // A spread checkpoint made the first replica's pg_basebackup wait ~4.5 min after the
      // post-bootstrap CREATE DATABASE dirtied ~900 buffers (measured); fast finishes at once.
      basebackup: [{ checkpoint: 'fast' }],
    },
    watchdog: { mode: spec.watchdog ?? 'automatic' },
    tags: {
      nofailover: spec.tags?.nofailover ?? false,
      noloadbalance: spec.tags?.noloadbalance ?? false,
      clonefrom: spec.tags?.clonefrom ?? false,
      nosync: spec.tags?.nosync ?? false,
    },
  })
  // YAML 1.1 output quotes on/off/yes/no, which PyYAML (Patroni) would otherwise read as booleans.
  return stringify(config, { version: '1.1', lineWidth: 0 })
}
