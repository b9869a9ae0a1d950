import { HaDemoError } from './errors.js'

/** One hello-service instance behind haproxy. */
export interface AppServer {
  readonly name: string
  readonly port: number
}

/** Options of {@link renderAppHaproxyConfig}. */
export interface AppHaproxyOptions {
  /** Port of the HTTP frontend, on 127.0.0.1. */
  readonly port: number
  readonly servers: readonly AppServer[]
  /** Path of the runtime API socket (`stats socket ... level admin`). */
  readonly socketPath: string
  /** Health check timing; default inter 1000 ms, fall 2, rise 1. */
  readonly check?: { readonly interMs?: number; readonly fall?: number; readonly rise?: number }
  /** `timeout server`: must exceed the service's REQUEST_TIMEOUT_MS. Default 25 000 ms. */
  readonly serverTimeoutMs?: number
}

/** The resolved health check timing of a config. */
export interface CheckTiming {
  readonly interMs: number
  readonly fall: number
  readonly rise: number
}

/** The check timing `options` resolve to. */
export function checkTiming(options: Pick<AppHaproxyOptions, 'check'>): CheckTiming {
  return { interMs: options.check?.interMs ?? 1000, fall: options.check?.fall ?? 2, rise: options.check?.rise ?? 1 }
}

/**
 * The DRAIN_DELAY_MS an instance needs behind this haproxy: after /readyz turns 503, haproxy sees it
 * down within `fall` checks, the first of which comes at most `inter` later; plus 500 ms for the check
 * itself and the request that raced it. With inter 1 s and fall 2: 2 500 ms.
 */
export function drainDelayFor(check: CheckTiming): number {
  return check.interMs * check.fall + 500
}

/** Backend names: the ready pool (checked on /readyz) and the fail-open pool (checked on /healthz). */
export const BACKENDS = { ready: 'be_app', failOpen: 'be_app_failopen' } as const

// The body haproxy itself answers with when no instance at all is up: the service's own problem+json
// shape, so a client sees the same clean, retryable 503 whoever produced it.
const NO_SERVER_PROBLEM = '{"type":"about:blank","title":"Service unavailable","status":503,"code":"NO_BACKEND","detail":"No instance is available. Retry shortly."}'

/**
 * Renders the haproxy.cfg of the app tier (HTTP mode), standing in for the AWS load balancer:
 * - `be_app` holds the instances checked on `GET /readyz` (inter/fall/rise as given);
 * - `retry-on conn-failure empty-response` with `retries 3` and `option redispatch 1`: a request is
 *   re-sent to another instance only when the connection failed or closed with no response at all.
 *   Both are safe here: a connect failure never reached the app, and the one write (PUT of fixed
 *   values, an upsert) is idempotent, so re-running it after a lost response ends in the same state.
 *   Not `response-timeout` or 5xx statuses: those mean the app answered or may still be working;
 * - fail-open like an ALB whose targets are all unhealthy: when no instance is ready (a failover
 *   makes every /readyz fail at once), requests go to `be_app_failopen`, the same instances checked
 *   on `/healthz`, where they wait for the new leader (up to DB_DEADLINE_MS) instead of being refused;
 * - when no instance is alive at all, haproxy's own 503 is problem+json with `Retry-After: 1`;
 * - a runtime API socket at admin level, for `set server be_app/app1 state drain|maint|ready`.
 */
export function renderAppHaproxyConfig(options: AppHaproxyOptions): string {
  if (options.servers.length === 0) throw new HaDemoError('DEMO_BAD_OPTIONS', 'the app haproxy needs at least one server')
  const { interMs, fall, rise } = checkTiming(options)
  const server = (s: AppServer): string => `    server ${s.name} 127.0.0.1:${s.port} check`
  return [
    'global',
    '    maxconn 8192',
    `    stats socket ${options.socketPath} mode 600 level admin`,
    '    stats timeout 30s',
    '',
    'defaults',
    '    mode http',
    '    log global',
    '    timeout connect 1s',
    '    timeout client 60s',
    `    timeout server ${options.serverTimeoutMs ?? 25_000}ms`,
    '    timeout queue 5s',
    '    timeout http-request 10s',
    '    timeout http-keep-alive 10s',
    `    timeout check ${interMs}ms`,
    '    retries 3',
    '    option redispatch 1',
    '    retry-on conn-failure empty-response',
    `    http-error status 503 content-type application/problem+json string '${NO_SERVER_PROBLEM}' hdr Retry-After 1`,
    `    default-server inter ${interMs}ms fall ${fall} rise ${rise}`,
    '',
    'frontend fe_http',
    `    bind 127.0.0.1:${options.port}`,
    `    use_backend ${BACKENDS.failOpen} if { nbsrv(${BACKENDS.ready}) eq 0 }`,
    `    default_backend ${BACKENDS.ready}`,
    '',
    `backend ${BACKENDS.ready}`,
    '    balance roundrobin',
    '    option httpchk GET /readyz',
    '    http-check expect status 200',
    ...options.servers.map(server),
    '',
    `backend ${BACKENDS.failOpen}`,
    '    balance roundrobin',
    '    option httpchk GET /healthz',
    '    http-check expect status 200',
    ...options.servers.map(server),
    '',
  ].join('\n')
}
