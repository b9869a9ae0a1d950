import t from 'tap'
import * as index from '../src/index.js'

t.test('pins the public exports', async (t) => {
  t.strictSame(Object.keys(index).sort(), [
    'LOCAL_CLUSTER_ERROR_CODES',
    'LocalClusterError',
    'attachCluster',
    'ensureSystemPackages',
    'startCluster',
    'startHaproxy',
  ])
  const err = new index.LocalClusterError('LC_TIMEOUT', 'slow', { cause: new Error('root') })
  t.equal(err.name, 'LocalClusterError')
  t.equal(err.code, 'LC_TIMEOUT')
  t.match(err.cause, { message: 'root' })
})
