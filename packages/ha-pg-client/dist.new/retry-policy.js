import { classifyError } from './classify-error.js';
import { HaPgError } from './errors.js';
/**
 * The retry rule, in one place:
 * - `never-ran` → retry (bounded by the deadline);
 * - `unknown` → retry only when the caller said `idempotent: true`, else `HAPG_OUTCOME_UNKNOWN` with the cause;
 * - `failed` → give the error back as it is (a constraint violation is the caller's business).
 * Backoff: 10 ms doubling to 200 ms, with ±50 % jitter, never past the deadline (then `HAPG_FAILOVER_TIMEOUT`).
 * `HAPG_NOT_WRITABLE` (a confirmed leader still promoting) doubles only to 50 ms: it is polled like
 * libpq's multi-host reconnect, so writes resume within ~50 ms of the promotion.
 */
export function retryVerdict(err, phase, attempt, idempotent, msLeft, random) {
    const cls = classifyError(err, phase);
    if (err instanceof HaPgError && (err.code === 'HAPG_CLOSED' || err.code === 'HAPG_NO_LEADER' || err.code === 'HAPG_FAILOVER_TIMEOUT')) {
        return { retry: false, error: err, cls };
    }
    if (cls.outcome === 'failed')
        return { retry: false, error: err, cls };
    if (cls.outcome === 'unknown' && !idempotent) {
        return { retry: false, error: new HaPgError('HAPG_OUTCOME_UNKNOWN', `the statement may or may not have committed (${cls.code})`, { cause: err }), cls };
    }
    const capMs = cls.code === 'HAPG_NOT_WRITABLE' ? 50 : 200;
    const delayMs = Math.round(Math.min(capMs, 10 * 2 ** (attempt - 1)) * (0.5 + random()));
    if (delayMs >= msLeft) {
        return { retry: false, error: new HaPgError('HAPG_FAILOVER_TIMEOUT', `gave up after ${attempt} attempt(s): the failover deadline passed (${cls.code})`, { cause: err }), cls };
    }
    return { retry: true, delayMs, cls };
}
//# sourceMappingURL=retry-policy.js.map