import t from 'tap'
import * as index from '../src/index.js'

t.test('the public exports', async (t) => {
  t.strictSame(Object.keys(index).sort(), ['HA_DEMO_ERROR_CODES', 'HaDemoError', 'LoadGenerator', 'attachTopology', 'httpSender',
    'renderAppHaproxyConfig', 'rollingRestart', 'startAppHaproxy', 'startTopology', 'summarize', 'verifyAcks'])
})
