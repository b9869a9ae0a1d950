// A real local HA PostgreSQL cluster (etcd + Patroni + PostgreSQL 15) on loopback, with fault helpers.
export { startCluster, attachCluster } from './start-cluster.js'
export type { LocalCluster, MemberInfo } from './cluster.js'
export type { ClusterOptions } from './layout.js'
export { ensureSystemPackages } from './system-packages.js'
export { startHaproxy, type Haproxy, type HaproxyBackend, type HaproxyOptions } from './haproxy.js'
export { LocalClusterError, LOCAL_CLUSTER_ERROR_CODES, type LocalClusterErrorCode } from './errors.js'
