import { limits } from './limits.js'
import { fail, ok, type Result } from './result.js'

/**
 * A valid username. Frozen.
 *
 * @example
 * ```ts
 * const u: Username = { name: 'Zoë', key: 'zoë' }
 * ```
 */
export interface Username {
  /** The name as written, in Unicode NFC (for display and greetings). */
  readonly name: string
  /**
   * The identity and storage key: `name` lower-cased with
   * `String.prototype.toLowerCase()`, then NFC again (lower-casing can
   * un-compose, e.g. "J̌" lower-cases to "j" + U+030C, whose NFC is "ǰ").
   * Two names are the same user exactly when their keys are equal.
   */
  readonly key: string
}

// One or more letters, each followed by any number of combining marks.
// \p{L} and \p{M} are disjoint, so the match is linear (no backtracking).
const LETTERS = /^(?:\p{L}\p{M}*)+$/u

// NFC merges at most 4 code points into one (U+1F82 has the longest
// canonical decomposition; a test re-checks this against the running ICU),
// and a code point is at most 2 UTF-16 units. So a raw string longer than
// this cannot be a valid name: reject it before paying for normalization.
const MAX_RAW_UTF16_LENGTH = limits.usernameMaxLength * 4 * 2

/**
 * Validates and normalizes an untrusted username.
 *
 * The input is normalized to Unicode NFC first; then it must be one or more
 * letters (`\p{L}`), each optionally followed by combining marks (`\p{M}`),
 * and at most 64 Unicode code points long. Identity is case-insensitive:
 * compare and store by `key`. Checks run in this order and the first failure
 * is returned: `USERNAME_NOT_A_STRING`, `USERNAME_EMPTY`,
 * `USERNAME_TOO_LONG`, `USERNAME_INVALID_CHARACTERS`.
 *
 * @example
 * ```ts
 * const r = parseUsername('Zoe\u0308') // "Zoë", decomposed
 * if (r.ok) r.value // { name: 'Zoë', key: 'zoë' }, both NFC
 * parseUsername('abc123') // { ok: false, error: { code: 'USERNAME_INVALID_CHARACTERS', ... } }
 * ```
 */
export function parseUsername(raw: unknown): Result<Username> {
  if (typeof raw !== 'string') return fail('USERNAME_NOT_A_STRING')
  if (raw.length === 0) return fail('USERNAME_EMPTY')
  if (raw.length > MAX_RAW_UTF16_LENGTH) return fail('USERNAME_TOO_LONG')
  const name = raw.normalize('NFC')
  // A string has at most as many code points as UTF-16 units: count only
  // when the cheap bound does not settle it.
  if (name.length > limits.usernameMaxLength && codePointLength(name) > limits.usernameMaxLength) {
    return fail('USERNAME_TOO_LONG')
  }
  if (!LETTERS.test(name)) return fail('USERNAME_INVALID_CHARACTERS')
  return ok(Object.freeze({ name, key: usernameKey(name) }))
}

/** @internal The identity key of an NFC name: lower-cased, then NFC again. */
export function usernameKey(name: string): string {
  return name.toLowerCase().normalize('NFC')
}

/**
 * @internal Number of Unicode code points in `s`: a surrogate pair counts
 * once, a lone surrogate counts once.
 */
export function codePointLength(s: string): number {
  let count = s.length
  for (let i = 0; i < s.length - 1; i++) {
    const unit = s.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--
        i++
      }
    }
  }
  return count
}
