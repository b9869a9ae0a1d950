import { inspect } from 'node:util'
import fc from 'fast-check'
import { Settings } from 'luxon'
import t from 'tap'
import { cachedZoneCount, resolveZone, todayIn } from '../src/today.js'

const at = (iso: string) => () => Date.parse(iso)
const valueOf = (zone: string | undefined, now: () => number) => {
  const r = todayIn(zone, now)
  if (!r.ok) throw new Error(`expected a date, got ${r.error.code}`)
  return r.value
}

t.test('defaults: UTC and Date.now', async (t) => {
  const before = new Date().toISOString().slice(0, 10)
  const r = todayIn()
  const after = new Date().toISOString().slice(0, 10)
  t.ok(r.ok)
  t.ok(r.ok && (r.value === before || r.value === after))
  t.strictSame(todayIn(undefined, at('2024-02-29T23:59:59.999Z')), { ok: true, value: '2024-02-29' })
})

t.test('the date is the calendar date in the zone at the injected instant', async (t) => {
  const cases: [zone: string, instant: string, date: string][] = [
    ['UTC', '2024-03-01T02:00:00Z', '2024-03-01'],
    ['America/New_York', '2024-03-01T02:00:00Z', '2024-02-29'],
    ['Asia/Tokyo', '2024-02-29T15:00:00Z', '2024-03-01'],
    ['Pacific/Kiritimati', '2023-12-31T10:00:00Z', '2024-01-01'],
    ['Pacific/Pago_Pago', '2024-01-01T05:00:00Z', '2023-12-31'],
    ['Asia/Kolkata', '2024-06-14T18:29:59Z', '2024-06-14'],
    ['Asia/Kolkata', '2024-06-14T18:30:00Z', '2024-06-15'],
    ['Europe/Berlin', '2024-03-31T21:59:59Z', '2024-03-31'], // CEST began at 01:00Z
    ['Europe/Berlin', '2024-03-31T22:00:00Z', '2024-04-01'],
    ['America/New_York', '2024-11-03T03:59:59Z', '2024-11-02'], // still EDT
    ['America/New_York', '2024-11-03T04:00:00Z', '2024-11-03'],
    ['UTC', '1900-01-01T00:00:00Z', '1900-01-01'],
    ['UTC', '0000-01-01T00:00:00Z', '0000-01-01'],
    ['UTC', '9999-12-31T23:59:59.999Z', '9999-12-31'],
  ]
  for (const [zone, instant, date] of cases) t.equal(valueOf(zone, at(instant)), date, `${zone} at ${instant}`)
})

t.test('IANA names are matched case-insensitively, links are accepted', async (t) => {
  const instant = at('2024-03-31T22:00:00Z')
  t.equal(valueOf('europe/berlin', instant), '2024-04-01')
  t.equal(valueOf('EUROPE/BERLIN', instant), '2024-04-01')
  t.equal(resolveZone('europe/BERLIN')?.name, 'Europe/Berlin', 'luxon gets the canonical name')
  for (const zone of ['UTC', 'utc', 'Etc/UTC', 'GMT', 'Etc/GMT-14', 'Etc/GMT+12', 'US/Pacific', 'Asia/Calcutta', 'America/Port-au-Prince', 'EST5EDT']) {
    t.ok(todayIn(zone, instant).ok, zone)
  }
})

t.test('anything but an IANA name is TIME_ZONE_UNKNOWN, never an exception', async (t) => {
  let calls = 0
  const clock = () => {
    calls++
    return 0
  }
  const rejected = [
    'Mars/Olympus',
    'Europe/Atlantis',
    '',
    ' Europe/Berlin',
    'Europe/Berlin ',
    'Europe/Berlin\n',
    'Europe/Berlin\u0000',
    'Europe//Berlin',
    'UTC+5', // a luxon fixed offset
    'UTC+05:00',
    'UTC-3',
    'GMT+5',
    '+05:00', // an ISO offset, accepted by newer Intl versions
    '-0300',
    'Z',
    'system', // luxon's host-dependent zones
    'local',
    'default',
  ]
  for (const zone of rejected) {
    t.strictSame(todayIn(zone, clock), {
      ok: false,
      error: {
        code: 'TIME_ZONE_UNKNOWN',
        field: 'timeZone',
        message: 'The time zone must be a known IANA time zone name, such as Europe/Berlin or UTC.',
      },
    }, JSON.stringify(zone))
  }
  for (const zone of [null, 42, {}, ['UTC'], new String('UTC')]) {
    t.equal((todayIn as (z: unknown, n: () => number) => ReturnType<typeof todayIn>)(zone, clock).ok, false, inspect(zone))
  }
  t.equal(calls, 0, 'the clock is not read for an unknown zone')
})

