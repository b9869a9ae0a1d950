import { stringify } from 'yaml'
import { RenderError } from './render-error.js'
import { checkHttpUrl, checkList, checkNodeName, checkPath, checkPositiveInt } from './spec-checks.js'

/** One etcd 3.4 or 3.5 member; see {@link renderEtcdConfig}. */
export interface EtcdMemberSpec {
  /** This member's name; must appear in `initialCluster`. */
  readonly name: string
  readonly dataDir: string
  /** Client URL to advertise, e.g. `http://10.0.1.10:2379`. */
  readonly clientUrl: string
  /** Peer URL to advertise, e.g. `http://10.0.1.10:2380`. */
  readonly peerUrl: string
  /** Client URLs to listen on. Default `[clientUrl]`. */
  readonly listenClientUrls?: readonly string[]
  /** Peer URLs to listen on. Default `[peerUrl]`. */
  readonly listenPeerUrls?: readonly string[]
  /** All members (this one included) with their peer URLs. */
  readonly initialCluster: readonly { readonly name: string; readonly peerUrl: string }[]
  /** `new` to bootstrap, `existing` to join. Default `new`. */
  readonly initialClusterState?: 'new' | 'existing'
  /** Unique per cluster, so two clusters on one network never merge. */
  readonly initialClusterToken: string
  /** Raft heartbeat in ms. Default etcd's 100. */
  readonly heartbeatIntervalMs?: number
  /** Raft election timeout in ms. Default etcd's 1000. */
  readonly electionTimeoutMs?: number
}

/**
 * Renders an etcd 3.4 / 3.5 YAML file for `etcd --config-file`. The v2 API stays off (Patroni uses its
 * `etcd3:` section) and the v3 grpc-gateway on (a config file would leave it off), logging goes
 * to stderr through zap. Start etcd with a clean environment: it also reads `ETCD_*` variables,
 * and a stray one can make it exit. A systemd service already gets one (only what its unit sets);
 * never wrap a `Type=notify` etcd in `env -i`, which drops `NOTIFY_SOCKET`.
 *
 * @throws {RenderError} `PROV_RENDER_INVALID_SPEC` for a bad name, URL or path, or when `name`
 *   is missing from `initialCluster` or listed there with another peer URL.
 * @example
 * ```ts
 * const yml = renderEtcdConfig({
 *   name: 'etcd1', dataDir: '/var/lib/etcd/birthday',
 *   clientUrl: 'http://10.0.1.10:2379', peerUrl: 'http://10.0.1.10:2380',
 *   listenClientUrls: ['http://10.0.1.10:2379', 'http://127.0.0.1:2379'],
 *   initialCluster: [{ name: 'etcd1', peerUrl: 'http://10.0.1.10:2380' }, { name: 'etcd2', peerUrl: 'http://10.0.2.10:2380' }],
 *   initialClusterToken: 'birthday-etcd',
 * })
 * ```
 */
export function renderEtcdConfig(spec: EtcdMemberSpec): string {
  const name = checkNodeName('name', spec.name)
  const clientUrl = checkHttpUrl('clientUrl', spec.clientUrl)
  const peerUrl = checkHttpUrl('peerUrl', spec.peerUrl)
  const members = checkList('initialCluster', spec.initialCluster, (field, member) => ({
    name: checkNodeName(`${field}.name`, member.name),
    peerUrl: checkHttpUrl(`${field}.peerUrl`, member.peerUrl),
  }))
  const self = members.find((member) => member.name === name)
  if (self?.peerUrl !== peerUrl) {
    throw new RenderError('PROV_RENDER_INVALID_SPEC', 'initialCluster', `must list ${name}=${peerUrl}`)
  }
  const config: Record<string, string | number | boolean | string[]> = {
    name,
    'data-dir': checkPath('dataDir', spec.dataDir),
    'listen-client-urls': checkList('listenClientUrls', spec.listenClientUrls ?? [clientUrl], checkHttpUrl).join(','),
    'advertise-client-urls': clientUrl,
    'listen-peer-urls': checkList('listenPeerUrls', spec.listenPeerUrls ?? [peerUrl], checkHttpUrl).join(','),
    'initial-advertise-peer-urls': peerUrl,
    'initial-cluster': members.map((member) => `${member.name}=${member.peerUrl}`).join(','),
    'initial-cluster-state': spec.initialClusterState ?? 'new',
    'initial-cluster-token': checkNodeName('initialClusterToken', spec.initialClusterToken),
    'enable-v2': false,
    // Patroni's etcd3 client speaks the grpc-gateway (/v3/...). The flag defaults to on, but a
    // config file leaves it off unless set (measured: 404 on /v3/cluster/member/list).
    'enable-grpc-gateway': true,
    logger: 'zap',
    'log-outputs': ['stderr'], // a list: etcd 3.4 rejects a string here
  }
  if (spec.heartbeatIntervalMs !== undefined) {
    config['heartbeat-interval'] = checkPositiveInt('heartbeatIntervalMs', spec.heartbeatIntervalMs)
  }
  if (spec.electionTimeoutMs !== undefined) {
    config['election-timeout'] = checkPositiveInt('electionTimeoutMs', spec.electionTimeoutMs)
  }
  return stringify(config, { lineWidth: 0 })
}
