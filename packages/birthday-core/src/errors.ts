/**
 * Every {@link BirthdayError} code. Stable: callers may match on them.
 *
 * - `BIRTHDAY_INVALID_DATE`: a date argument that must already be a valid
 *   `YYYY-MM-DD` calendar date (for example `today`) is not one.
 * - `BIRTHDAY_INVALID_OPTION`: an option has a value outside its documented set.
 * - `BIRTHDAY_INVALID_DAYS`: a day count is not an integer from 0 to 365.
 * - `BIRTHDAY_INVALID_CLOCK`: the injected clock did not return epoch
 *   milliseconds that map to a year from 0000 to 9999.
 */
export const BIRTHDAY_ERROR_CODES = [
  'BIRTHDAY_INVALID_DATE',
  'BIRTHDAY_INVALID_OPTION',
  'BIRTHDAY_INVALID_DAYS',
  'BIRTHDAY_INVALID_CLOCK',
] as const

/**
 * A stable literal code carried by every {@link BirthdayError}.
 *
 * @example
 * ```ts
 * const code: BirthdayErrorCode = 'BIRTHDAY_INVALID_DATE'
 * ```
 */
export type BirthdayErrorCode = (typeof BIRTHDAY_ERROR_CODES)[number]

/**
 * The package's one error class. It is thrown only for programmer errors
 * (a malformed argument that the caller should have validated first). Bad
 * user input is never thrown: it comes back as a `Result` with a
 * `ValidationIssue`.
 *
 * @example
 * ```ts
 * try {
 *   daysUntilBirthday('2000-02-30', '2024-01-01')
 * } catch (err) {
 *   if (err instanceof BirthdayError && err.code === 'BIRTHDAY_INVALID_DATE') {
 *     // a bug in the caller: it passed an unvalidated date
 *   }
 * }
 * ```
 */
export class BirthdayError extends Error {
  /** Stable literal code, see {@link BirthdayErrorCode}. */
  readonly code: BirthdayErrorCode
  override readonly name = 'BirthdayError'

  constructor(code: BirthdayErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
