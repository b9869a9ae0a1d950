// A local replica of the production topology (Patroni cluster, hello-service instances, haproxy as
// the load balancer), with the paced load generator and ack-log verification the resilience suite uses.
export { startTopology, attachTopology, type Topology, type TopologyOptions } from './topology.js'
export { rollingRestart } from './rolling-restart.js'
export { LoadGenerator, type LoadGeneratorOptions, type RequestRecord, type Sender, type UserLog } from './load-generator.js'
export { httpSender } from './http-sender.js'
export { verifyAcks, type AckVerification } from './ack-verification.js'
export { summarize, type LoadSummary } from './load-report.js'
export type { ScenarioRow } from './resilience/report-table.js'
export { renderAppHaproxyConfig, type AppHaproxyOptions } from './haproxy-config.js'
export { startAppHaproxy, type AppHaproxy } from './haproxy-process.js'
export { HaDemoError, HA_DEMO_ERROR_CODES, type HaDemoErrorCode } from './errors.js'
