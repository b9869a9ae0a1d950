/** What a CancelRequest needs from a connected pg.Client (its BackendKeyData and address). */
export interface CancelTarget {
    readonly host?: string | undefined;
    readonly port?: number | undefined;
    readonly processID?: number | null | undefined;
    readonly secretKey?: number | null | undefined;
}
/**
 * Sends PostgreSQL's CancelRequest for the statement running on `target`'s backend, on a new
 * connection, as libpq's `PQcancel` and pg's `Client#cancel` do: 16 bytes (length 16, code 80877102,
 * the backend's process ID and secret key), after which the server closes the connection without an
 * answer (protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS). Resolves `true` once the bytes were
 * written and the server closed, `false` when there is no key, the connection failed or `timeoutMs`
 * passed. Never rejects: a cancel is best effort by design.
 *
 * @example
 * ```ts
 * await sendCancelRequest(client, 1_000) // client: a connected pg.Client running a statement
 * ```
 */
export declare function sendCancelRequest(target: CancelTarget, timeoutMs: number): Promise<boolean>;
//# sourceMappingURL=cancel-request.d.ts.map