t.test('the clock is read once per call and its errors propagate', async (t) => {
  let calls = 0
  todayIn('UTC', () => {
    calls++
    return 0
  })
  t.equal(calls, 1)
  t.throws(() => todayIn('UTC', () => { throw new Error('clock broke') }), /clock broke/)
})

t.test('luxon global settings are not used', async (t) => {
  const saved = { now: Settings.now, zone: Settings.defaultZone }
  t.teardown(() => {
    Settings.now = saved.now
    Settings.defaultZone = saved.zone
  })
  Settings.now = () => Date.parse('1999-01-01T00:00:00Z')
  Settings.defaultZone = 'Pacific/Kiritimati'
  t.equal(valueOf('UTC', at('2024-06-15T12:00:00Z')), '2024-06-15')
  t.equal(valueOf(undefined, at('2024-06-15T23:00:00Z')), '2024-06-15')
})

t.test('a broken clock is a programmer error: BIRTHDAY_INVALID_CLOCK', async (t) => {
  const broken: [unknown, string][] = [
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [8.64e15 + 1, 'past the Date range'],
    [Date.parse('0000-01-01T00:00:00Z') - 1, 'year -1'],
    [Date.parse('9999-12-31T23:59:59.999Z') + 1, 'year 10000'],
    ['1700000000000', 'a string'],
    [undefined, 'undefined'],
    [1700000000000n, 'a bigint'],
  ]
  for (const [value, label] of broken) {
    t.throws(() => todayIn('UTC', () => value as number), {
      name: 'BirthdayError',
      code: 'BIRTHDAY_INVALID_CLOCK',
      message: 'now() must return epoch milliseconds for a date in the years 0000 to 9999.',
    }, label)
  }
  t.throws(() => todayIn('Pacific/Kiritimati', at('9999-12-31T12:00:00Z')), { code: 'BIRTHDAY_INVALID_CLOCK' }, 'already 10000 in that zone')
})

t.test('zone lookups are cached, and the cache is bounded', async (t) => {
  t.equal(resolveZone('Europe/Paris'), resolveZone('Europe/Paris'), 'same luxon zone object')
  t.equal(resolveZone('Nowhere/Town'), null)
  t.equal(resolveZone('Nowhere/Town'), null, 'unknown names are cached too')
  for (let i = 0; i < 1100; i++) resolveZone(`Nowhere/Town${i}`)
  t.equal(cachedZoneCount(), 1024)
  t.equal(resolveZone('Nowhere/Else'), null, 'past the cap, still resolved')
  t.equal(resolveZone('Europe/Lisbon')?.name, 'Europe/Lisbon')
  t.equal(cachedZoneCount(), 1024, 'but not cached')
})

t.test('property: agrees with Intl.DateTimeFormat for random instants and zones', async (t) => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/St_Johns', 'Asia/Kathmandu']
  const formatters = new Map(zones.map((timeZone) => [timeZone, new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })]))
  const intlDate = (zone: string, ms: number) => {
    const parts = Object.fromEntries((formatters.get(zone) as Intl.DateTimeFormat).formatToParts(ms).map((p) => [p.type, p.value]))
    return `${parts.year}-${parts.month}-${parts.day}`
  }
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.integer({ min: Date.parse('1900-01-02T00:00:00Z'), max: Date.parse('2199-12-30T00:00:00Z') }),
      (zone, ms) => valueOf(zone, () => ms) === intlDate(zone, ms),
    ),
    { numRuns: 2000 },
  )
  fc.assert(
    fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
      return valueOf('UTC', () => ms) === new Date(ms).toISOString().slice(0, 10)
    }),
    { numRuns: 2000 },
  )
  t.pass('agrees')
})
