import { RenderError } from './render-error.js'
import { checkPositiveInt } from './spec-checks.js'

/** Patroni's leader-election timing, in seconds (written to the DCS on the first bootstrap only). */
export interface PatroniTiming {
  readonly ttl: number
  readonly loop_wait: number
  readonly retry_timeout: number
}

/**
 * The measured timing profiles: `production` is Patroni's defaults (30/10/10, failover after a
 * kill in ~25 s), `fast` is the test profile (10/1/4, ~10 s). See the project's Patroni notes.
 *
 * @example
 * ```ts
 * renderPatroniConfig({ ...spec, timing: PATRONI_TIMING_PROFILES.fast })
 * ```
 */
export const PATRONI_TIMING_PROFILES = {
  production: { ttl: 30, loop_wait: 10, retry_timeout: 10 },
  fast: { ttl: 10, loop_wait: 1, retry_timeout: 4 },
} as const satisfies Record<string, PatroniTiming>

/** Validates `loop_wait + 2*retry_timeout <= ttl` (and positive integers). */
export function checkTiming(timing: PatroniTiming): PatroniTiming {
  const ttl = checkPositiveInt('timing.ttl', timing.ttl)
  const loopWait = checkPositiveInt('timing.loop_wait', timing.loop_wait)
  const retryTimeout = checkPositiveInt('timing.retry_timeout', timing.retry_timeout)
  if (loopWait + 2 * retryTimeout > ttl) {
    throw new RenderError(
      'PROV_RENDER_INVALID_TIMING',
      'timing',
      `loop_wait + 2*retry_timeout must be <= ttl, got ${loopWait} + 2*${retryTimeout} > ${ttl}`,
    )
  }
  return { ttl, loop_wait: loopWait, retry_timeout: retryTimeout }
}
