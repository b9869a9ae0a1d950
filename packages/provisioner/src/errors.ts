/**
 * Every stable error code of the provisioner. Callers match on `err.code`;
 * the README lists each one.
 */
export const ERROR_CODES = [
  'PROV_INVALID_STACK',
  'PROV_NO_CREDENTIALS',
  'PROV_NO_REGION',
  'PROV_AWS_CALL_FAILED',
  'PROV_WAIT_TIMEOUT',
  'PROV_NOT_CONFIRMED',
  'PROV_SSH_CONNECT_FAILED',
  'PROV_SSH_COMMAND_FAILED',
  'PROV_HOST_UNHEALTHY',
  'PROV_NO_LEADER',
  'PROV_MISSING_RESOURCE',
  'PROV_NEEDS_REPLACEMENT',
  'PROV_WRONG_STATE',
] as const

/** One of {@link ERROR_CODES}. */
export type ProvisionerErrorCode = (typeof ERROR_CODES)[number]

/** Extra, secret-free facts attached to an error (host, command, stderr…). */
export type ErrorDetails = Readonly<Record<string, string | number | readonly string[]>>

/**
 * The single error class of `@birthday-ha/provisioner`. `code` is stable,
 * `cause` keeps the underlying error (an SDK or ssh error).
 *
 * @example
 * ```ts
 * try { await applyPlan(plan, deps) } catch (err) {
 *   if (err instanceof ProvisionerError && err.code === 'PROV_NO_CREDENTIALS') process.exitCode = 3
 * }
 * ```
 */
export class ProvisionerError extends Error {
  override readonly name = 'ProvisionerError'
  readonly code: ProvisionerErrorCode
  readonly details: ErrorDetails

  constructor(code: ProvisionerErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details ?? {}
  }
}
