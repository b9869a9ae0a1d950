import type { Dispatcher } from 'undici';
import type pg from 'pg';
/** pg-pool options the client passes through to every pool it creates. */
export type PoolOptions = Pick<pg.PoolConfig, 'max' | 'min' | 'idleTimeoutMillis' | 'connectionTimeoutMillis' | 'maxUses' | 'allowExitOnIdle' | 'application_name'>;
/** Connection options shared by every member; host and port are learned from Patroni. */
export type MemberConnectionOptions = Omit<pg.ClientConfig, 'host' | 'port' | 'connectionString'>;
/** A structured logger: `logger.warn({ msg, … })`. Defaults to silence. */
export interface HaPgLogger {
    info(entry: Record<string, unknown>): void;
    warn(entry: Record<string, unknown>): void;
}
/** Static mode: one connection string, no Patroni. Same API; no lease, no failover. */
export interface StaticModeOptions {
    readonly connectionString: string;
    readonly pool?: PoolOptions;
    readonly Pool?: typeof pg.Pool;
    /** A custom pg Client class (pg-native's…), as pg-pool's `Client` option. */
    readonly Client?: unknown;
    readonly failoverDeadlineMs?: number;
    readonly queryTimeoutMs?: number;
    readonly now?: () => number;
    readonly random?: () => number;
    readonly logger?: HaPgLogger;
}
/** Patroni mode: leader discovery, lease, per-epoch pools, safe retries. */
export interface PatroniModeOptions {
    readonly patroniUrls: readonly string[];
    readonly patroniAuth?: {
        readonly username: string;
        readonly password: string;
    };
    readonly patroniCa?: string | Buffer;
    readonly dispatcher?: Dispatcher;
    readonly pg: MemberConnectionOptions;
    readonly pool?: PoolOptions;
    readonly Pool?: typeof pg.Pool;
    /** A custom pg Client class (pg-native's…), as pg-pool's `Client` option. */
    readonly Client?: unknown;
    readonly leaseMs?: number;
    readonly failoverDeadlineMs?: number;
    /** Default per-call timeout of statements (see QueryOptions.timeoutMs). Default: none. */
    readonly queryTimeoutMs?: number;
    readonly discoveryIntervalMs?: number;
    readonly restTimeoutMs?: number;
    readonly now?: () => number;
    readonly random?: () => number;
    readonly logger?: HaPgLogger;
}
/** Options of {@link HaPgClient}: static mode (`connectionString`) or Patroni mode (`patroniUrls`). */
export type HaPgClientOptions = StaticModeOptions | PatroniModeOptions;
/** Throws `HAPG_INVALID_OPTIONS` (a programmer error) and returns a copy whose secrets are non-enumerable. */
export declare function validateOptions(input: HaPgClientOptions): HaPgClientOptions;
//# sourceMappingURL=options.d.ts.map