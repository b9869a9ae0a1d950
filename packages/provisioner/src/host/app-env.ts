import type { Stack } from '../stack/schema.js'
import type { Secrets } from './host-plan.js'
import { CONF } from './install-scripts.js'

/** The path of the app's environment file (mode 0600: it holds the database password). */
export const APP_ENV = `${CONF}/app.env`

/**
 * The app hosts' environment, pointing at the given database hosts (the primary cluster, or the
 * DR host after `promote-dr`), in the service's Patroni mode: `PATRONI_URLS` (it follows the
 * leader through the REST API) plus `PGUSER`/`PGPASSWORD`/`PGDATABASE`. Never `DATABASE_URL` too:
 * the service refuses both, and a multi-host URL is not a WHATWG URL (found on the lab: the app
 * exited with "DATABASE_URL must be a URL" and every deploy stopped at /readyz). Patroni's GET
 * endpoints need no auth, so no `PATRONI_USERNAME`.
 */
export function appEnv(stack: Stack, secrets: Secrets, dbIps: readonly string[]): string {
  const password = secrets['app-password']
  // A programmer error: the secret stores generate base64url values.
  if (/['\n\\]/.test(password)) throw new TypeError('the app password must not contain quotes, backslashes or newlines')
  return `${[
    'HOST=0.0.0.0',
    `PORT=${stack.app.port}`,
    `PATRONI_URLS=${dbIps.map((ip) => `http://${ip}:8008`).join(',')}`,
    `PGUSER=${stack.database.appUser}`,
    // systemd EnvironmentFile= syntax: single quotes keep the value literal (systemd.exec(5)).
    `PGPASSWORD='${password}'`,
    `PGDATABASE=${stack.database.name}`,
    'LOG_LEVEL=info',
    `DRAIN_DELAY_MS=${Math.max(stack.alb.deregistrationDelaySeconds, 5) * 1000}`,
    `DB_DEADLINE_MS=${dbDeadlineMs(stack)}`,
  ].join('\n')}\n`
}

/**
 * How long a request may wait for the database before its 503: the service's 10 s, but always
 * shorter than the load balancer's deregistration delay. A host taken out (deploy, promote-dr,
 * fail-back) then answers every request it holds before the delay ends, when the load balancer
 * cuts what is still open (ELBv2 closes them, the lab's haproxy does `shutdown sessions`). Found on
 * the lab's DR drill: with a 5 s delay, 120 requests waiting out the region loss were cut.
 */
export function dbDeadlineMs(stack: Stack): number {
  return Math.min(10_000, Math.max(1_000, stack.alb.deregistrationDelaySeconds * 1000 - 1_000))
}
