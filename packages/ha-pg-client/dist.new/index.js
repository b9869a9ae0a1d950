export { HaPgClient } from './ha-pg-client.js';
export { HaPgError, HA_PG_ERROR_CODES } from './errors.js';
export { classifyError } from './classify-error.js';
export { deriveTiming } from './timing.js';
//# sourceMappingURL=index.js.map