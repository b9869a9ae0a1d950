export { HaPgClient } from './ha-pg-client.js';
export type { ClientStats, HaPgClientEvents, QueryOptions } from './ha-pg-client.js';
export { HaPgError, HA_PG_ERROR_CODES } from './errors.js';
export type { HaPgErrorCode } from './errors.js';
export { classifyError } from './classify-error.js';
export type { ErrorClass } from './classify-error.js';
export { deriveTiming } from './timing.js';
export type { ClientTiming } from './timing.js';
export type { HaPgClientOptions, HaPgLogger, MemberConnectionOptions, PatroniModeOptions, PoolOptions, StaticModeOptions } from './options.js';
//# sourceMappingURL=index.d.ts.map