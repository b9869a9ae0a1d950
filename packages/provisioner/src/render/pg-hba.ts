import { checkCidr, checkList, checkRoleName } from './spec-checks.js'

/** Who may connect from where; see {@link renderPgHba}. */
export interface PgHbaSpec {
  /** PostgreSQL superuser (Patroni's `authentication.superuser`). */
  readonly superuser: string
  /** Replication role (Patroni's `authentication.replication`). */
  readonly replication: string
  /** pg_rewind role (Patroni's `authentication.rewind`). */
  readonly rewind: string
  /** The application role and the only database it may reach. */
  readonly app: { readonly username: string; readonly database: string }
  /** CIDRs of the database nodes themselves (Patroni connects over TCP, also to its own node). */
  readonly clusterCidrs: readonly string[]
  /** CIDRs the application connects from. */
  readonly appCidrs: readonly string[]
  /**
   * How the superuser logs in over the local socket. Default `scram-sha-256`. `peer` lets only the
   * OS user of the same name in without a password (Debian's default), which tools running as
   * `postgres` need: pgBackRest's `stanza-create`/`check` failed with "fe_sendauth: no password
   * supplied" on a real host under scram.
   */
  readonly localSuperuserAuth?: 'scram-sha-256' | 'peer'
}

// Single spaces, not tabs: PyYAML (Patroni) rejects tabs inside plain scalars.
const line = (...fields: string[]): string => fields.join(' ')

/**
 * Renders least-privilege `pg_hba.conf` lines, one string per line (the shape of Patroni's
 * `postgresql.pg_hba`; join with `\n` for a file). scram-sha-256 everywhere:
 * the superuser over the local socket and from the cluster CIDRs, replication and rewind
 * from the cluster CIDRs only (rewind to the `postgres` database), the app role to its own
 * database from the app CIDRs, then an explicit reject of everything else.
 *
 * @throws {RenderError} `PROV_RENDER_INVALID_SPEC` for a bad role name or CIDR.
 * @example
 * ```ts
 * const lines = renderPgHba({
 *   superuser: 'postgres', replication: 'replicator', rewind: 'rewind_user',
 *   app: { username: 'birthday_app', database: 'birthday' },
 *   clusterCidrs: ['127.0.0.1/32'], appCidrs: ['127.0.0.1/32'],
 * })
 * // lines[0] === 'local all postgres scram-sha-256'
 * ```
 */
export function renderPgHba(spec: PgHbaSpec): string[] {
  const superuser = checkRoleName('superuser', spec.superuser)
  const replication = checkRoleName('replication', spec.replication)
  const rewind = checkRoleName('rewind', spec.rewind)
  const app = checkRoleName('app.username', spec.app.username)
  const database = checkRoleName('app.database', spec.app.database)
  const clusterCidrs = checkList('clusterCidrs', spec.clusterCidrs, checkCidr)
  const appCidrs = checkList('appCidrs', spec.appCidrs, checkCidr)
  const auth = 'scram-sha-256'
  return [
    line('local', 'all', superuser, spec.localSuperuserAuth === 'peer' ? 'peer' : auth),
    ...clusterCidrs.map((cidr) => line('host', 'all', superuser, cidr, auth)),
    ...clusterCidrs.map((cidr) => line('host', 'replication', replication, cidr, auth)),
    ...clusterCidrs.map((cidr) => line('host', 'postgres', rewind, cidr, auth)),
    ...appCidrs.map((cidr) => line('host', database, app, cidr, auth)),
    line('local', 'all', 'all', 'reject'),
    line('local', 'replication', 'all', 'reject'),
    line('host', 'all', 'all', '0.0.0.0/0', 'reject'),
    line('host', 'replication', 'all', '0.0.0.0/0', 'reject'),
    line('host', 'all', 'all', '::/0', 'reject'),
    line('host', 'replication', 'all', '::/0', 'reject'),
  ]
}
