import fc from 'fast-check'
import t from 'tap'
import { parseDateOfBirth } from '../src/date-of-birth.js'
import { ISSUES, type IssueCode } from '../src/result.js'

const TODAY = '2024-06-15'
const codeOf = (raw: unknown, today = TODAY): IssueCode | 'OK' => {
  const r = parseDateOfBirth(raw, today)
  return r.ok ? 'OK' : r.error.code
}

// Independent reference: Date UTC arithmetic (setUTCFullYear keeps years 0-99).
const DAY_MS = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const utcMs = (y: number, m: number, d: number) => new Date(0).setUTCFullYear(y, m - 1, d)

t.test('valid dates of birth', async (t) => {
  t.strictSame(parseDateOfBirth('1990-04-23', TODAY), { ok: true, value: '1990-04-23' })
  t.equal(codeOf('1900-01-01'), 'OK', 'the earliest accepted date')
  t.equal(codeOf('2024-06-14'), 'OK', 'yesterday')
  t.equal(codeOf('2000-02-29'), 'OK', '2000 is a leap year')
  t.equal(codeOf('2024-02-29'), 'OK')
  t.equal(codeOf('1999-12-31'), 'OK')
})

t.test('non-strings are DOB_NOT_A_STRING', async (t) => {
  for (const raw of [undefined, null, 19900423, true, {}, [], ['1990-04-23'], new Date('1990-04-23'), new String('1990-04-23')]) {
    t.equal(codeOf(raw), 'DOB_NOT_A_STRING', Object.prototype.toString.call(raw))
  }
})

t.test('anything but exactly YYYY-MM-DD is DOB_FORMAT', async (t) => {
  for (const raw of [
    '',
    '1990-4-23',
    '1990-04-3',
    '90-04-23',
    '1990/04/23',
    '23.04.1990',
    '04/23/1990',
    '19900423',
    '1990-04-23T00:00:00Z',
    '1990-04-23T00:00',
    '1990-04-23 00:00',
    ' 1990-04-23',
    '1990-04-23 ',
    '1990-04-23\n',
    '\n1990-04-23',
    '1990 -04-23',
    '+1990-04-23',
    '01990-04-23',
    '1990-W17-1',
    '1990-113',
    '１９９０-０４-２３', // full-width digits
    '١٩٩٠-٠٤-٢٣', // Arabic-Indic digits
    '۱۹۹۰-۰۴-۲۳', // extended Arabic-Indic digits
    '१९९०-०४-२३', // Devanagari digits
    '1990-04-23\u0000',
    '1990\u201004\u201023', // U+2010 HYPHEN instead of '-'
    '1990−04−23', // U+2212 MINUS SIGN
    'April 23, 1990',
  ]) {
    t.equal(codeOf(raw), 'DOB_FORMAT', JSON.stringify(raw))
  }
})

t.test('dates that do not exist are DOB_NOT_A_DATE', async (t) => {
  for (const raw of ['2023-02-30', '2021-13-01', '2023-02-29', '1900-02-29', '2100-02-29', '2021-00-10', '2021-01-00', '2021-04-31', '2021-06-31', '2021-01-32', '1990-99-99', '0000-00-00']) {
    t.equal(codeOf(raw, '2200-01-01'), 'DOB_NOT_A_DATE', raw)
  }
})

t.test('before 1900-01-01 is DOB_TOO_EARLY', async (t) => {
  t.equal(codeOf('1899-12-31'), 'DOB_TOO_EARLY')
  t.equal(codeOf('0000-01-01'), 'DOB_TOO_EARLY')
  t.equal(codeOf('1000-06-15'), 'DOB_TOO_EARLY')
  t.equal(codeOf('1896-02-29'), 'DOB_TOO_EARLY', 'a real leap day, but too early')
})

t.test('today and the future are DOB_NOT_IN_PAST', async (t) => {
  t.equal(codeOf(TODAY), 'DOB_NOT_IN_PAST', 'today')
  t.equal(codeOf('2024-06-16'), 'DOB_NOT_IN_PAST', 'tomorrow')
  t.equal(codeOf('2025-01-01'), 'DOB_NOT_IN_PAST')
  t.equal(codeOf('9999-12-31'), 'DOB_NOT_IN_PAST')
  t.equal(codeOf('2024-02-29', '2024-02-29'), 'DOB_NOT_IN_PAST')
  t.equal(codeOf('2024-02-28', '2024-02-29'), 'OK')
  t.equal(codeOf('2023-12-31', '2024-01-01'), 'OK', 'across a year boundary')
  t.equal(codeOf('2024-01-01', '2024-01-01'), 'DOB_NOT_IN_PAST')
})

