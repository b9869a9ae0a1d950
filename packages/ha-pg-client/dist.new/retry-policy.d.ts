import { type ErrorClass } from './classify-error.js';
/** What to do after a failed attempt. */
export type RetryVerdict = {
    readonly retry: true;
    readonly delayMs: number;
    readonly cls: ErrorClass;
} | {
    readonly retry: false;
    readonly error: unknown;
    readonly cls: ErrorClass;
};
/**
 * The retry rule, in one place:
 * - `never-ran` → retry (bounded by the deadline);
 * - `unknown` → retry only when the caller said `idempotent: true`, else `HAPG_OUTCOME_UNKNOWN` with the cause;
 * - `failed` → give the error back as it is (a constraint violation is the caller's business).
 * Backoff: 10 ms doubling to 200 ms, with ±50 % jitter, never past the deadline (then `HAPG_FAILOVER_TIMEOUT`).
 * `HAPG_NOT_WRITABLE` (a confirmed leader still promoting) doubles only to 50 ms: it is polled like
 * libpq's multi-host reconnect, so writes resume within ~50 ms of the promotion.
 */
export declare function retryVerdict(err: unknown, phase: 'connect' | 'statement', attempt: number, idempotent: boolean, msLeft: number, random: () => number): RetryVerdict;
//# sourceMappingURL=retry-policy.d.ts.map