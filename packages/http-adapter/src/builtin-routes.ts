import type { Registry } from 'prom-client'
import { HttpError } from './errors.js'
import type { Logger } from './logger.js'

/** A body written as-is instead of JSON-serialized; only the built-in routes produce one. */
export class RawBody {
  readonly text: string
  readonly contentType: string
  constructor(text: string, contentType: string) {
    this.text = text
    this.contentType = contentType
  }
}

/** What the built-in routes need from the app. */
export interface BuiltinDeps {
  readonly registry: Registry
  readonly logger: Logger
  readonly isDraining: () => boolean
  readonly readiness: (() => Promise<boolean>) | undefined
  readonly readinessTimeoutMs: number
}

const noStore = { 'cache-control': 'no-store' }

function notReady(detail: string, cause?: unknown): HttpError {
  return new HttpError(503, { code: 'HTTP_NOT_READY', detail, cause, headers: noStore })
}

/** `GET /healthz`, `GET /readyz` and `GET /metrics`; the app logs their requests at debug, since probes and scrapes are frequent. */
export function builtinRoutes(deps: BuiltinDeps): { method: string; path: string; handler: () => Promise<{ status: number; body: unknown; headers: Record<string, string> }> }[] {
  return [
    { method: 'GET', path: '/healthz', handler: () => Promise.resolve({ status: 200, body: { status: 'ok' }, headers: noStore }) },
    { method: 'GET', path: '/readyz', handler: () => readyz(deps) },
    {
      method: 'GET',
      path: '/metrics',
      handler: async () => ({ status: 200, body: new RawBody(await deps.registry.metrics(), deps.registry.contentType), headers: noStore }),
    },
  ]
}

async function readyz(deps: BuiltinDeps): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
  if (deps.isDraining()) throw notReady('The server is shutting down.')
  if (deps.readiness !== undefined) {
    const outcome = await checkWithTimeout(deps.readiness, deps.readinessTimeoutMs)
    if (outcome.kind === 'timeout') throw notReady('The readiness check timed out.')
    if (outcome.kind === 'threw') {
      deps.logger.warn({ err: outcome.cause }, 'readiness check threw')
      throw notReady('The readiness check failed.', outcome.cause)
    }
    if (outcome.value !== true) throw notReady('The readiness check failed.')
  }
  return { status: 200, body: { status: 'ready' }, headers: noStore }
}

type CheckOutcome = { kind: 'done'; value: unknown } | { kind: 'threw'; cause: unknown } | { kind: 'timeout' }

const timedOut: CheckOutcome = { kind: 'timeout' }

/**
 * Runs `check` (which may throw synchronously or reject) against a timer. The timer is
 * not unref'd: a pending probe is in-flight work (with `inject` nothing else holds the
 * process open), and it is cleared as soon as the check settles.
 */
async function checkWithTimeout(check: () => Promise<boolean>, ms: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(resolve, ms, timedOut)
  })
  const value = Promise.resolve()
    .then(check)
    .then(
      (v): CheckOutcome => ({ kind: 'done', value: v }),
      (cause: unknown): CheckOutcome => ({ kind: 'threw', cause }),
    )
  const outcome = await Promise.race([value, timeout])
  clearTimeout(timer)
  return outcome
}
