import t from 'tap'
import { limits } from '../src/limits.js'

t.test('limits are the documented values and frozen', async (t) => {
  t.strictSame(limits, {
    usernameMaxLength: 64,
    earliestDateOfBirth: '1900-01-01',
    maxDaysUntilBirthday: 365,
  })
  t.ok(Object.isFrozen(limits))
})
