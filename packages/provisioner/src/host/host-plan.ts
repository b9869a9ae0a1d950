import { addresses } from '../plan/addresses.js'
import type { SecretName } from '../plan/secret-names.js'
import type { HostRole } from '../plan/host-role.js'
import { PATRONI_TIMING_PROFILES, renderEtcdConfig, renderPatroniConfig, renderPostBootstrapSql } from '../render/index.js'
import type { Stack } from '../stack/schema.js'
import { archiveCommand, renderPgBackrestConf, restoreCommand } from './pgbackrest.js'
import { appUnit, backupUnits, etcdUnit, patroniUnit } from './units.js'

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
}

/** Everything a host gets: an idempotent install script and its files. */
export interface HostPlan {
  readonly host: HostSpec
  readonly install: string
  readonly files: readonly HostFile[]
}

const CONF = '/etc/birthday-ha'

/** The hosts of a stack with their fixed addresses (no bastion: it only forwards SSH). */
export function stackHosts(stack: Stack): readonly HostSpec[] {
  const a = addresses(stack)
  return [
    ...a.primary.db.map((ip, i) => ({ key: `primary/host/db-${i + 1}`, name: `db${i + 1}`, role: 'db' as const, ip })),
    { key: 'dr/host/db-1', name: 'dr1', role: 'dr-db' as const, ip: a.dr.db },
    ...a.primary.app.map((x, j) => ({ key: `primary/host/app-${j + 1}`, name: `app${j + 1}`, role: 'app' as const, ip: x.ip })),
  ]
}

/** Install PostgreSQL, pgBackRest, etcd and a pinned Patroni from apt.postgresql.org (the fix of patroni PR #2689). */
export function dbInstallScript(stack: Stack): string {
  const v = stack.database.patroniVersion
  const pg = stack.database.postgresMajor
  return [
    'set -eu',
    'export DEBIAN_FRONTEND=noninteractive',
    `if [ "$(dpkg-query -W -f='\${Version}' patroni 2>/dev/null || true)" != '${v}' ]; then`,
    '  apt-get update -qq',
    '  apt-get install -y -qq postgresql-common curl ca-certificates',
    '  /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y',
    `  apt-get install -y -qq postgresql-${pg} 'patroni=${v}' etcd-server etcd-client pgbackrest python3-psycopg2`,
    'fi',
    // Debian's own cluster and etcd must not run: Patroni and our etcd unit own them.
    `pg_dropcluster --stop ${pg} main 2>/dev/null || true`,
    'systemctl disable --now etcd 2>/dev/null || true',
    `install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/${pg}/birthday /var/log/birthday-ha /var/run/birthday-ha`,
    'install -d -o etcd -g etcd -m 0700 /var/lib/etcd/birthday',
    `install -d -o root -g root -m 0755 ${CONF}`,
  ].join('\n')
}

/** Install the pinned Node.js runtime, verified by its sha256, and the service user. */
export function appInstallScript(stack: Stack): string {
  const { nodeVersion: v, nodeSha256: sum } = stack.app
  const tarball = `node-v${v}-linux-x64.tar.xz`
  return [
    'set -eu',
    `if [ "$(/opt/node/bin/node --version 2>/dev/null || true)" != 'v${v}' ]; then`,
    `  curl -fsSLo /tmp/${tarball} https://nodejs.org/dist/v${v}/${tarball}`,
    `  echo '${sum}  /tmp/${tarball}' | sha256sum -c -`,
    `  rm -rf /opt/node && mkdir -p /opt/node && tar -xJf /tmp/${tarball} -C /opt/node --strip-components=1 && rm /tmp/${tarball}`,
    'fi',
    'id birthday >/dev/null 2>&1 || useradd --system --home-dir /opt/birthday --shell /usr/sbin/nologin birthday',
    `install -d -o root -g root -m 0755 /opt/birthday/releases ${CONF}`,
  ].join('\n')
}

/** The pgBackRest stanza of a stack. */
export const stanzaOf = (stack: Stack): string => stack.name

