import { HaPgError } from './errors.js';
const NUMERIC = ['leaseMs', 'failoverDeadlineMs', 'discoveryIntervalMs', 'restTimeoutMs', 'queryTimeoutMs'];
/** Throws `HAPG_INVALID_OPTIONS` (a programmer error) and returns a copy whose secrets are non-enumerable. */
export function validateOptions(input) {
    const fail = (why) => {
        throw new HaPgError('HAPG_INVALID_OPTIONS', `invalid HaPgClient options: ${why}`);
    };
    if (typeof input !== 'object' || input === null)
        return fail('expected an object');
    const hasStatic = 'connectionString' in input;
    const hasPatroni = 'patroniUrls' in input;
    if (hasStatic === hasPatroni)
        return fail('give exactly one of connectionString or patroniUrls');
    for (const key of NUMERIC) {
        const value = input[key];
        if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0))
            fail(`${key} must be a positive number`);
    }
    if (hasStatic) {
        if (typeof input.connectionString !== 'string' || input.connectionString === '')
            fail('connectionString must be a non-empty string');
        const copy = { ...input };
        Object.defineProperty(copy, 'connectionString', { value: input.connectionString, enumerable: false });
        return copy;
    }
    const urls = input.patroniUrls;
    if (!Array.isArray(urls) || urls.length === 0)
        return fail('patroniUrls must be a non-empty array');
    for (const url of urls)
        if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
            fail(`not an http(s) URL: ${String(url)}`);
    if (typeof input.pg !== 'object' || input.pg === null)
        fail('pg (connection options) is required in Patroni mode');
    if (input.leaseMs !== undefined && input.discoveryIntervalMs !== undefined && input.discoveryIntervalMs >= input.leaseMs) {
        fail('discoveryIntervalMs must be shorter than leaseMs, or the lease lapses between renewals');
    }
    const pgCopy = { ...input.pg };
    if ('password' in input.pg)
        Object.defineProperty(pgCopy, 'password', { value: input.pg.password, enumerable: false });
    const copy = { ...input, pg: pgCopy };
    if (input.patroniAuth !== undefined) {
        const auth = { username: input.patroniAuth.username };
        Object.defineProperty(auth, 'password', { value: input.patroniAuth.password, enumerable: false });
        Object.defineProperty(copy, 'patroniAuth', { value: auth, enumerable: true });
    }
    return copy;
}
//# sourceMappingURL=options.js.map