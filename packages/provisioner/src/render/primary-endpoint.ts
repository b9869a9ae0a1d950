import { checkHost, checkList, checkNodeName, checkPort } from './spec-checks.js'

/** One member of the cluster the endpoint leads to. */
export interface EndpointMember {
  readonly name: string
  /** Its address: PostgreSQL and Patroni's REST API listen there. */
  readonly host: string
}

/** A local TCP endpoint that always leads to the current primary of a Patroni cluster. */
export interface PrimaryEndpointSpec {
  /** Where it listens, e.g. the DR host's loopback. */
  readonly listen: { readonly host: string; readonly port: number }
  readonly members: readonly EndpointMember[]
  /** Default 5432. */
  readonly pgPort?: number
  /** Patroni's REST port, asked `GET /primary`. Default 8008. */
  readonly restPort?: number
}

/**
 * Render an HAProxy config (2.2 or later) for one endpoint to a Patroni cluster's primary: the member
 * whose Patroni answers `GET /primary` 200 (https://patroni.readthedocs.io/en/latest/rest_api.html),
 * checked every second, 250 ms apart while a check fails, out after 2 failures, in after 1 success;
 * sessions to a member marked down are shut (`on-marked-down shutdown-sessions`), so a client on a
 * deposed primary reconnects to the new one. `balance first`: one member at a time. `retries 0`: a
 * connect that fails closes the client's session at once (the client retries), see the comment below.
 *
 * Why the DR standby cluster needs it (found on the lab): given every primary DB host, Patroni streams
 * with `target_session_attrs=read-write`, but asks the remote timeline (to decide on pg_rewind) of the
 * first host that accepts a replication connection. A leader partitioned from its peers but not from
 * the DR host streams WAL there until it demotes, WAL the new leader's timeline forked before; the old
 * leader, now a replica on the old timeline, then answers first, and the standby neither rewinds nor
 * streams until that host rejoins. Through this endpoint both the stream and the check reach the new
 * leader: the standby rewinds within seconds of the promotion (Patroni docs, standby_cluster: "a single
 * endpoint that connects to a primary").
 *
 * @example
 * ```ts
 * renderPrimaryEndpoint({ listen: { host: '127.0.0.1', port: 5433 }, members: [{ name: 'db1', host: '10.0.1.10' }] })
 * ```
 */
export function renderPrimaryEndpoint(spec: PrimaryEndpointSpec): string {
  const host = checkHost('listen.host', spec.listen.host)
  const port = checkPort('listen.port', spec.listen.port)
  const pgPort = checkPort('pgPort', spec.pgPort ?? 5432)
  const restPort = checkPort('restPort', spec.restPort ?? 8008)
  const members = checkList('members', spec.members, (field, m) => ({ name: checkNodeName(`${field}.name`, m.name), host: checkHost(`${field}.host`, m.host) }))
  return [
    '# Rendered by @birthday-ha/provisioner: one endpoint to the Patroni primary.',
    'global',
    '    log /dev/log local0 notice',
    '    maxconn 256',
    '',
    'defaults',
    '    mode tcp',
    '    log global',
    '    timeout connect 3s',
    // a replication stream and a base backup are long-lived: the protocol's keepalives keep them busy
    '    timeout client 30m',
    '    timeout server 30m',
    '    timeout check 2s',
    '',
    'listen primary',
    `    bind ${host}:${port}`,
    '    balance first',
    // HAProxy 3.0 (Debian 13): a session whose connect failed and awaits its retry when the member is marked
    // down is never closed, not even by the client timeout; a DR walreceiver connecting as the primary
    // powered off hung there for good (found on the lab). With no retry the session closes at the failed
    // connect, and PostgreSQL's walreceiver retries on its own (wal_retrieve_retry_interval).
    '    retries 0',
    '    option httpchk',
    '    http-check send meth GET uri /primary',
    '    http-check expect status 200',
    `    default-server check port ${restPort} inter 1s fastinter 250ms downinter 1s fall 2 rise 1 on-marked-down shutdown-sessions`,
    ...members.map((m) => `    server ${m.name} ${m.host}:${pgPort}`),
    '',
  ].join('\n')
}
