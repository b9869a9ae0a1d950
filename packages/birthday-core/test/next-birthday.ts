import fc from 'fast-check'
import t from 'tap'
import { daysUntilBirthday, type LeapDayRule } from '../src/next-birthday.js'

// ---- The oracle: plain day-by-day stepping on JS Date UTC arithmetic. ----
// It shares no code with src: it walks forward from today one day at a time
// and stops at the first day that is the birthday, by this definition: the
// same month and day as the date of birth; for someone born on 29 February,
// in a year without that day, 1 March ('mar1') or 28 February ('feb28').
const DAY_MS = 86_400_000
const utcMs = (y: number, m: number, d: number) => new Date(0).setUTCFullYear(y, m - 1, d)
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const hasLeapDay = (y: number) => new Date(utcMs(y, 2, 29)).getUTCMonth() === 1
const ymd = (date: string) => date.split('-').map(Number) as [number, number, number]

function oracle(dateOfBirth: string, today: string, rule: LeapDayRule): number {
  const [, bm, bd] = ymd(dateOfBirth)
  const [ty, tm, td] = ymd(today)
  const start = utcMs(ty, tm, td)
  for (let k = 0; k <= 366; k++) {
    const day = new Date(start + k * DAY_MS)
    const y = day.getUTCFullYear()
    const m = day.getUTCMonth() + 1
    const d = day.getUTCDate()
    if (m === bm && d === bd) return k
    if (bm === 2 && bd === 29 && !hasLeapDay(y)) {
      if (rule === 'mar1' && m === 3 && d === 1) return k
      if (rule === 'feb28' && m === 2 && d === 28) return k
    }
  }
  throw new Error(`oracle: no birthday within 366 days of ${today}`)
}

const RULES = ['mar1', 'feb28'] as const

t.test('the oracle itself, on hand-checked cases', async (t) => {
  t.equal(oracle('2000-01-01', '2023-12-31', 'mar1'), 1)
  t.equal(oracle('2000-02-29', '2023-02-28', 'mar1'), 1)
  t.equal(oracle('2000-02-29', '2023-02-28', 'feb28'), 0)
  t.equal(oracle('1990-06-15', '2023-06-16', 'mar1'), 365)
  t.throws(() => oracle('2000-02-30', '2023-01-01', 'mar1'), /no birthday/, 'finds no 30 February')
})

t.test('named cases from the issue', async (t) => {
  t.equal(daysUntilBirthday('2000-01-01', '2023-12-31'), 1, 'across the year boundary')
  t.equal(daysUntilBirthday('2000-02-29', '2024-02-28'), 1, 'leap year: 29 February exists')
  t.equal(daysUntilBirthday('2000-02-29', '2024-02-28', { leapDayRule: 'feb28' }), 1)
  t.equal(daysUntilBirthday('2000-02-29', '2023-02-28'), 1, "common year, 'mar1' (default)")
  t.equal(daysUntilBirthday('2000-02-29', '2023-02-28', { leapDayRule: 'mar1' }), 1)
  t.equal(daysUntilBirthday('2000-02-29', '2023-02-28', { leapDayRule: 'feb28' }), 0)
  t.equal(daysUntilBirthday('2000-02-29', '2023-03-01'), 0, "'mar1': 1 March is the birthday")
})

t.test('more named edge cases', async (t) => {
  const cases: [dob: string, today: string, rule: LeapDayRule, days: number, why: string][] = [
    ['1990-06-15', '2024-06-15', 'mar1', 0, 'on the birthday'],
    ['1990-06-15', '2024-06-14', 'mar1', 1, 'the day before'],
    ['1990-06-15', '2024-06-16', 'mar1', 364, 'the day after, no 29 February ahead'],
    ['1990-06-15', '2023-06-16', 'mar1', 365, 'the day after, 29 February 2024 ahead'],
    ['2000-12-31', '2024-01-01', 'mar1', 365, 'to 31 December of a leap year'],
    ['2000-12-31', '2023-01-01', 'mar1', 364, 'to 31 December of a common year'],
    ['2000-01-01', '2024-01-01', 'mar1', 0, 'new year'],
    ['2000-03-01', '2024-02-29', 'mar1', 1, 'leap day to 1 March'],
    ['2000-02-28', '2024-02-29', 'mar1', 365, 'the day after 28 February of a leap year'],
    ['2000-02-29', '2024-02-29', 'mar1', 0, 'a real leap day'],
    ['2000-02-29', '2024-02-29', 'feb28', 0, 'a real leap day, either rule'],
    ['2000-02-29', '2023-03-01', 'feb28', 365, "'feb28': 2023's birthday has passed, next is 2024-02-29"],
    ['2000-02-29', '2023-03-02', 'mar1', 364, "'mar1': next is 2024-02-29"],
    ['2000-02-29', '2024-03-01', 'mar1', 365, 'after a leap day: next is 2025-03-01'],
    ['2000-02-29', '2024-03-01', 'feb28', 364, 'after a leap day: next is 2025-02-28'],
    ['2000-02-29', '2100-02-28', 'mar1', 1, '2100 is not a leap year'],
    ['2000-02-29', '2100-02-28', 'feb28', 0, '2100 is not a leap year'],
    ['2000-02-29', '2099-03-02', 'mar1', 364, 'to 2100-03-01: no 29 February in 2100'],
    ['2000-02-29', '2096-03-01', 'mar1', 365, '2096 is a leap year, its birthday has passed'],
    ['2000-02-29', '2000-01-01', 'mar1', 59, '2000 is a leap year (divisible by 400)'],
    ['1900-01-01', '2100-12-31', 'mar1', 1, 'extremes'],
    ['2030-01-02', '2024-01-01', 'mar1', 1, 'only month and day of the date of birth count'],
  ]
  for (const [dob, today, rule, days, why] of cases) {
    t.equal(daysUntilBirthday(dob, today, { leapDayRule: rule }), days, `${dob} ${today} ${rule}: ${why}`)
    t.equal(oracle(dob, today, rule), days, `oracle agrees: ${why}`)
  }
})

