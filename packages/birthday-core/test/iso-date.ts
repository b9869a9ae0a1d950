import fc from 'fast-check'
import t from 'tap'
import { BirthdayError } from '../src/errors.js'
import {
  dayOf,
  dayOfYear,
  daysInMonth,
  daysInYear,
  isLeapYear,
  isRealDate,
  monthOf,
  packIsoDate,
  requireIsoDate,
  yearOf,
} from '../src/iso-date.js'

// Independent references on JS Date UTC arithmetic (no code shared with src).
const SHAPE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/
const DAY_MS = 86_400_000
const utc = (y: number, m: number, d: number) => {
  const date = new Date(0)
  date.setUTCFullYear(y, m - 1, d) // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as is
  return date
}
const utcIsLeap = (y: number) => utc(y, 2, 29).getUTCMonth() === 1

t.test('packIsoDate accepts exactly the anchored ASCII-digit shape', async (t) => {
  t.equal(packIsoDate('2024-02-29'), 20240229)
  t.equal(packIsoDate('0000-00-00'), 0)
  t.equal(packIsoDate('9999-99-99'), 99999999)
  for (const bad of [
    '',
    '2024-2-29',
    '24-02-29',
    '2024/02/29',
    '2024-02-29 ',
    ' 2024-02-29',
    '2024-02-29\n',
    '2024-02-29T00:00:00Z',
    '20240229',
    '2024-0a-29',
    '2024-02-2:', // ':' is the code after '9'
    '2024-02-2/', // '/' is the code before '0'
    '٢٠٢٤-٠٢-٢٩', // Arabic-Indic digits
    '２０２４-０２-２９', // full-width digits
    '+2024-02-29',
    '-024-02-29',
    '2024-02--9',
    '2024_02_29',
  ]) {
    t.equal(packIsoDate(bad), -1, JSON.stringify(bad))
  }
})

t.test('property: packIsoDate agrees with the anchored regex on any string', async (t) => {
  const digitish = fc.constantFrom(...'0123456789-/: T\n٣x'.split(''))
  const arb = fc.oneof(
    fc.string(),
    fc.string({ unit: digitish, minLength: 8, maxLength: 12 }),
    fc.string({ unit: digitish, minLength: 10, maxLength: 10 }),
  )
  fc.assert(
    fc.property(arb, (s) => {
      const packed = packIsoDate(s)
      if (!SHAPE.test(s)) return packed === -1
      return packed === Number(s.replaceAll('-', ''))
    }),
    { numRuns: 5000 },
  )
  t.pass('agrees')
})

t.test('year, month and day of a packed date', async (t) => {
  t.strictSame([yearOf(20240229), monthOf(20240229), dayOf(20240229)], [2024, 2, 29])
  t.strictSame([yearOf(19000101), monthOf(19000101), dayOf(19000101)], [1900, 1, 1])
  t.strictSame([yearOf(99991231), monthOf(99991231), dayOf(99991231)], [9999, 12, 31])
})

t.test('leap years: named cases', async (t) => {
  t.ok(isLeapYear(2000), '2000 divisible by 400')
  t.ok(isLeapYear(2024))
  t.notOk(isLeapYear(1900), '1900 century')
  t.notOk(isLeapYear(2100), '2100 century')
  t.notOk(isLeapYear(2023))
  t.ok(isLeapYear(0), 'year 0 in the proleptic calendar')
  t.equal(daysInYear(2024), 366)
  t.equal(daysInYear(2100), 365)
})

t.test('leap years, month lengths and day ordinals agree with Date.UTC for years 0-9999', async (t) => {
  let mismatches = 0
  for (let y = 0; y <= 9999; y++) {
    if (isLeapYear(y) !== utcIsLeap(y)) mismatches++
    const jan1 = utc(y, 1, 1).getTime()
    for (let m = 1; m <= 12; m++) {
      const first = utc(y, m, 1)
      const last = utc(y, m + 1, 0) // day 0 = last day of the previous month
      if (daysInMonth(y, m) !== last.getUTCDate()) mismatches++
      if (dayOfYear(y, m, 1) !== (first.getTime() - jan1) / DAY_MS + 1) mismatches++
    }
  }
  t.equal(mismatches, 0)
})

t.test('isRealDate: named cases', async (t) => {
  t.ok(isRealDate(20240229))
  t.notOk(isRealDate(20230229))
  t.notOk(isRealDate(21000229), '2100 is not a leap year')
  t.ok(isRealDate(20000229), '2000 is a leap year')
  t.notOk(isRealDate(20230230))
  t.notOk(isRealDate(20211301))
  t.notOk(isRealDate(20210001))
  t.notOk(isRealDate(20210100))
  t.notOk(isRealDate(20210431))
  t.ok(isRealDate(20211231))
  t.notOk(isRealDate(20211232))
})

t.test('property: isRealDate agrees with a Date.UTC round trip', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      (y, m, d) => {
        const date = utc(y, m, d)
        const real = m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
          date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
        return isRealDate(y * 10000 + m * 100 + d) === real
      },
    ),
    { numRuns: 5000 },
  )
  t.pass('agrees')
})

t.test('requireIsoDate returns the packed date or throws BIRTHDAY_INVALID_DATE', async (t) => {
  t.equal(requireIsoDate('2024-02-29', 'today'), 20240229)
  const cases: [unknown, RegExp][] = [
    ['2023-02-29', /^today must be a real calendar date written as YYYY-MM-DD \(got an invalid string\)\.$/],
    ['2024-2-1', /\(got an invalid string\)/],
    [null, /\(got null\)/],
    [undefined, /\(got a value of type undefined\)/],
    [20240229, /\(got a value of type number\)/],
    [new Date(), /\(got a value of type object\)/],
  ]
  for (const [value, message] of cases) {
    t.throws(() => requireIsoDate(value, 'today'), { name: 'BirthdayError', code: 'BIRTHDAY_INVALID_DATE', message })
  }
  try {
    requireIsoDate('1990-02-30', 'dateOfBirth')
    t.fail('should throw')
  } catch (err) {
    t.ok(err instanceof BirthdayError)
    t.notMatch((err as Error).message, '1990', 'the value is not echoed')
  }
})
