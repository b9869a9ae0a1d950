import type { RequestRecord } from '@birthday-ha/ha-demo/dist/index.js'

/** Recovery figures of a regional failover, from the load's records. */
export interface RecoveryFigures {
  /** First failed write after the fault to the first acknowledged write after it (ms); undefined if writes never failed or never came back. */
  readonly rtoMs: number | undefined
  /** The fault to that first acknowledged write (ms). */
  readonly faultToFirstAckMs: number | undefined
  readonly failedWrites: number
}

const isPut = (r: RequestRecord): boolean => r.method === 'PUT'
const ok = (r: RequestRecord): boolean => r.status >= 200 && r.status < 300

/**
 * RTO as the DR drill measures it: from the first write that failed (its answer, or its timeout)
 * after `faultAt`, to the first acknowledged write sent after that failure.
 */
export function recoveryFigures(records: readonly RequestRecord[], faultAt: number): RecoveryFigures {
  const writes = records.filter(isPut)
  const failed = writes.filter((r) => !ok(r) && r.endedAt >= faultAt)
  // no failed write: recovery is simply the first acknowledged write sent after the fault
  const firstFail = failed.length === 0 ? faultAt : Math.min(...failed.map((r) => r.endedAt))
  const acks = writes.filter((r) => ok(r) && r.sentAt > firstFail).map((r) => r.endedAt)
  const firstAck = acks.length === 0 ? undefined : Math.min(...acks)
  return {
    rtoMs: failed.length === 0 || firstAck === undefined ? undefined : firstAck - firstFail,
    faultToFirstAckMs: firstAck === undefined ? undefined : firstAck - faultAt,
    failedWrites: failed.length,
  }
}
