import type { PatroniTiming } from '@birthday-ha/provisioner/render'

/**
 * The Patroni releases the harness can run: `3` is Debian 12's 3.0.2 (`/usr/bin/patroni`), `4` is
 * Debian 13's 4.0.7, unpacked into {@link PATRONI4_DIR} beside it (see `patroni4-install.ts`).
 */
export const PATRONI_RELEASES = ['3', '4'] as const

/** One of {@link PATRONI_RELEASES}. */
export type PatroniRelease = (typeof PATRONI_RELEASES)[number]

/** Where trixie's Patroni 4 is unpacked (`dpkg -x`), a directory of its own: Debian 12's Patroni 3.0.2 stays installed. */
export const PATRONI4_DIR = '/var/cache/birthday-ha-patroni4'

/** True for `'3'` and `'4'`. */
export const isPatroniRelease = (value: unknown): value is PatroniRelease => PATRONI_RELEASES.some((r) => r === value)

/** The environment assignments and argv (for `env -i`) that run Patroni of `release` on `configFile`. */
export function patroniCommand(release: PatroniRelease, configFile: string, dir = PATRONI4_DIR): { env: string[]; argv: string[] } {
  if (release === '3') return { env: [], argv: ['/usr/bin/patroni', configFile] }
  // Debian's python3 explicitly: a pyenv python3 earlier on PATH lacks Debian's modules (python3-etcd, psycopg2).
  return { env: [`PYTHONPATH=${dir}/usr/lib/python3/dist-packages`], argv: ['/usr/bin/python3', `${dir}/usr/bin/patroni`, configFile] }
}

/** Patroni 4's minimums; it raises smaller values when it reads its config (`ttl=10 can't be smaller than 20, adjusting...`). */
export const PATRONI4_MINIMUMS = { ttl: 20, loop_wait: 1, retry_timeout: 3 } as const satisfies PatroniTiming

/**
 * The timing `release` actually runs for a valid `timing` (`loop_wait + 2*retry_timeout <= ttl`):
 * Patroni 3.0 stores what it is given; Patroni 4 raises each value to {@link PATRONI4_MINIMUMS},
 * then lowers `loop_wait` if the rule no longer holds (as its `_validate_and_adjust_timeouts` does).
 * The harness renders the result, so the config, the state file and the DCS agree.
 */
export function effectiveTiming(release: PatroniRelease, timing: PatroniTiming): PatroniTiming {
  if (release === '3') return timing
  const ttl = Math.max(timing.ttl, PATRONI4_MINIMUMS.ttl)
  const retryTimeout = Math.max(timing.retry_timeout, PATRONI4_MINIMUMS.retry_timeout)
  const loopWait = Math.min(Math.max(timing.loop_wait, PATRONI4_MINIMUMS.loop_wait), ttl - 2 * retryTimeout)
  return { ttl, loop_wait: loopWait, retry_timeout: retryTimeout }
}
