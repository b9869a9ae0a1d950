/**
 * What a failed statement tells the retry logic.
 * - `outcome`: `never-ran` (provably had no effect: safe to retry), `unknown` (may have committed:
 *   retry only if idempotent), `failed` (the server ran and rejected it, or a caller error: never retry).
 * - `topology`: the error hints that the leader moved, so discovery refreshes at once.
 */
export interface ErrorClass {
    readonly outcome: 'never-ran' | 'unknown' | 'failed';
    readonly topology: boolean;
    /** The SQLSTATE, errno or HaPgError code that decided it, or `'unknown'`. */
    readonly code: string;
}
/**
 * Classifies any error thrown by pg, pg-pool, a socket or this client. The full table is in the README
 * and pinned by a unit test. Errors raised while *connecting* never ran, whatever they are: the
 * caller passes `phase: 'connect'` for those.
 *
 * @example
 * ```ts
 * classifyError(Object.assign(new Error('x'), { code: '57P01' })) // { outcome: 'unknown', topology: true, code: '57P01' }
 * ```
 */
export declare function classifyError(err: unknown, phase?: 'connect' | 'statement'): ErrorClass;
//# sourceMappingURL=classify-error.d.ts.map