import { RenderError } from './render-error.js'
import { checkPositiveInt } from './spec-checks.js'

/** Patroni's leader-election timing, in seconds (written to the DCS on the first bootstrap only). */
export interface PatroniTiming {
  readonly ttl: number
  readonly loop_wait: number
  readonly retry_timeout: number
}

/**
 * The measured timing profiles (see the project's Patroni notes):
 * - `production`: Patroni's defaults, 30/10/10 (a leader's power cut fails over in ~25-30 s). Valid on 3.x and 4.x.
 * - `lab`: 20/1/5, the fastest Patroni 4 accepts (it raises `ttl` below 20 to 20); the lab of real
 *   Debian 13 hosts uses it. A power cut of the leader then fails over in about 20 s.
 * - `fast`: 10/1/4, for Patroni 3.0 only (Debian 12, the local test clusters): Patroni 4 rejects it.
 *
 * @example
 * ```ts
 * renderPatroniConfig({ ...spec, timing: PATRONI_TIMING_PROFILES.lab, patroniMajor: 4 })
 * ```
 */
export const PATRONI_TIMING_PROFILES = {
  production: { ttl: 30, loop_wait: 10, retry_timeout: 10 },
  lab: { ttl: 20, loop_wait: 1, retry_timeout: 5 },
  fast: { ttl: 10, loop_wait: 1, retry_timeout: 4 },
} as const satisfies Record<string, PatroniTiming>

/** Patroni 4's minimums (it silently raises smaller values; we refuse them instead). */
const PATRONI4_MINIMUMS = { ttl: 20, loop_wait: 1, retry_timeout: 3 } as const

/**
 * Validates `loop_wait + 2*retry_timeout <= ttl` (and positive integers); with `patroniMajor` 4 also
 * Patroni 4's minimums (ttl >= 20, retry_timeout >= 3), so what is rendered is what runs.
 */
export function checkTiming(timing: PatroniTiming, patroniMajor?: 3 | 4): PatroniTiming {
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
  if (patroniMajor === 4) {
    const got = { ttl, loop_wait: loopWait, retry_timeout: retryTimeout }
    for (const [k, min] of Object.entries(PATRONI4_MINIMUMS) as [keyof PatroniTiming, number][]) {
      if (got[k] < min) throw new RenderError('PROV_RENDER_INVALID_TIMING', `timing.${k}`, `must be >= ${min} for Patroni 4 (it would raise ${got[k]} to ${min})`)
    }
  }
  return { ttl, loop_wait: loopWait, retry_timeout: retryTimeout }
}
