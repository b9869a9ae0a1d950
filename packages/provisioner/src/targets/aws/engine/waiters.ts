import { ProvisionerError } from '../../../errors.js'
import type { EngineContext } from './context.js'

/** One look at a resource while waiting: `done`, still moving (`wait`), or a state it will never leave (`fail`). */
export type Poll = { readonly outcome: 'done' | 'wait' | 'fail'; readonly state: string }

/** How often {@link pollUntil} looks (ms). */
export const POLL_INTERVAL_MS = 5_000

/**
 * Look at a resource every {@link POLL_INTERVAL_MS} through the injected
 * sleep until `check` says done, at most `maxWaitSeconds` (the SDK's own
 * waiters use real timers and, for some, succeed on any answer: see
 * `waitUntilVpcPeeringConnectionExists`). Progress is reported on every look.
 */
export async function pollUntil(ctx: EngineContext, label: string, check: () => Promise<Poll>, key?: string): Promise<string> {
  const budget = ctx.deps.maxWaitSeconds * 1000
  const look = async (waited: number): Promise<string> => {
    const p = await check()
    if (p.outcome === 'done') return p.state
    if (p.outcome === 'fail') throw new ProvisionerError('PROV_WAIT_TIMEOUT', `${label} reached state ${p.state}`, { details: { waiter: label, state: p.state } })
    if (waited >= budget) {
      throw new ProvisionerError('PROV_WAIT_TIMEOUT', `${label} still ${p.state} after ${ctx.deps.maxWaitSeconds} s`, { details: { waiter: label, state: p.state } })
    }
    ctx.progress({ event: 'wait', ...(key === undefined ? {} : { key }), detail: `${label}: ${p.state} (${Math.round(waited / 1000)} s)` })
    await ctx.deps.sleep(POLL_INTERVAL_MS)
    return look(waited + POLL_INTERVAL_MS)
  }
  return look(0)
}

/** States → poll outcome helper. */
export function outcome(state: string | undefined, done: readonly string[], fail: readonly string[] = []): Poll {
  const s = state ?? 'unknown'
  return { outcome: done.includes(s) ? 'done' : fail.includes(s) ? 'fail' : 'wait', state: s }
}
