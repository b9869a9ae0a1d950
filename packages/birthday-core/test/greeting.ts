import fc from 'fast-check'
import t from 'tap'
import { greeting } from '../src/greeting.js'

t.test('the exact greeting format', async (t) => {
  t.equal(greeting('Zoë', 5), 'Hello, Zoë! Your birthday is in 5 day(s)')
  t.equal(greeting('Zoë', 1), 'Hello, Zoë! Your birthday is in 1 day(s)', 'literal "day(s)", also for 1')
  t.equal(greeting('alice', 365), 'Hello, alice! Your birthday is in 365 day(s)')
  t.equal(greeting('Zoë', 0), 'Hello, Zoë! Happy birthday!')
})

t.test('the name is used as given', async (t) => {
  t.equal(greeting('ΟΔΟΣ', 2), 'Hello, ΟΔΟΣ! Your birthday is in 2 day(s)')
})

t.test('a day count outside 0..365 is a programmer error', async (t) => {
  for (const days of [-1, 366, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5, 86_400_000]) {
    t.throws(() => greeting('Zoë', days), {
      name: 'BirthdayError',
      code: 'BIRTHDAY_INVALID_DAYS',
      message: 'daysUntil must be an integer from 0 to 365.',
    }, String(days))
  }
  t.throws(() => greeting('Zoë', '3' as unknown as number), { code: 'BIRTHDAY_INVALID_DAYS' }, 'a numeric string')
})

t.test('property: every valid count gives exactly one of the two forms', async (t) => {
  fc.assert(
    fc.property(fc.string(), fc.integer({ min: 0, max: 365 }), (name, n) => {
      const text = greeting(name, n)
      return n === 0
        ? text === `Hello, ${name}! Happy birthday!`
        : text === `Hello, ${name}! Your birthday is in ${n} day(s)`
    }),
  )
  t.pass('holds')
})
