// HaPgClient with pg-native's Client (the real libpq) in its pools, through a switchover and a kill -9 of the
// leader, on Patroni 3.0.2: the custom-Client path, where fencing asks `SELECT pg_is_in_recovery(), …` on each
// checkout because such clients report no ParameterStatus. pg-native is no dependency of any package (it
// compiles against libpq-dev): the package's test script installs it (scripts/ensure-pg-native.sh) and puts it
// on NODE_PATH.
import t from 'tap'
import pg from 'pg'
import { failoverSuite } from './fixtures/failover-suite.js'

const { native } = pg
if (native === null) throw new Error('pg-native is missing: run sh examples/local-cluster/scripts/ensure-pg-native.sh, then the tests with NODE_PATH=/var/cache/birthday-ha-bench/pg-native/node_modules (npm test does both)')

let made = 0
/** pg-native's Client, counted: the suite must have run on it, not on pg's own. */
const NativeClient = native.Client
class CountedNativeClient extends NativeClient {
  constructor(...args: ConstructorParameters<typeof NativeClient>) {
    super(...args)
    made++
  }
}

failoverSuite({ name: 'client-native', basePort: 26700, patroni: '3', faults: ['switchover', 'kill -9'], Client: CountedNativeClient })

t.test('the pools ran on pg-native, without a connection storm', async (t) => {
  t.ok(made > 0, `${made} pg-native clients made`)
  // each waiting call retried its own connect before the per-pool connect backoff: about 9,000 attempts
  // through these two faults (with pg's own Client too); 62-84 with it
  t.ok(made < 1_000, `${made} connection attempts through both faults, under 1,000`)
})
