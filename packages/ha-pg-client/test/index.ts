import t from 'tap'
import * as index from '../src/index.js'

t.test('public exports', async (t) => {
  t.strictSame(Object.keys(index).sort(), ['HA_PG_ERROR_CODES', 'HaPgClient', 'HaPgError', 'classifyError', 'deriveTiming'])
})
