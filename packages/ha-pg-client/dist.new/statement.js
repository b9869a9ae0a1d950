import { sendCancelRequest } from './cancel-request.js';
import { HaPgError } from './errors.js';
/** How long a CancelRequest may take before the connection is destroyed anyway. */
const CANCEL_TIMEOUT_MS = 1_000;
/**
 * Runs one statement. It ends early when:
 * - `limits.timeoutMs` passes (`HAPG_STATEMENT_TIMEOUT`) or `limits.signal` aborts (`HAPG_ABORTED`):
 *   a CancelRequest stops the backend (dropping the socket alone leaves it running until it next
 *   writes), then the connection is destroyed;
 * - its pool retires (a deposed leader, or a lease lost for the whole failover deadline): the socket is
 *   destroyed at once. `statement_timeout` does not interrupt a commit that waits for a synchronous standby.
 */
export async function runStatement(client, pool, query, limits = {}) {
    const { signal, timeoutMs } = limits;
    if (signal?.aborted === true)
        throw new HaPgError('HAPG_ABORTED', 'aborted before the statement was sent', { cause: signal.reason });
    let reject;
    const stopped = new Promise((_, r) => (reject = r));
    const abort = (reason, cancel) => {
        reject(reason); // first, so the caller sees why, not the socket error the destroy causes
        if (cancel)
            void sendCancelRequest(client, CANCEL_TIMEOUT_MS).then(() => destroySocket(client));
        else
            destroySocket(client);
    };
    const cancel = limits.cancel !== false;
    const untrack = pool.track((reason) => abort(reason, false));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => abort(new HaPgError('HAPG_STATEMENT_TIMEOUT', `no answer within ${Math.round(timeoutMs)} ms; the statement was cancelled and the connection closed`), cancel), Math.max(1, timeoutMs));
    const onAbort = () => abort(new HaPgError('HAPG_ABORTED', 'aborted by the caller; the statement was cancelled and the connection closed', { cause: signal?.reason }), cancel);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
        return await Promise.race([client.query(query), stopped]);
    }
    finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        untrack();
    }
}
/** Drops the connection under a client at once (the next query on it fails as "not queryable"). */
export function destroySocket(client) {
    const stream = client.connection?.stream;
    stream?.destroy();
}
//# sourceMappingURL=statement.js.map