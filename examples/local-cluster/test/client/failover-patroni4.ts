// HaPgClient on Debian 13's Patroni 4.0.7 (ttl raised to 20, so a lease of 9.5 s and a default deadline of 28 s):
// a kill -9 of the leader and a SIGSTOP of its Patroni. Patroni 4 has the fix of patroni PR #2689, so the
// resumed leader must not take the key back.
import { failoverSuite } from './fixtures/failover-suite.js'

// 40 s, not the client's default (ttl + 2·loop_wait + retry_timeout + 2 s = 28 s). The default bounds a promotion
// on hosts with CPU to spare (the lab's hosts: 24–26 s after a partition, 0 failed writes in `npm run bench:lab`),
// but this suite runs 8 clusters at once on 2 cores, where a Patroni 4 loop can take seconds: with the default,
// 2 of 534 writes failed (HAPG_FAILOVER_TIMEOUT, old 25 s default, 2026-12-01) and 12 of ~550 in the CI run of
// 2026-12-02 (28 s), both on a kill -9 whose promotion alone is 19–22 s. The deadline's formula is unit-tested in
// packages/ha-pg-client; this test is about the retries and fencing through the fault.
failoverSuite({ name: 'client-failover-p4', basePort: 26560, patroni: '4', faults: ['kill -9', 'SIGSTOP'], failoverDeadlineMs: 40_000 })
