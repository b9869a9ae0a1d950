/**
 * Every stable error code of the lab harness. Callers match on `err.code`;
 * the README lists each one.
 */
export const LAB_ERROR_CODES = [
  'LAB_COMMAND_FAILED',
  'LAB_UNKNOWN_HOST',
  'LAB_BOOT_TIMEOUT',
  'LAB_IMAGE_FAILED',
  'LAB_PROXY_FAILED',
  'LAB_DOWNLOAD_FAILED',
  'LAB_INVALID_OPTIONS',
] as const

/** One of {@link LAB_ERROR_CODES}. */
export type LabErrorCode = (typeof LAB_ERROR_CODES)[number]

/** Secret-free facts attached to an error (host, command, stderr…). */
export type LabErrorDetails = Readonly<Record<string, string | number | readonly string[]>>

/**
 * The single error class of `@birthday-ha/lab`: a stable `code`, the
 * underlying error as `cause`.
 *
 * @example
 * ```ts
 * try { await lab.boot('db1') } catch (err) {
 *   if (err instanceof LabError && err.code === 'LAB_BOOT_TIMEOUT') console.error(err.details)
 * }
 * ```
 */
export class LabError extends Error {
  override readonly name = 'LabError'
  readonly code: LabErrorCode
  readonly details: LabErrorDetails

  constructor(code: LabErrorCode, message: string, o: { readonly details?: LabErrorDetails; readonly cause?: unknown } = {}) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause })
    this.code = code
    this.details = o.details ?? {}
  }
}
