import { chown, mkdir, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { renderEtcdConfig, renderPatroniConfig, renderPostBootstrapSql } from '@birthday-ha/provisioner/render'
import type { ClusterLayout, EtcdLayout, NodeLayout } from './layout.js'
import { installRestTls } from './rest-tls.js'
import type { ClusterCredentials } from './state-file.js'

/** uid/gid of the `postgres` user, which Patroni and PostgreSQL run as. */
export interface PostgresUser {
  readonly uid: number
  readonly gid: number
}

/** Looks up the `postgres` user (created by Debian's postgresql package). */
export function postgresUser(): PostgresUser {
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()))
  return { uid: uid as number, gid: gid as number }
}

const etcdUrl = (port: number): string => `http://127.0.0.1:${port}`

/** Renders and writes etcd member `member`'s config file (the same renderer the AWS provisioner uses). */
export async function writeEtcdConfig(layout: ClusterLayout, member: EtcdLayout): Promise<void> {
  await mkdir(member.dir, { recursive: true, mode: 0o700 })
  const yml = renderEtcdConfig({
    name: member.name,
    dataDir: `${member.dir}/data`,
    clientUrl: etcdUrl(member.clientPort),
    peerUrl: etcdUrl(member.peerPort),
    initialCluster: layout.etcd.map((m) => ({ name: m.name, peerUrl: etcdUrl(m.peerPort) })),
    initialClusterToken: `${layout.name}-${layout.basePort}`,
  })
  await writeFile(member.configFile, yml, { mode: 0o600 })
}

/**
 * Renders and writes a node's `patroni.yml` and post-bootstrap SQL, and creates its directories,
 * owned by `postgres`, mode 0700 (PostgreSQL refuses anything looser).
 */
export async function writeNodeConfig(layout: ClusterLayout, node: NodeLayout, credentials: ClusterCredentials,
  owner: PostgresUser): Promise<void> {
  for (const dir of [node.dir, node.socketDir, node.logDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chown(dir, owner.uid, owner.gid)
  }
  const loopback = ['127.0.0.1/32']
  const tls = layout.restTls === undefined ? undefined : { ...(await installRestTls(layout.restTls, node, owner)), verifyClient: 'required' as const }
  const yml = renderPatroniConfig({
    scope: layout.name,
    name: node.name,
    namespace: '/service/',
    restApi: {
      listen: `${layout.host}:${node.restPort}`,
      connectAddress: `${layout.host}:${node.restPort}`,
      auth: credentials.restApi,
      ...(tls !== undefined && { tls }),
    },
    etcdHosts: layout.etcd.map((m) => `${layout.host}:${m.clientPort}`),
    postgres: {
      listen: `${layout.host}:${node.pgPort}`,
      connectAddress: `${layout.host}:${node.pgPort}`,
      dataDir: node.dataDir,
      binDir: '/usr/lib/postgresql/15/bin',
      socketDir: node.socketDir,
      logDir: node.logDir,
      pgpassFile: node.pgpassFile,
      parameters: { shared_buffers: '32MB' },
    },
    superuser: { username: credentials.superuser.user, password: credentials.superuser.password },
    replication: { username: credentials.replication.user, password: credentials.replication.password },
    rewind: { username: credentials.rewind.user, password: credentials.rewind.password },
    app: { username: credentials.app.user, database: credentials.app.database },
    postBootstrapSqlFile: node.postBootstrapSqlFile,
    hba: { clusterCidrs: loopback, appCidrs: loopback },
    timing: layout.timing,
    patroniMajor: layout.patroni === '4' ? 4 : 3,
    synchronousMode: layout.synchronousMode,
    tags: node.dr ? { nofailover: true, noloadbalance: true, nosync: true } : {},
    watchdog: 'off', // no /dev/watchdog on these machines
  })
  const sql = renderPostBootstrapSql({
    app: { username: credentials.app.user, password: credentials.app.password, database: credentials.app.database },
  })
  for (const [file, text] of [[node.configFile, yml], [node.postBootstrapSqlFile, sql]] as const) {
    await writeFile(file, text, { mode: 0o600 })
    await chown(file, owner.uid, owner.gid)
  }
}
