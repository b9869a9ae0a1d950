import type { RestResult } from './patroni-api.js'

/** After a majority of calls answered, how long to wait for the stragglers (a frozen Patroni never answers). */
const SETTLE_MS = 30

/**
 * Resolves with every answer once all settled, or `SETTLE_MS` after a majority answered: a frozen
 * member must not hold up a round. Or at once (`early`) when an answer is `enough`. Unsettled answers
 * count as timeouts.
 */
export function quorumSettled<T>(calls: Promise<RestResult<T>>[], enough?: (result: RestResult<T>, i: number) => boolean): Promise<{ results: RestResult<T>[]; early: boolean }> {
  const results: (RestResult<T> | undefined)[] = calls.map(() => undefined)
  const majority = Math.floor(calls.length / 2) + 1
  return new Promise((resolve) => {
    let done = 0
    let timer: NodeJS.Timeout | undefined
    const finish = (early: boolean): void => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      resolve({ results: results.map((r) => r ?? { ok: false, error: new Error('no answer before the round settled'), timedOut: true }), early })
    }
    calls.forEach((call, i) => {
      void call.then((result) => {
        results[i] = result
        done += 1
        if (done === calls.length) finish(false)
        else if (enough?.(result, i) === true) finish(true)
        else if (done === majority && timer === undefined) timer = setTimeout(() => finish(false), SETTLE_MS)
      })
    })
  })
}