/** Render every file of one host. */
export function hostPlan(stack: Stack, host: HostSpec, secrets: Secrets): HostPlan {
  const a = addresses(stack)
  const pg = stack.database.postgresMajor
  const hosts = stackHosts(stack)
  const db = hosts.filter((h) => h.role === 'db')
  if (host.role === 'app') {
    const dbUrl = `postgresql://${stack.database.appUser}:${encodeURIComponent(secrets['app-password'])}@${db.map((h) => `${h.ip}:5432`).join(',')}/${stack.database.name}?target_session_attrs=read-write`
    const env = [
      'HOST=0.0.0.0',
      `PORT=${stack.app.port}`,
      `DATABASE_URL=${dbUrl}`,
      `PATRONI_URLS=${db.map((h) => `http://${h.ip}:8008`).join(',')}`,
      'LOG_LEVEL=info',
      `DRAIN_DELAY_MS=${Math.max(stack.alb.deregistrationDelaySeconds, 5) * 1000}`,
    ]
    return {
      host,
      install: appInstallScript(stack),
      files: [
        { path: `${CONF}/app.env`, content: `${env.join('\n')}\n`, mode: 0o600, owner: 'birthday:birthday' },
        { ...appUnit(stack.alb.deregistrationDelaySeconds + 45), mode: 0o644, owner: 'root:root' },
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
      socketDir: '/var/run/birthday-ha',
      logDir: '/var/log/birthday-ha',
      pgpassFile: '/var/lib/postgresql/.pgpass_patroni',
    },
    superuser: cred('postgres', 'superuser-password'),
    replication: cred('replicator', 'replication-password'),
    rewind: cred('rewinder', 'rewind-password'),
    app: { username: stack.database.appUser, database: stack.database.name },
    postBootstrapSqlFile: `${CONF}/post-bootstrap.sql`,
    hba: { clusterCidrs: [...a.primary.privateSubnets, a.dr.privateSubnet], appCidrs: a.primary.privateSubnets },
    timing: PATRONI_TIMING_PROFILES.production,
    synchronousMode: dr ? false : stack.database.synchronousMode,
    walArchive: { command: archiveCommand(stanza), timeoutSeconds: 60 },
    // The DR host is a separate standby cluster: the primary's etcd never sees it, so it can
    // never be elected there. Promotion is an explicit operator action (promote-dr).
    ...(dr ? { standbyCluster: { host: a.primary.db[0]!, port: 5432, createReplicaMethods: ['basebackup'], restoreCommand: restoreCommand(stanza) } } : {}),
  })
  const bucketRegion = stack.backups.bucketRegion ?? stack.primary.region
  return {
    host,
    install: dbInstallScript(stack),
    files: [
      { path: '/etc/apt/preferences.d/birthday-patroni', content: `Package: patroni\nPin: version ${stack.database.patroniVersion}\nPin-Priority: 1001\n`, mode: 0o644, owner: 'root:root' },
      { path: `${CONF}/etcd.yml`, content: etcd, mode: 0o640, owner: 'root:etcd' },
      { path: `${CONF}/patroni.yml`, content: patroni, mode: 0o600, owner: 'postgres:postgres' },
      {
        path: `${CONF}/post-bootstrap.sql`,
        content: renderPostBootstrapSql({ app: { username: stack.database.appUser, password: secrets['app-password'], database: stack.database.name } }),
        mode: 0o600,
        owner: 'postgres:postgres',
      },
      // curl --netrc-file: the REST password never appears on a command line.
      { path: `${CONF}/rest.netrc`, content: `machine ${host.ip} login patroni password ${secrets['rest-password']}\n`, mode: 0o600, owner: 'root:root' },
      {
        path: '/etc/pgbackrest.conf',
        content: renderPgBackrestConf({
          stanza,
          repo: { type: 's3', bucket: stack.backups.bucket, region: bucketRegion, path: `/birthday-ha/${stack.name}` },
          dataDir: `/var/lib/postgresql/${pg}/birthday`,
          port: 5432,
          socketDir: '/var/run/birthday-ha',
          retentionFull: stack.backups.retentionFull,
        }),
        mode: 0o640,
        owner: 'postgres:postgres',
      },
      ...[etcdUnit(), patroniUnit(), ...(dr ? [] : backupUnits(stanza))].map((u) => ({ ...u, mode: 0o644, owner: 'root:root' })),
    ],
  }
}
