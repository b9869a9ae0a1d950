// HaPgClient on Debian 13's Patroni 4.0.7 (ttl raised to 20, so a lease of 9.5 s and a deadline of 28 s):
// a kill -9 of the leader and a SIGSTOP of its Patroni. Patroni 4 has the fix of patroni PR #2689, so the
// resumed leader must not take the key back.
import { failoverSuite } from './fixtures/failover-suite.js'

// The client's own default deadline (ttl + 2·loop_wait + retry_timeout + 2 s = 28 s). The old default, 25 s, left
// about 4 s after a 20 s promotion: inside the full suite (8 files at once) 2 of 534 writes failed with
// HAPG_FAILOVER_TIMEOUT (2026-12-01), so this test used to give the client 40 s.
failoverSuite({ name: 'client-failover-p4', basePort: 26560, patroni: '4', faults: ['kill -9', 'SIGSTOP'] })