t.test('checks run in the documented order', async (t) => {
  t.equal(codeOf('1899-02-30'), 'DOB_NOT_A_DATE', 'not a date wins over too early')
  t.equal(codeOf('2099-02-30'), 'DOB_NOT_A_DATE', 'not a date wins over not in the past')
  t.equal(codeOf('1899-06-01', '1850-01-01'), 'DOB_TOO_EARLY', 'too early wins over not in the past')
})

t.test('a malformed today is a programmer error', async (t) => {
  for (const today of ['2024-02-30', '2024-6-15', '', '2024-06-15T00:00:00Z', null, undefined, 20240615]) {
    t.throws(() => parseDateOfBirth('1990-04-23', today as string), { name: 'BirthdayError', code: 'BIRTHDAY_INVALID_DATE' }, String(today))
  }
  t.throws(() => parseDateOfBirth(42, 'nope'), { code: 'BIRTHDAY_INVALID_DATE' }, 'today is checked before the input')
})

t.test('every issue returned is from the catalogue with the dateOfBirth field', async (t) => {
  const r = parseDateOfBirth('2023-02-30', TODAY)
  t.strictSame(r, { ok: false, error: { code: 'DOB_NOT_A_DATE', ...ISSUES.DOB_NOT_A_DATE } })
  t.equal(!r.ok && r.error.field, 'dateOfBirth')
})

t.test('exhaustive: every day from 1900-01-01 to 2100-12-31 round-trips', async (t) => {
  const today = '2101-01-01'
  let bad = 0
  let days = 0
  for (let ms = utcMs(1900, 1, 1); ms <= utcMs(2100, 12, 31); ms += DAY_MS) {
    const dob = iso(ms)
    const r = parseDateOfBirth(dob, today)
    if (!r.ok || r.value !== dob) bad++
    days++
  }
  t.equal(days, 73_414, '201 years, 49 of them leap years')
  t.equal(bad, 0)
})

t.test('property: valid dates round-trip and sort against today like the calendar', async (t) => {
  const day = fc.integer({ min: utcMs(1800, 1, 1) / DAY_MS, max: utcMs(2200, 12, 31) / DAY_MS })
  fc.assert(
    fc.property(day, day, (dobDay, todayDay) => {
      const dob = iso(dobDay * DAY_MS)
      const today = iso(todayDay * DAY_MS)
      const expected = dob < '1900-01-01' ? 'DOB_TOO_EARLY' : dobDay >= todayDay ? 'DOB_NOT_IN_PAST' : 'OK'
      const r = parseDateOfBirth(dob, today)
      return codeOf(dob, today) === expected && (!r.ok || r.value === dob)
    }),
    { numRuns: 3000 },
  )
  t.pass('holds')
})

t.test('property: YYYY-MM-DD digit strings are valid exactly when Date agrees they exist', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1900, max: 2023 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      (y, m, d) => {
        const raw = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
        const exists = m >= 1 && m <= 12 && d >= 1 && iso(utcMs(y, m, d)) === raw
        return codeOf(raw, '2024-01-01') === (exists ? 'OK' : 'DOB_NOT_A_DATE')
      },
    ),
    { numRuns: 3000 },
  )
  t.pass('holds')
})

t.test('property: random input never throws and returns a catalogue code', async (t) => {
  const codes = new Set(['OK', ...Object.keys(ISSUES)])
  // Any code point, surrogates included (alone, they are lone surrogates).
  // Like fc.string({ unit: 'binary' }), which takes a second to set up.
  const anyCodeUnitOrPoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp))
  const near = fc.string({ unit: fc.constantFrom(...'0123456789-T: /'.split('')), minLength: 9, maxLength: 11 })
  for (const arb of [fc.anything({ maxDepth: 1 }), fc.string(), fc.string({ unit: anyCodeUnitOrPoint }), near]) {
    fc.assert(fc.property(arb, (raw) => codes.has(codeOf(raw))), { numRuns: 1000 })
  }
  t.pass('holds')
})
