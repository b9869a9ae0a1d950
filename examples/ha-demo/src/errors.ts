/** Every stable error code of the ha-demo; the README lists each one. */
export const HA_DEMO_ERROR_CODES = [
  'DEMO_BAD_OPTIONS',
  'DEMO_TIMEOUT',
  'DEMO_PROCESS_EXITED',
  'DEMO_HAPROXY_COMMAND',
  'DEMO_NO_STATE',
] as const

/** One of {@link HA_DEMO_ERROR_CODES}. */
export type HaDemoErrorCode = (typeof HA_DEMO_ERROR_CODES)[number]

/**
 * The single error class of `@birthday-ha/ha-demo`. Match on `err.code`; `cause` keeps the underlying error.
 *
 * @example
 * ```ts
 * try { await waitUntil('x', check, { timeoutMs: 1000 }) } catch (err) {
 *   if (err instanceof HaDemoError && err.code === 'DEMO_TIMEOUT') console.error(err.message)
 * }
 * ```
 */
export class HaDemoError extends Error {
  override readonly name = 'HaDemoError'
  readonly code: HaDemoErrorCode

  constructor(code: HaDemoErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
