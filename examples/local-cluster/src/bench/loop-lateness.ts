import { monitorEventLoopDelay } from 'node:perf_hooks'

/** The monitor's own tick: an idle loop shows this much, which is not lateness. */
const RESOLUTION_MS = 10

/** How late this process's timers ran, in ms, since the watch began or was last reset. */
export interface LoopLateness {
  percentileMs(p: number): number
  maxMs(): number
  reset(): void
  stop(): void
}

/**
 * Watches how late this process's timers run (`monitorEventLoopDelay`): what a bench whose clients share
 * an event loop adds to their figures. The histogram records the time between its own ticks, so the
 * tick is taken off each figure.
 */
export function watchLoopLateness(): LoopLateness {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  const lateMs = (ns: number): number => Math.max(0, Math.round(ns / 1e6) - RESOLUTION_MS)
  return {
    percentileMs: (p) => lateMs(histogram.percentile(p)),
    maxMs: () => lateMs(histogram.max),
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  }
}