t.test('options: default and explicit undefined mean mar1', async (t) => {
  t.equal(daysUntilBirthday('2000-02-29', '2023-02-28', {}), 1)
  t.equal(daysUntilBirthday('2000-02-29', '2023-02-28', { leapDayRule: undefined }), 1)
})

t.test('programmer errors throw BirthdayError', async (t) => {
  for (const bad of ['2023-02-29', '2023-13-01', '2023-1-1', '', '2023-01-01T00:00:00Z', null, 20230101]) {
    t.throws(() => daysUntilBirthday(bad as string, '2024-01-01'), { name: 'BirthdayError', code: 'BIRTHDAY_INVALID_DATE', message: /^dateOfBirth / }, `dob ${String(bad)}`)
    t.throws(() => daysUntilBirthday('2000-01-01', bad as string), { name: 'BirthdayError', code: 'BIRTHDAY_INVALID_DATE', message: /^today / }, `today ${String(bad)}`)
  }
  for (const rule of ['feb29', 'MAR1', '', null, 1]) {
    t.throws(() => daysUntilBirthday('2000-02-29', '2023-02-28', { leapDayRule: rule as LeapDayRule }), {
      name: 'BirthdayError',
      code: 'BIRTHDAY_INVALID_OPTION',
      message: "leapDayRule must be 'mar1' or 'feb28'.",
    }, `rule ${String(rule)}`)
  }
})

t.test('exhaustive: every date of birth 1900-01-01..2100-12-31 against the oracle', async (t) => {
  const dobs: string[] = []
  for (let ms = utcMs(1900, 1, 1); ms <= utcMs(2100, 12, 31); ms += DAY_MS) dobs.push(iso(ms))
  t.equal(dobs.length, 73_414)
  // A handful of todays around leap days and year ends; the next test walks
  // every today in 2023-2025 and 2099-2101 for the boundary birthdays.
  const todays = [
    '2023-02-28', '2023-03-01', '2023-12-31',
    '2024-02-28', '2024-02-29', '2024-03-01',
    '2100-02-28', '2100-03-01',
  ]
  for (const today of todays) {
    for (const rule of RULES) {
      // The oracle depends on the date of birth only through its month and
      // day: compute it once per month-day (366 of them), check every dob.
      const expected = new Map<string, number>()
      let mismatches = 0
      for (const dob of dobs) {
        const monthDay = dob.slice(5)
        let want = expected.get(monthDay)
        if (want === undefined) expected.set(monthDay, (want = oracle(dob, today, rule)))
        if (daysUntilBirthday(dob, today, { leapDayRule: rule }) !== want) mismatches++
      }
      t.equal(mismatches, 0, `${today} ${rule}`)
    }
  }
})

t.test('exhaustive: every today in 2023-2025 and 2099-2101 for the boundary birthdays', async (t) => {
  const dobs = ['1900-01-01', '2000-02-28', '2000-02-29', '1996-03-01', '2012-12-31', '1970-07-04']
  let checked = 0
  let mismatches = 0
  for (const [from, to] of [[utcMs(2023, 1, 1), utcMs(2025, 12, 31)], [utcMs(2099, 1, 1), utcMs(2101, 12, 31)]] as const) {
    for (let ms = from; ms <= to; ms += DAY_MS) {
      const today = iso(ms)
      for (const dob of dobs) {
        for (const rule of RULES) {
          checked++
          if (daysUntilBirthday(dob, today, { leapDayRule: rule }) !== oracle(dob, today, rule)) mismatches++
        }
      }
    }
  }
  t.equal(checked, 2191 * dobs.length * 2)
  t.equal(mismatches, 0)
})

const dayIn = (from: string, to: string) =>
  fc.integer({ min: utcMs(...ymd(from)) / DAY_MS, max: utcMs(...ymd(to)) / DAY_MS }).map((n) => iso(n * DAY_MS))
const dobArb = dayIn('1900-01-01', '2100-12-31')
const todayArb = fc.oneof(
  dayIn('2023-01-01', '2025-12-31'),
  dayIn('2099-01-01', '2101-12-31'),
  dayIn('1900-01-01', '2200-12-31'),
)
const ruleArb = fc.constantFrom(...RULES)

t.test('property: random (dob, today, rule) agree with the oracle', async (t) => {
  fc.assert(
    fc.property(dobArb, todayArb, ruleArb, (dob, today, rule) => {
      return daysUntilBirthday(dob, today, { leapDayRule: rule }) === oracle(dob, today, rule)
    }),
    { numRuns: 5000 },
  )
  t.pass('agrees')
})

t.test('property: the count is 0..365 and goes down by one a day until the birthday', async (t) => {
  fc.assert(
    fc.property(dobArb, todayArb, ruleArb, (dob, today, rule) => {
      const n = daysUntilBirthday(dob, today, { leapDayRule: rule })
      const tomorrow = iso(utcMs(...ymd(today)) + DAY_MS)
      const next = daysUntilBirthday(dob, tomorrow, { leapDayRule: rule })
      return Number.isInteger(n) && n >= 0 && n <= 365 && (n === 0 ? next >= 364 : next === n - 1)
    }),
    { numRuns: 5000 },
  )
  t.pass('holds')
})
