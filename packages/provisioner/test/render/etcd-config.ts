import t from 'tap'
import { parse } from 'yaml'
import { RenderError, renderEtcdConfig, type EtcdMemberSpec } from '../../src/render/index.js'

t.snapshotFile = new URL('./snapshots/etcd-config.cjs', import.meta.url)

const members = [0, 1, 2].map((i) => ({ name: `etcd${i}`, peerUrl: `http://127.0.0.1:${25001 + 2 * i}` }))
const spec: EtcdMemberSpec = {
  name: 'etcd1',
  dataDir: '/srv/etcd1',
  clientUrl: 'http://127.0.0.1:25002',
  peerUrl: 'http://127.0.0.1:25003',
  initialCluster: members,
  initialClusterToken: 'birthday-etcd',
}

t.test('renders a member of a new 3-member cluster', async (t) => {
  const yml = renderEtcdConfig(spec)
  t.matchSnapshot(yml, 'etcd.yml')
  t.strictSame(parse(yml), {
    name: 'etcd1',
    'data-dir': '/srv/etcd1',
    'listen-client-urls': 'http://127.0.0.1:25002',
    'advertise-client-urls': 'http://127.0.0.1:25002',
    'listen-peer-urls': 'http://127.0.0.1:25003',
    'initial-advertise-peer-urls': 'http://127.0.0.1:25003',
    'initial-cluster': 'etcd0=http://127.0.0.1:25001,etcd1=http://127.0.0.1:25003,etcd2=http://127.0.0.1:25005',
    'initial-cluster-state': 'new',
    'initial-cluster-token': 'birthday-etcd',
    'enable-v2': false,
    'enable-grpc-gateway': true,
    logger: 'zap',
    'log-outputs': ['stderr'],
  })
})

t.test('renders extra listeners, join state and raft timing', async (t) => {
  const config = parse(renderEtcdConfig({
    ...spec,
    listenClientUrls: ['http://127.0.0.1:25002', 'http://10.0.1.10:2379'],
    listenPeerUrls: ['http://127.0.0.1:25003'],
    initialClusterState: 'existing',
    heartbeatIntervalMs: 200,
    electionTimeoutMs: 2000,
  })) as Record<string, unknown>
  t.equal(config['listen-client-urls'], 'http://127.0.0.1:25002,http://10.0.1.10:2379')
  t.equal(config['initial-cluster-state'], 'existing')
  t.equal(config['heartbeat-interval'], 200)
  t.equal(config['election-timeout'], 2000)
})

t.test('rejects inconsistent or bad specs', async (t) => {
  const err = t.throws(() => renderEtcdConfig({ ...spec, name: 'etcd9' }))
  t.type(err, RenderError)
  t.match(err, { code: 'PROV_RENDER_INVALID_SPEC', field: 'initialCluster' })
  t.throws(() => renderEtcdConfig({ ...spec, peerUrl: 'http://127.0.0.1:25009' }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'initialCluster' })
  t.throws(() => renderEtcdConfig({ ...spec, clientUrl: '127.0.0.1:25002' }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'clientUrl' })
  t.throws(() => renderEtcdConfig({ ...spec, initialCluster: [] }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'initialCluster' })
  t.throws(() => renderEtcdConfig({ ...spec, listenPeerUrls: ['ftp://x:1'] }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'listenPeerUrls[0]' })
  t.throws(() => renderEtcdConfig({ ...spec, initialClusterToken: 'a b' }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'initialClusterToken' })
  t.throws(() => renderEtcdConfig({ ...spec, electionTimeoutMs: 1.5 }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'electionTimeoutMs' })
  t.throws(() => renderEtcdConfig({ ...spec, dataDir: '' }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'dataDir' })
})
