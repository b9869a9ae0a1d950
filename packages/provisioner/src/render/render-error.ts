/**
 * Stable codes of {@link RenderError}.
 *
 * @example
 * ```ts
 * for (const code of RENDER_ERROR_CODES) console.log(code) // PROV_RENDER_INVALID_SPEC, PROV_RENDER_INVALID_TIMING
 * ```
 */
export const RENDER_ERROR_CODES = [
  'PROV_RENDER_INVALID_SPEC',
  'PROV_RENDER_INVALID_TIMING',
] as const

/** One of {@link RENDER_ERROR_CODES}. */
export type RenderErrorCode = (typeof RENDER_ERROR_CODES)[number]

/**
 * Thrown by the renderers when a spec cannot produce a safe configuration. A bad spec is a
 * programmer error (the provisioner and the local harness build specs from validated input),
 * so the renderers throw rather than return a result. Match on `err.code`.
 *
 * @example
 * ```ts
 * try {
 *   renderPatroniConfig(spec)
 * } catch (err) {
 *   if (err instanceof RenderError && err.code === 'PROV_RENDER_INVALID_TIMING') console.error(err.message)
 * }
 * ```
 */
export class RenderError extends Error {
  override readonly name = 'RenderError'
  readonly code: RenderErrorCode
  /** Dotted path of the offending spec field, e.g. `timing.ttl`. */
  readonly field: string

  constructor(code: RenderErrorCode, field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options)
    this.code = code
    this.field = field
  }
}
