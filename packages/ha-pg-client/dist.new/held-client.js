import { HaPgError } from './errors.js';
import { destroySocket, runStatement } from './statement.js';
/**
 * Puts a client checked out on the leader under the same write guarantee as `HaPgClient#query`
 * (issue #11, critical 2):
 * - before each statement, the lease of the client's epoch must be valid (waiting for it, bounded);
 *   if another epoch was leased meanwhile, the session is on a deposed leader: it is destroyed and the
 *   statement fails with `HAPG_SESSION_FENCED` without being sent;
 * - each acknowledgement must arrive under that lease (or the epoch is re-confirmed), else
 *   `HAPG_OUTCOME_UNKNOWN`, and the session is destroyed so nothing more runs in it;
 * - when the epoch's pool retires, the session is destroyed at once (HAProxy's
 *   `on-marked-down shutdown-sessions`); statements in flight get `HAPG_OUTCOME_UNKNOWN`.
 * Submittables (pg-cursor, pg-query-stream) are passed through unfenced, after the same pre-checks.
 * Returns the function that lifts the fence (call it before release); it says whether the session was fenced (then destroy it).
 */
export function fenceClient(client, ctx) {
    const original = client.query;
    const raw = original.bind(client);
    // What runStatement sends through: the client with its own, unfenced query.
    const unfenced = Object.create(client, { query: { value: raw } });
    let fenced;
    const fence = (reason) => {
        fenced ??= reason;
        destroySocket(client);
    };
    const untrack = ctx.pool.track(fence);
    const ready = async () => {
        if (fenced === undefined && !ctx.hasLease(ctx.epoch)) {
            const leased = await ctx.waitForLease();
            if (leased.id !== ctx.epoch.id)
                fence(new Error(`the leader moved from ${ctx.epoch.name} to ${leased.name}`));
        }
        if (ctx.pool.retired)
            fence(new Error(`the pool for ${ctx.epoch.name} retired`));
        if (fenced !== undefined)
            throw new HaPgError('HAPG_SESSION_FENCED', `this session was on ${ctx.epoch.name}, which is no longer the leased leader; it was closed and the statement was not sent`, { cause: fenced });
    };
    const run = async (query, options) => {
        await ready();
        const result = await runStatement(unfenced, ctx.pool, query, { ...ctx.limits, ...options });
        try {
            await ctx.confirmAck(ctx.epoch, ctx.now());
        }
        catch (err) {
            fence(err);
            throw err;
        }
        return result;
    };
    const query = (...args) => {
        const [text, second, third] = args;
        if (typeof text.submit === 'function') {
            ready().then(() => raw(...args), (err) => text.handleError?.(err));
            return text;
        }
        const callback = [second, third].find((a) => typeof a === 'function');
        const values = Array.isArray(second) ? second : undefined;
        const options = (typeof third === 'object' && third !== null ? third : {});
        const config = typeof text === 'string' ? { text } : { ...text };
        if (values !== undefined)
            config.values = values;
        const promise = run(config, options);
        if (callback === undefined)
            return promise;
        promise.then((res) => callback(null, res), (err) => callback(err));
        return undefined;
    };
    client.query = query;
    let lifted = false;
    return () => {
        if (!lifted) {
            lifted = true;
            untrack();
            client.query = original;
        }
        return fenced !== undefined;
    };
}
//# sourceMappingURL=held-client.js.map