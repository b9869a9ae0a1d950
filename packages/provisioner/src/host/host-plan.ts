import { createHash } from 'node:crypto'
import { parse } from 'yaml'
import { addresses } from '../plan/addresses.js'
import type { SecretName } from '../plan/secret-names.js'
import type { HostRole } from '../plan/host-role.js'
import { PATRONI_TIMING_PROFILES, renderEtcdConfig, renderPatroniConfig, renderPostBootstrapSql, renderPrimaryEndpoint, type PatroniTiming } from '../render/index.js'
import type { Stack } from '../stack/schema.js'
import { APP_ENV, appEnv } from './app-env.js'
import { appInstallScript, CONF, dbInstallScript } from './install-scripts.js'
import { archiveCommand, renderPgBackrestConf, restoreCommand, type PgBackrestSpec } from './pgbackrest.js'
import { appUnit, backupUnits, etcdUnit, patroniUnit, primaryEndpointUnit, SOCKET_DIR, type UnitFile } from './units.js'

/** Secret values by name, read from SSM Parameter Store. Never logged. */
export type Secrets = Readonly<Record<SecretName, string>>

/** A host to configure. */
export interface HostSpec {
  readonly key: string
  readonly name: string
  readonly role: HostRole
  readonly ip: string
}

/** A file to place on a host. */
export interface HostFile {
  readonly path: string
  readonly content: string
  readonly mode: number
  readonly owner: string
  /** The units that must restart when this file changes (none: read on use, or at bootstrap only). */
  readonly units: readonly string[]
}

/** Where pgBackRest keeps backups and WAL: the stack's S3 bucket, or a directory shared by every DB host. */
export type BackupRepository = { readonly type: 's3' } | { readonly type: 'posix'; readonly path: string }

/** What the target decides about the hosts, beyond the stack file. */
export interface HostEnvironment {
  /** Patroni timing (default the `production` profile). */
  readonly timing?: PatroniTiming
  /** Default: the stack's S3 bucket (`backups.bucket`). */
  readonly backupRepository?: BackupRepository
}

/** Everything a host gets: an idempotent install script and its files. */
export interface HostPlan {
  readonly host: HostSpec
  readonly install: string
  readonly files: readonly HostFile[]
}

/** The hosts of a stack with their fixed addresses (no bastion: it only forwards SSH). */
export function stackHosts(stack: Stack): readonly HostSpec[] {
  const a = addresses(stack)
  return [
    ...a.primary.db.map((ip, i) => ({ key: `primary/host/db-${i + 1}`, name: `db${i + 1}`, role: 'db' as const, ip })),
    { key: 'dr/host/db-1', name: 'dr1', role: 'dr-db' as const, ip: a.dr.db },
    ...a.primary.app.map((x, j) => ({ key: `primary/host/app-${j + 1}`, name: `app${j + 1}`, role: 'app' as const, ip: x.ip })),
  ]
}

/**
 * On the DR host: the primary region's repository, read while it is a standby (`restore_command`).
 * Its own `/etc/pgbackrest.conf` names a repository of its own, which it archives to once promoted:
 * after `promote-dr` the two regions never write one archive (found on the lab: the old primary
 * region, booted again, resumed its leader key, promoted, and archived its own timeline 2 where the
 * DR host's timeline 2 went; the DR host's archiving then failed on every segment).
 */
export const UPSTREAM_BACKREST_CONF = '/etc/pgbackrest-upstream.conf'

/** Where each region's cluster archives and backs up. */
function repositories(stack: Stack, env: HostEnvironment): { readonly primary: PgBackrestSpec['repo']; readonly dr: PgBackrestSpec['repo'] } {
  const repo = env.backupRepository ?? { type: 's3' }
  if (repo.type === 'posix') return { primary: repo, dr: { type: 'posix', path: `${repo.path}-dr` } }
  const b = stack.backups
  const path = `/birthday-ha/${stack.name}`
  return {
    primary: { type: 's3', bucket: b.bucket, region: b.bucketRegion ?? stack.primary.region, path },
    dr: b.drBucket === undefined
      ? { type: 's3', bucket: b.bucket, region: b.drBucketRegion ?? b.bucketRegion ?? stack.primary.region, path: `${path}-dr` }
      : { type: 's3', bucket: b.drBucket, region: b.drBucketRegion ?? stack.dr.region, path },
  }
}

/**
 * On the DR host: HAProxy's config for the endpoint its standby cluster streams from, which always leads
 * to the primary region's leader (see `renderPrimaryEndpoint` for why a list of hosts is not enough).
 */
export const PRIMARY_ENDPOINT_CFG = `${CONF}/primary-endpoint.cfg`

