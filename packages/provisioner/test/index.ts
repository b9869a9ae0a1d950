import t from 'tap'
import * as index from '../src/index.js'

t.test('the public API is pinned', async (t) => {
  t.strictSame(Object.keys(index).sort(), ['ProvisionerError', 'awsTarget', 'configureHosts', 'deployApp', 'failBack', 'loadStack', 'openSsh', 'promoteDr', 'rebuildPrimary', 'stackStatus'])
})
