import { BirthdayError } from './errors.js'
import {
  dayOf,
  dayOfYear,
  daysInYear,
  isLeapYear,
  monthOf,
  requireIsoDate,
  yearOf,
} from './iso-date.js'

/**
 * When someone born on 29 February celebrates in a common year:
 * `'mar1'` on 1 March (the day after 28 February, the default), `'feb28'` on
 * 28 February (the last day of February).
 *
 * @example
 * ```ts
 * const rule: LeapDayRule = 'feb28'
 * daysUntilBirthday('2000-02-29', '2023-02-28', { leapDayRule: rule }) // 0
 * ```
 */
export type LeapDayRule = 'mar1' | 'feb28'

/**
 * Options for `daysUntilBirthday`.
 *
 * @example
 * ```ts
 * const options: DaysUntilBirthdayOptions = { leapDayRule: 'mar1' }
 * ```
 */
export interface DaysUntilBirthdayOptions {
  /** See {@link LeapDayRule}. Default `'mar1'`. */
  readonly leapDayRule?: LeapDayRule | undefined
}

// Ordinals in a common year: 28 February is day 59, 1 March is day 60.
const FEB_28 = 59
const MAR_1 = 60

/**
 * Whole days from `today` until the next birthday: 0 on the birthday
 * itself, at most 365. Only the month and day of `dateOfBirth` are used;
 * validate it with `parseDateOfBirth` first. Integer arithmetic, no
 * allocation.
 *
 * Throws `BirthdayError` for programmer errors only: `BIRTHDAY_INVALID_DATE`
 * when either date is not a real `YYYY-MM-DD` date, `BIRTHDAY_INVALID_OPTION`
 * for an unknown `leapDayRule`.
 *
 * @example
 * ```ts
 * daysUntilBirthday('2000-01-01', '2023-12-31') // 1
 * daysUntilBirthday('2000-02-29', '2023-02-28') // 1 (celebrated on 1 March)
 * daysUntilBirthday('2000-02-29', '2023-02-28', { leapDayRule: 'feb28' }) // 0
 * ```
 */
export function daysUntilBirthday(
  dateOfBirth: string,
  today: string,
  options?: DaysUntilBirthdayOptions,
): number {
  const dob = requireIsoDate(dateOfBirth, 'dateOfBirth')
  const now = requireIsoDate(today, 'today')
  // Only a missing value means the default: null is rejected like any other.
  const rule = options?.leapDayRule === undefined ? 'mar1' : options.leapDayRule
  if (rule !== 'mar1' && rule !== 'feb28') {
    throw new BirthdayError('BIRTHDAY_INVALID_OPTION', "leapDayRule must be 'mar1' or 'feb28'.")
  }
  const month = monthOf(dob)
  const day = dayOf(dob)
  const year = yearOf(now)
  const todayOrdinal = dayOfYear(year, monthOf(now), dayOf(now))
  const thisYear = birthdayOrdinal(year, month, day, rule)
  if (thisYear >= todayOrdinal) return thisYear - todayOrdinal
  return daysInYear(year) - todayOrdinal + birthdayOrdinal(year + 1, month, day, rule)
}

/** Ordinal (1-366) of the birthday in `year`, with the leap-day rule applied. */
function birthdayOrdinal(year: number, month: number, day: number, rule: LeapDayRule): number {
  if (month === 2 && day === 29 && !isLeapYear(year)) return rule === 'mar1' ? MAR_1 : FEB_28
  return dayOfYear(year, month, day)
}
