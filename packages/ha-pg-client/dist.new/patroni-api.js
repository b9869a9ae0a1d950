import { Agent, request } from 'undici';
/**
 * A thin Patroni REST client over undici with a hard deadline on every call: a frozen Patroni
 * (SIGSTOP) accepts TCP and never answers, so the whole call, headers and body, is bounded.
 */
export class PatroniApi {
    /** The deadline of each call; the tracker lowers it once Patroni's timing is known. */
    timeoutMs;
    /** REST calls sent so far (for the fleet-load figures in stats()). */
    calls = 0;
    #dispatcher;
    #ownsDispatcher;
    #headers;
    constructor(options) {
        this.timeoutMs = options.timeoutMs;
        this.#ownsDispatcher = options.dispatcher === undefined;
        this.#dispatcher =
            options.dispatcher ?? new Agent({ connect: { timeout: options.timeoutMs, ...(options.ca === undefined ? {} : { ca: options.ca }) }, keepAliveTimeout: 4_000 });
        this.#headers = { accept: 'application/json' };
        if (options.auth !== undefined) {
            const token = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
            Object.defineProperty(this.#headers, 'authorization', { value: `Basic ${token}`, enumerable: true });
        }
    }
    /** `GET /cluster` on one member. */
    cluster(baseUrl) {
        return this.#get(baseUrl, '/cluster');
    }
    /** `GET /primary` on one member: 200 only while that member holds the leader key and runs as primary. */
    primary(baseUrl) {
        return this.#get(baseUrl, '/primary');
    }
    /** `GET /config`: the dynamic configuration (ttl, loop_wait, retry_timeout…). */
    config(baseUrl) {
        return this.#get(baseUrl, '/config');
    }
    async close() {
        if (this.#ownsDispatcher)
            await this.#dispatcher.close();
    }
    async #get(baseUrl, path) {
        this.calls += 1;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error(`Patroni REST ${path} timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
        const result = await this.#send(new URL(path, baseUrl), path, controller.signal).catch((error) => ({ ok: false, error, timedOut: controller.signal.aborted }));
        clearTimeout(timer);
        return result;
    }
    async #send(url, path, signal) {
        const res = await request(url, {
            method: 'GET',
            headers: this.#headers,
            dispatcher: this.#dispatcher,
            signal,
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
        });
        const text = await res.body.text();
        let body = {};
        try {
            body = text === '' ? {} : JSON.parse(text);
        }
        catch (error) {
            return { ok: false, status: res.statusCode, error };
        }
        if (res.statusCode < 300)
            return { ok: true, status: res.statusCode, body: body };
        return { ok: false, status: res.statusCode, error: new Error(`Patroni ${path} answered ${res.statusCode}`) };
    }
}
//# sourceMappingURL=patroni-api.js.map