import { limits } from './limits.js'

/**
 * The input field a {@link ValidationIssue} is about; an HTTP layer can use
 * it as the JSON pointer of the offending body member.
 *
 * @example
 * ```ts
 * const pointer = `/${issue.field}` // '/dateOfBirth'
 * ```
 */
export type IssueField = 'username' | 'dateOfBirth' | 'timeZone'

/**
 * The validation issue catalogue: each stable code, the field it concerns
 * and its message (one human sentence that never echoes the input, so it is
 * safe to log and to return to clients).
 */
export const ISSUES = {
  USERNAME_NOT_A_STRING: {
    field: 'username',
    message: 'The username must be a string.',
  },
  USERNAME_EMPTY: {
    field: 'username',
    message: 'The username must not be empty.',
  },
  USERNAME_TOO_LONG: {
    field: 'username',
    message: `The username must be at most ${limits.usernameMaxLength} characters long.`,
  },
  USERNAME_INVALID_CHARACTERS: {
    field: 'username',
    message:
      'The username must contain only letters, each optionally followed by accents or other combining marks.',
  },
  DOB_NOT_A_STRING: {
    field: 'dateOfBirth',
    message: 'The date of birth must be a string in the format YYYY-MM-DD.',
  },
  DOB_FORMAT: {
    field: 'dateOfBirth',
    message: 'The date of birth must be written exactly as YYYY-MM-DD, for example 1990-04-23.',
  },
  DOB_NOT_A_DATE: {
    field: 'dateOfBirth',
    message: 'The date of birth must be a real calendar date.',
  },
  DOB_NOT_IN_PAST: {
    field: 'dateOfBirth',
    message: 'The date of birth must be before today.',
  },
  DOB_TOO_EARLY: {
    field: 'dateOfBirth',
    message: `The date of birth must not be before ${limits.earliestDateOfBirth}.`,
  },
  TIME_ZONE_UNKNOWN: {
    field: 'timeZone',
    message: 'The time zone must be a known IANA time zone name, such as Europe/Berlin or UTC.',
  },
} as const satisfies Record<string, { field: IssueField; message: string }>

/**
 * A stable literal code naming one kind of invalid input.
 *
 * @example
 * ```ts
 * const translations: Partial<Record<IssueCode, string>> = { DOB_NOT_IN_PAST: 'Das Geburtsdatum muss vor heute liegen.' }
 * ```
 */
export type IssueCode = keyof typeof ISSUES

/**
 * Why an input was rejected. Returned in a failed {@link Result}, never thrown.
 *
 * @example
 * ```ts
 * const r = parseUsername('a b')
 * if (!r.ok) r.error // { code: 'USERNAME_INVALID_CHARACTERS', field: 'username', message: '...' }
 * ```
 */
export interface ValidationIssue {
  /** Stable literal code; match on this, not on the message. */
  readonly code: IssueCode
  /** The input field the issue is about. */
  readonly field: IssueField
  /** One clear human sentence, in English. It never contains the input. */
  readonly message: string
}

/**
 * The outcome of parsing untrusted input: either the parsed value or the
 * one issue that made the input invalid.
 *
 * @example
 * ```ts
 * const r: Result<string> = parseDateOfBirth(body.dateOfBirth, today)
 * if (!r.ok) return badRequest(r.error)
 * save(r.value)
 * ```
 */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ValidationIssue }

/** A failed {@link Result}; it fits every `Result<T>`. */
export type Failure = Extract<Result<never>, { ok: false }>

// Failures carry no input, so one frozen object per code is shared: the hot
// paths return them without allocating.
const failures = new Map<IssueCode, Failure>()
for (const code of Object.keys(ISSUES) as IssueCode[]) {
  const { field, message } = ISSUES[code]
  failures.set(code, Object.freeze({ ok: false, error: Object.freeze({ code, field, message }) }))
}

/** @internal The shared, frozen failure for `code`. */
export function fail(code: IssueCode): Failure {
  return failures.get(code) as Failure
}

/** @internal A successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}
