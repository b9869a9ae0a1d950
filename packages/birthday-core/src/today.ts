import { DateTime, IANAZone } from 'luxon'
import { BirthdayError } from './errors.js'
import { fail, ok, type Result } from './result.js'

// IANA names start with a letter. This keeps out offsets such as "+05:00",
// which newer Intl implementations accept as time zones.
const STARTS_WITH_LETTER = /^[A-Za-z]/

// Input name -> luxon zone for its canonical IANA name, or null when unknown.
// Bounded: names are caller-supplied, and IANA matching is case-insensitive,
// so distinct spellings are unlimited. Past the cap, names are resolved
// without caching. Luxon caches per zone name itself, so only canonical
// names (a finite set) are ever handed to it.
const MAX_CACHED_ZONES = 1024
const zones = new Map<string, IANAZone | null>()

/** @internal Resolves a caller-supplied zone name, or null when it is not an IANA zone. */
export function resolveZone(name: string): IANAZone | null {
  const cached = zones.get(name)
  if (cached !== undefined) return cached
  let zone: IANAZone | null = null
  if (STARTS_WITH_LETTER.test(name) && IANAZone.isValidZone(name)) {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
    zone = IANAZone.create(canonical)
  }
  if (zones.size < MAX_CACHED_ZONES) zones.set(name, zone)
  return zone
}

/** @internal Number of cached zone names (for tests). */
export const cachedZoneCount = (): number => zones.size

/**
 * Today's calendar date, `YYYY-MM-DD`, in an IANA time zone, read from an
 * injected clock.
 *
 * `timeZone` must be an IANA name as `Intl` knows it (`'Europe/Berlin'`,
 * `'UTC'`, links such as `'US/Pacific'`; matched case-insensitively).
 * Fixed offsets (`'UTC+5'`, `'+05:00'`) and luxon's host-dependent
 * `'system'`, `'local'` and `'default'` are rejected. An unknown zone is an
 * error value with code `TIME_ZONE_UNKNOWN`, never an exception; validity is
 * cached per name.
 *
 * Throws `BirthdayError` `BIRTHDAY_INVALID_CLOCK` (a programmer error) when
 * `now()` does not return epoch milliseconds in the years 0000-9999.
 *
 * @param timeZone - IANA zone name. Default `'UTC'`.
 * @param now - clock returning epoch milliseconds. Default `Date.now`.
 * @example
 * ```ts
 * const at = () => Date.parse('2024-03-01T02:00:00Z')
 * todayIn('UTC', at) // { ok: true, value: '2024-03-01' }
 * todayIn('America/New_York', at) // { ok: true, value: '2024-02-29' }
 * todayIn('Mars/Olympus', at) // error code 'TIME_ZONE_UNKNOWN'
 * ```
 */
export function todayIn(timeZone: string = 'UTC', now: () => number = Date.now): Result<string> {
  const zone = typeof timeZone === 'string' ? resolveZone(timeZone) : null
  if (zone === null) return fail('TIME_ZONE_UNKNOWN')
  const ms = now()
  // fromMillis throws its own error for a non-number; NaN, infinities and
  // out-of-range numbers give an invalid DateTime whose toISODate() is null.
  const date = typeof ms === 'number' ? DateTime.fromMillis(ms, { zone }).toISODate() : null
  // Years outside 0000-9999 are written with a sign and six digits.
  if (date === null || date.length !== 10) {
    throw new BirthdayError(
      'BIRTHDAY_INVALID_CLOCK',
      'now() must return epoch milliseconds for a date in the years 0000 to 9999.',
    )
  }
  return ok(date)
}
