import { BirthdayError } from './errors.js'
import { limits } from './limits.js'

/**
 * The greeting for a user: `Hello, <name>! Your birthday is in N day(s)`,
 * or `Hello, <name>! Happy birthday!` when `daysUntil` is 0. The literal
 * "day(s)" is the wording of the original assignment, kept as-is because
 * clients may match on it. `name` is used as given (pass `Username.name`).
 *
 * Throws `BirthdayError` `BIRTHDAY_INVALID_DAYS` (a programmer error) unless
 * `daysUntil` is an integer from 0 to 365, the range of `daysUntilBirthday`.
 *
 * @example
 * ```ts
 * greeting('Zoë', 5) // 'Hello, Zoë! Your birthday is in 5 day(s)'
 * greeting('Zoë', 0) // 'Hello, Zoë! Happy birthday!'
 * ```
 */
export function greeting(name: string, daysUntil: number): string {
  if (!Number.isInteger(daysUntil) || daysUntil < 0 || daysUntil > limits.maxDaysUntilBirthday) {
    throw new BirthdayError(
      'BIRTHDAY_INVALID_DAYS',
      `daysUntil must be an integer from 0 to ${limits.maxDaysUntilBirthday}.`,
    )
  }
  return daysUntil === 0
    ? `Hello, ${name}! Happy birthday!`
    : `Hello, ${name}! Your birthday is in ${daysUntil} day(s)`
}
