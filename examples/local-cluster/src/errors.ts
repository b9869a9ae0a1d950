/**
 * Every stable error code of the local cluster harness; the README lists each one.
 *
 * @example
 * ```ts
 * const isOurs = (err: unknown) => err instanceof LocalClusterError && LOCAL_CLUSTER_ERROR_CODES.includes(err.code)
 * ```
 */
export const LOCAL_CLUSTER_ERROR_CODES = [
  'LC_BAD_OPTIONS',
  'LC_MISSING_PACKAGES',
  'LC_NO_STATE',
  'LC_TIMEOUT',
  'LC_PROCESS_EXITED',
  'LC_NO_LEADER',
  'LC_UNKNOWN_MEMBER',
  'LC_REST_FAILED',
  'LC_SWITCHOVER_FAILED',
  'LC_CLOSED',
] as const

/** One of {@link LOCAL_CLUSTER_ERROR_CODES}. */
export type LocalClusterErrorCode = (typeof LOCAL_CLUSTER_ERROR_CODES)[number]

/**
 * The single error class of `@birthday-ha/local-cluster`. Match on `err.code`; `cause` keeps the
 * underlying error. Messages never hold secrets.
 *
 * @example
 * ```ts
 * try { await cluster.waitReady({ timeoutMs: 30_000 }) } catch (err) {
 *   if (err instanceof LocalClusterError && err.code === 'LC_TIMEOUT') console.error(err.message)
 * }
 * ```
 */
export class LocalClusterError extends Error {
  override readonly name = 'LocalClusterError'
  readonly code: LocalClusterErrorCode

  constructor(code: LocalClusterErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