/** Where that endpoint listens on the DR host. */
export const PRIMARY_ENDPOINT = { host: '127.0.0.1', port: 5433 } as const

/** The physical slot the primary cluster keeps for the DR standby cluster. */
export const DR_SLOT = 'dr_standby'

/** Where a DB host's Patroni config lives. */
export const PATRONI_YML = `${CONF}/patroni.yml`

/** Where the stamp of `patroni.yml`'s runtime part lives; its change is what restarts Patroni. */
export const PATRONI_RUNTIME_STAMP = `${CONF}/patroni.runtime.sha256`

/**
 * The SHA-256 of `patroni.yml` without its `bootstrap` section, which Patroni reads only when it creates
 * a cluster: it changes exactly when the running Patroni must restart. (Its input holds the REST and
 * PostgreSQL passwords, so the file is kept 0600 all the same.)
 */
export function runtimeStamp(patroniYml: string): string {
  const { bootstrap: _bootstrap, ...runtime } = parse(patroniYml, { version: '1.1' }) as Record<string, unknown>
  return `${createHash('sha256').update(JSON.stringify(runtime)).digest('hex')}\n`
}

/** A DB host plan's `patroni.yml`, with its mode and owner. */
export const patroniFile = (p: HostPlan): HostFile => p.files.find((f) => f.path === PATRONI_YML)!

/** The pgBackRest stanza of a stack. */
export const stanzaOf = (stack: Stack): string => stack.name

const unitFile = (u: UnitFile): HostFile => ({ path: u.path, content: u.content, mode: 0o644, owner: 'root:root', units: [u.name] })

/**
 * Which region leads. `dr`: after `promote-dr`, while the primary region is rebuilt as a standby
 * cluster of the DR host (`rebuildPrimary`) until `failBack`; only the primary DB hosts' Patroni
 * bootstrap differs.
 */
export type LeadingRegion = 'primary' | 'dr'

