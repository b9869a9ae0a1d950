import type { Stack } from '../stack/schema.js'
import type { Secrets } from './host-plan.js'
import { CONF } from './install-scripts.js'

/** The path of the app's environment file (mode 0600: it holds the database password). */
export const APP_ENV = `${CONF}/app.env`

/**
 * The app hosts' environment, pointing at the given database hosts (the primary cluster, or the
 * DR host after `promote-dr`). libpq's multi-host URL with `target_session_attrs=read-write`
 * finds the writable one; `PATRONI_URLS` lets the service follow the leader.
 */
export function appEnv(stack: Stack, secrets: Secrets, dbIps: readonly string[]): string {
  const dbUrl = `postgresql://${stack.database.appUser}:${encodeURIComponent(secrets['app-password'])}@${dbIps.map((ip) => `${ip}:5432`).join(',')}/${stack.database.name}?target_session_attrs=read-write`
  return `${[
    'HOST=0.0.0.0',
    `PORT=${stack.app.port}`,
    `DATABASE_URL=${dbUrl}`,
    `PATRONI_URLS=${dbIps.map((ip) => `http://${ip}:8008`).join(',')}`,
    'LOG_LEVEL=info',
    `DRAIN_DELAY_MS=${Math.max(stack.alb.deregistrationDelaySeconds, 5) * 1000}`,
  ].join('\n')}\n`
}
