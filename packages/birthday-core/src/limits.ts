/**
 * The fixed limits the parsers enforce, for callers that document or mirror
 * them (an OpenAPI schema, a form). Frozen.
 *
 * - `usernameMaxLength`: most Unicode code points in a username after NFC
 *   normalization (the unit JSON Schema's `maxLength` counts, too).
 * - `earliestDateOfBirth`: the earliest accepted date of birth.
 * - `maxDaysUntilBirthday`: the largest value `daysUntilBirthday` returns and
 *   `greeting` accepts (the day after a birthday, 365 days to go).
 *
 * @example
 * ```ts
 * import { limits } from '@birthday-ha/birthday-core'
 * const schema = { type: 'string', minLength: 1, maxLength: limits.usernameMaxLength }
 * ```
 */
export const limits = Object.freeze({
  usernameMaxLength: 64,
  earliestDateOfBirth: '1900-01-01',
  maxDaysUntilBirthday: 365,
} as const)
