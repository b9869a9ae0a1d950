// The failover benchmark's parts, for a bench on other hosts (examples/lab's `npm run bench:lab`).
export { runRound, TUNED_CHECK, type BenchCluster, type BenchFault, type BenchMember, type Injected, type RoundOptions } from './round.js'
export { serverOf } from './write-load.js'
export { analyse, table, FAULTS, UNDONE_FAULTS, type Fault, type FaultLog, type Row } from './analyse.js'
export { benchRetryPolicy, withRetries, type RetryPolicy } from './retry.js'
export { ensureMaxConnections, type ConfigurableCluster } from './max-connections.js'
export { PG_NATIVE_HINT, type Credentials, type Target } from './writers.js'
