/** One app host behind the lab's load balancer. */
export interface HaproxyServer {
  /** The stack's host name (`app1`…), also haproxy's server name. */
  readonly name: string
  readonly ip: string
  readonly port: number
}

/** Options of {@link renderHaproxyConfig}. */
export interface HaproxyConfigOptions {
  /** `address:port` clients connect to (the ALB's listener). */
  readonly bind: string
  readonly servers: readonly HaproxyServer[]
  /** The runtime API socket (admin level, root only). */
  readonly adminSocket: string
  /** Where admin and health states are saved before a reload and read back after it. */
  readonly stateFile: string
  /** The target group's health check: path, interval and thresholds (ELBv2's `HealthCheck*` settings). */
  readonly health: { readonly path: string; readonly intervalMs: number; readonly healthyThreshold: number; readonly unhealthyThreshold: number; readonly timeoutMs: number }
  /** How long a request may take (the ALB's idle timeout). */
  readonly idleTimeoutSeconds: number
}

/** The backend every app host is in. */
export const HAPROXY_BACKEND = 'app'

/** The unchecked twin of a server that takes traffic only when every checked one is down (ELBv2's fail-open). */
export const failOpenName = (server: string): string => `${server}-failopen`

/**
 * Render the edge host's haproxy.cfg: one HTTP listener, one backend of
 * every app host, each health-checked on `/readyz` like the ALB's target
 * group. Every server starts `disabled` (ELBv2: not registered, "unused"):
 * the deploy registers and deregisters them through the runtime API, and a
 * reload keeps those states (`server-state-file`). Requests are balanced one
 * by one, also on kept-alive connections, so a draining host gets no new
 * request. When every registered host fails its check, ELBv2 fails open
 * and sends requests to all of them: each server has an unchecked
 * `backup` twin, registered and deregistered with it, that haproxy uses
 * only then (`option allbackups`).
 *
 * @example
 * ```ts
 * const cfg = renderHaproxyConfig({ bind: '10.10.0.5:80', servers: [{ name: 'app1', ip: '10.10.10.20', port: 8080 }], ... })
 * ```
 */
export function renderHaproxyConfig(o: HaproxyConfigOptions): string {
  const h = o.health
  return [
    '# Written by the birthday-ha lab target: the lab\'s stand-in for the ALB.',
    'global',
    `  stats socket ${o.adminSocket} mode 600 level admin`,
    `  server-state-file ${o.stateFile}`,
    '  log stdout format raw local0 notice',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option dontlognull',
    '  timeout connect 3s',
    `  timeout client ${o.idleTimeoutSeconds}s`,
    `  timeout server ${o.idleTimeoutSeconds}s`,
    `  timeout http-keep-alive ${o.idleTimeoutSeconds}s`,
    `  timeout check ${h.timeoutMs}ms`,
    '  load-server-state-from-file global',
    '',
    'frontend web',
    `  bind ${o.bind}`,
    `  default_backend ${HAPROXY_BACKEND}`,
    '',
    `backend ${HAPROXY_BACKEND}`,
    '  balance roundrobin',
    '  option allbackups',
    `  option httpchk GET ${h.path}`,
    '  http-check expect status 200',
    `  default-server check inter ${h.intervalMs}ms rise ${h.healthyThreshold} fall ${h.unhealthyThreshold}`,
    ...o.servers.flatMap((s) => [`  server ${s.name} ${s.ip}:${s.port} disabled`, `  server ${failOpenName(s.name)} ${s.ip}:${s.port} disabled backup no-check`]),
    '',
  ].join('\n')
}
