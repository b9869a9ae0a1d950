import t from 'tap'
import * as index from '../src/index.js'

t.test('the public API', async (t) => {
  t.strictSame(Object.keys(index).sort(), ['LAB_ERROR_CODES', 'LabError', 'networkPlan', 'openLab'])
})
