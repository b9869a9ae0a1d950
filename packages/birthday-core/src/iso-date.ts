// Calendar arithmetic on plain integers for the hot paths. A date is packed
// as yyyymmdd (2024-02-29 -> 20240229): packed dates compare in date order
// and need no allocation. Proleptic Gregorian calendar, years 0000-9999.
import { BirthdayError } from './errors.js'

const ZERO = 0x30
const DASH = 0x2d

/** Days before the first of each month in a common year, index 1-12. */
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334] as const
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

/**
 * @internal The string as packed yyyymmdd when it is exactly `YYYY-MM-DD`
 * with ASCII digits 0-9 (the same language as `/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/`),
 * else -1. Does not check that the date exists; see {@link isRealDate}.
 */
export function packIsoDate(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH) return -1
  let packed = 0
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue
    const digit = s.charCodeAt(i) - ZERO
    if (digit < 0 || digit > 9) return -1
    packed = packed * 10 + digit
  }
  return packed
}

/** @internal Year of a packed date. */
export const yearOf = (packed: number): number => Math.floor(packed / 10000)
/** @internal Month (1-12) of a packed date. */
export const monthOf = (packed: number): number => Math.floor(packed / 100) % 100
/** @internal Day of the month of a packed date. */
export const dayOf = (packed: number): number => packed % 100

/** @internal Gregorian leap year: divisible by 4, except centuries not divisible by 400. */
export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

/** @internal Number of days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month] as number)
}

/** @internal Number of days in `year`: 365 or 366. */
export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365
}

/** @internal 1-based ordinal of the day in its year (1 January is 1). Assumes a real date. */
export function dayOfYear(year: number, month: number, day: number): number {
  return (DAYS_BEFORE_MONTH[month] as number) + day + (month > 2 && isLeapYear(year) ? 1 : 0)
}

/** @internal Whether a packed date names a day that exists (no 2023-02-29, no month 13). */
export function isRealDate(packed: number): boolean {
  const month = monthOf(packed)
  const day = dayOf(packed)
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(yearOf(packed), month)
}

/**
 * @internal Packs a date argument that the caller must already have
 * validated. Anything other than a real `YYYY-MM-DD` date is a programmer
 * error: throws `BirthdayError` `BIRTHDAY_INVALID_DATE`. The message names
 * the argument but not its value, which may be personal data.
 */
export function requireIsoDate(value: unknown, argument: string): number {
  const packed = typeof value === 'string' ? packIsoDate(value) : -1
  if (packed < 0 || !isRealDate(packed)) {
    throw new BirthdayError(
      'BIRTHDAY_INVALID_DATE',
      `${argument} must be a real calendar date written as YYYY-MM-DD (got ${describe(value)}).`,
    )
  }
  return packed
}

function describe(value: unknown): string {
  if (typeof value === 'string') return 'an invalid string'
  return value === null ? 'null' : `a value of type ${typeof value}`
}
