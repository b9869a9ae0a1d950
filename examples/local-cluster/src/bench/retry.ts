// The retry policy every baseline writer gets in the failover benchmark, so the table compares how each
// client finds the leader, not whether it retries (issue #11, "fair benchmarks").
import { classifyError, deriveTiming } from '@birthday-ha/ha-pg-client'
import type { Writer } from './write-load.js'

/** Injected clock and sleep of {@link withRetries}. */
export interface RetryDeps {
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
  readonly random: () => number
}

export interface RetryPolicy {
  /** Give up once this long has passed since the write began: HaPgClient's own `failoverDeadlineMs`. */
  readonly deadlineMs: number
  /** One attempt is abandoned after this long (as `query_timeout` does), then retried. */
  readonly attemptTimeoutMs: number
}

const realDeps: RetryDeps = { now: Date.now, sleep: async (ms) => await new Promise((r) => setTimeout(r, ms)), random: Math.random }

/** SQLSTATE 25006 (read_only_sql_transaction): a node that is not writable yet, polled faster, as HaPgClient polls HAPG_NOT_WRITABLE. */
const NOT_WRITABLE = '25006'

/**
 * Whether HaPgClient would refuse to retry `err` even if it knew nothing had run: a refusal that retrying
 * cannot fix (53300 too_many_connections, a 28xxx password or a 3D000 database error). `classifyError`'s
 * connect phase says `failed` for exactly those. A baseline cannot tell the connect phase from a statement's
 * (pg.Pool.query hides it), so everything else is retried, as HaPgClient retries an idempotent write.
 */
function neverRetried(err: unknown): boolean {
  return classifyError(err, 'connect').outcome === 'failed'
}

/**
 * `writer` whose writes are retried (the benchmark's upsert is idempotent) with HaPgClient's backoff: 10 ms
 * doubling to 200 ms (50 ms for a read-only node), ±50 % jitter, never past `deadlineMs`; then the last
 * error is thrown. Errors HaPgClient never retries ({@link neverRetried}) are thrown at once: a baseline
 * that retried a 53300 until a session freed up hid write failures that HaPgClient reported. This is what
 * a careful application would wrap around `pg.Pool.query`.
 */
export function withRetries(writer: Writer, policy: RetryPolicy, deps: RetryDeps = realDeps): Writer {
  const attempt = async (id: number): ReturnType<Writer['write']> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`attempt timed out after ${policy.attemptTimeoutMs} ms`), { code: 'ATTEMPT_TIMEOUT' })), policy.attemptTimeoutMs)
    })
    try {
      return await Promise.race([writer.write(id), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    ...writer,
    write: async (id) => {
      const deadline = deps.now() + policy.deadlineMs
      const from = async (n: number): ReturnType<Writer['write']> => {
        try {
          return await attempt(id)
        } catch (err) {
          if (neverRetried(err)) throw err
          const capMs = (err as { code?: unknown }).code === NOT_WRITABLE ? 50 : 200
          const delayMs = Math.round(Math.min(capMs, 10 * 2 ** (n - 1)) * (0.5 + deps.random()))
          if (deps.now() + delayMs >= deadline) throw err
          await deps.sleep(delayMs)
          return await from(n + 1)
        }
      }
      return await from(1)
    },
  }
}

/**
 * One deadline for every writer, HaPgClient included: the one HaPgClient derives from the cluster's
 * `/config` (`deriveTiming`'s `failoverDeadlineMs`), asked at `apiUrl`. A fresh cluster's `/config` shows what
 * its Patroni runs with: Patroni 4 stores the values it raised (ttl 20), 3.0.2 what it was given.
 */
export async function benchRetryPolicy(apiUrl: string): Promise<RetryPolicy> {
  const res = await fetch(`${apiUrl}/config`, { signal: AbortSignal.timeout(5_000) })
  const config = (await res.json()) as { ttl: number; loop_wait: number; retry_timeout: number }
  return { deadlineMs: deriveTiming(config).failoverDeadlineMs, attemptTimeoutMs: 5_000 }
}