/** Render every file of one host (pure: the same inputs always give the same files). */
export function hostPlan(stack: Stack, host: HostSpec, secrets: Secrets, env: HostEnvironment = {}, leading: LeadingRegion = 'primary'): HostPlan {
  const a = addresses(stack)
  const pg = stack.database.postgresMajor
  const hosts = stackHosts(stack)
  const db = hosts.filter((h) => h.role === 'db')
  if (host.role === 'app') {
    const app = appUnit(stack.alb.deregistrationDelaySeconds + 45)
    return {
      host,
      install: appInstallScript(stack),
      files: [
        { path: APP_ENV, content: appEnv(stack, secrets, db.map((h) => h.ip)), mode: 0o600, owner: 'birthday:birthday', units: [app.name] },
        unitFile(app),
      ],
    }
  }
  const dr = host.role === 'dr-db'
  const members = dr ? [host] : db
  const stanza = stanzaOf(stack)
  const etcd = renderEtcdConfig({
    name: host.name,
    dataDir: '/var/lib/etcd/birthday',
    clientUrl: `http://${host.ip}:2379`,
    peerUrl: `http://${host.ip}:2380`,
    listenClientUrls: [`http://${host.ip}:2379`, 'http://127.0.0.1:2379'],
    initialCluster: members.map((m) => ({ name: m.name, peerUrl: `http://${m.ip}:2380` })),
    initialClusterToken: dr ? `${stack.name}-dr-etcd` : `${stack.name}-etcd`,
  })
  const cred = (username: string, key: SecretName) => ({ username, password: secrets[key] })
  const patroni = renderPatroniConfig({
    scope: dr ? `${stack.name}-dr` : stack.name,
    name: host.name,
    restApi: { listen: `${host.ip}:8008`, connectAddress: `${host.ip}:8008`, auth: cred('patroni', 'rest-password') },
    etcdHosts: members.map((m) => `${m.ip}:2379`),
    postgres: {
      listen: `${host.ip}:5432`,
      connectAddress: `${host.ip}:5432`,
      dataDir: `/var/lib/postgresql/${pg}/birthday`,
      binDir: `/usr/lib/postgresql/${pg}/bin`,
      socketDir: SOCKET_DIR,
      logDir: '/var/log/birthday-ha',
      pgpassFile: '/var/lib/postgresql/.pgpass_patroni',
    },
    superuser: cred('postgres', 'superuser-password'),
    replication: cred('replicator', 'replication-password'),
    rewind: cred('rewinder', 'rewind-password'),
    app: { username: stack.database.appUser, database: stack.database.name },
    postBootstrapSqlFile: `${CONF}/post-bootstrap.sql`,
    // peer for the local superuser: pgBackRest (stanza-create, check, backup) runs as the OS user postgres.
    hba: { clusterCidrs: [...a.primary.privateSubnets, a.dr.privateSubnet], appCidrs: a.primary.privateSubnets, localSuperuserAuth: 'peer' },
    timing: env.timing ?? PATRONI_TIMING_PROFILES.production,
    patroniMajor: Number(stack.database.patroniVersion.split('.')[0]) >= 4 ? 4 : 3,
    synchronousMode: dr ? false : stack.database.synchronousMode,
    walArchive: { command: archiveCommand(stanza), timeoutSeconds: 60 },
    // The DR host is a separate standby cluster: the primary's etcd never sees it, so it can
    // never be elected there. Promotion is an explicit operator action (promote-dr). It streams
    // through a local endpoint to whichever primary DB host leads now, with a slot the primary keeps
    // for it, so no WAL it still needs is recycled across a failover.
    ...(dr
      ? { standbyCluster: { host: PRIMARY_ENDPOINT.host, port: PRIMARY_ENDPOINT.port, primarySlotName: DR_SLOT, createReplicaMethods: ['basebackup'], restoreCommand: restoreCommand(stanza, UPSTREAM_BACKREST_CONF) } }
      : { permanentSlots: [DR_SLOT] }),
    // The way back: the rebuilt primary region bootstraps as a standby cluster of the promoted DR host,
    // streaming only: its own archive may hold a timeline the old region made when it came back.
    ...(!dr && leading === 'dr' ? { standbyCluster: { host: a.dr.db, port: 5432, createReplicaMethods: ['basebackup'] } } : {}),
  })
  const repos = repositories(stack, env)
  const own = dr ? repos.dr : repos.primary
  const backrestConf = (repo: PgBackrestSpec['repo']): string => renderPgBackrestConf({
    stanza,
    repo,
    dataDir: `/var/lib/postgresql/${pg}/birthday`,
    port: 5432,
    socketDir: SOCKET_DIR,
    retentionFull: stack.backups.retentionFull,
  })
  const [etcdU, patroniU] = [etcdUnit(), patroniUnit(dr ? { primaryEndpoint: true } : { fenceWhilePrimary: `http://${a.dr.db}:8008/primary` })]
  const endpointU = primaryEndpointUnit(PRIMARY_ENDPOINT_CFG)
  const endpoint = renderPrimaryEndpoint({ listen: PRIMARY_ENDPOINT, members: db.map((h) => ({ name: h.name, host: h.ip })) })
  return {
    host,
    install: dbInstallScript(stack, { ...(own.type === 'posix' ? { repoPath: own.path } : {}), ...(dr ? { primaryEndpoint: true } : {}) }),
    files: [
      { path: `${CONF}/etcd.yml`, content: etcd, mode: 0o640, owner: 'root:etcd', units: [etcdU.name] },
      // Patroni reads `bootstrap` only when it creates a cluster (afterwards the DCS holds the dynamic config,
      // converged by PATCH /config): a change there rewrites the file but restarts nothing. The stamp of
      // the rest of the file is what restarts Patroni (found on the lab: a new bootstrap setting restarted
      // every member, with a switchover, for nothing).
      { path: PATRONI_YML, content: patroni, mode: 0o600, owner: 'postgres:postgres', units: [] },
      { path: PATRONI_RUNTIME_STAMP, content: runtimeStamp(patroni), mode: 0o600, owner: 'root:root', units: [patroniU.name] },
      {
        path: `${CONF}/post-bootstrap.sql`,
        content: renderPostBootstrapSql({ app: { username: stack.database.appUser, password: secrets['app-password'], database: stack.database.name } }),
        mode: 0o600,
        owner: 'postgres:postgres',
        units: [], // read once, at bootstrap
      },
      // curl --netrc-file: the REST password never appears on a command line.
      { path: `${CONF}/rest.netrc`, content: `machine ${host.ip} login patroni password ${secrets['rest-password']}\n`, mode: 0o600, owner: 'root:root', units: [] },
      // read by every pgbackrest command
      { path: '/etc/pgbackrest.conf', content: backrestConf(own), mode: 0o640, owner: 'postgres:postgres', units: [] },
      ...(dr ? [{ path: UPSTREAM_BACKREST_CONF, content: backrestConf(repos.primary), mode: 0o640, owner: 'postgres:postgres', units: [] }] : []),
      ...(dr ? [{ path: PRIMARY_ENDPOINT_CFG, content: endpoint, mode: 0o644, owner: 'root:root', units: [endpointU.name] }, unitFile(endpointU)] : []),
      ...[etcdU, patroniU].map(unitFile),
      // The backup service is a oneshot: a daemon-reload is all a change needs.
      ...(dr ? [] : backupUnits(stanza, `http://${host.ip}:8008`).map((u) => ({ ...unitFile(u), units: u.name.endsWith('.timer') ? [u.name] : [] }))),
    ],
  }
}
