import { limits } from './limits.js'
import { isRealDate, packIsoDate, requireIsoDate } from './iso-date.js'
import { fail, ok, type Result } from './result.js'

const EARLIEST = packIsoDate(limits.earliestDateOfBirth)

/**
 * Validates an untrusted date of birth against `today` (see `todayIn`).
 *
 * Accepted: exactly `YYYY-MM-DD` with ASCII digits (no time, no spaces, no
 * other format), a real calendar date, not before 1900-01-01 and strictly
 * before `today`. Checks run in this order and the first failure is returned:
 * `DOB_NOT_A_STRING`, `DOB_FORMAT`, `DOB_NOT_A_DATE`, `DOB_TOO_EARLY`,
 * `DOB_NOT_IN_PAST`. The value of a success is the input string itself.
 *
 * @param today - today's date, `YYYY-MM-DD`. Anything else is a programmer
 *   error: throws `BirthdayError` `BIRTHDAY_INVALID_DATE`.
 * @example
 * ```ts
 * parseDateOfBirth('1990-04-23', '2024-06-01') // { ok: true, value: '1990-04-23' }
 * parseDateOfBirth('2023-02-29', '2024-06-01') // error code 'DOB_NOT_A_DATE'
 * parseDateOfBirth('2024-06-01', '2024-06-01') // error code 'DOB_NOT_IN_PAST'
 * ```
 */
export function parseDateOfBirth(raw: unknown, today: string): Result<string> {
  const now = requireIsoDate(today, 'today')
  if (typeof raw !== 'string') return fail('DOB_NOT_A_STRING')
  const dob = packIsoDate(raw)
  if (dob < 0) return fail('DOB_FORMAT')
  if (!isRealDate(dob)) return fail('DOB_NOT_A_DATE')
  if (dob < EARLIEST) return fail('DOB_TOO_EARLY')
  if (dob >= now) return fail('DOB_NOT_IN_PAST')
  return ok(raw)
}
