// HaPgClient through a switchover, a kill -9 and a SIGSTOP of the leader's Patroni, on Patroni 3.0.2.
import { failoverSuite } from './fixtures/failover-suite.js'

failoverSuite({ name: 'client-failover', basePort: 26000, patroni: '3', faults: ['switchover', 'kill -9', 'SIGSTOP'] })
