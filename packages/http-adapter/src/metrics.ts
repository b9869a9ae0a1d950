import { Gauge, Histogram, type Registry } from 'prom-client'

/** Buckets in seconds, finer than prom-client's defaults at the low end, where a fast API lives. */
export const durationBuckets: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Observer {
  observe(value: number): void
}

type LabelName = 'method' | 'route' | 'status_code'

/**
 * The HTTP metrics of an app: `http_request_duration_seconds` (histogram by
 * method, route and status_code) and `http_requests_in_flight` (gauge).
 * Labelled histogram children are cached per (route, method, status), so the
 * request path allocates no label objects; the gauge reads a plain counter at scrape time.
 */
export class HttpMetrics {
  /** Requests being handled right now. */
  inFlight = 0
  readonly #histogram: Histogram<LabelName>
  readonly #children = new Map<string, Map<string, Map<number, Observer>>>()

  constructor(registry: Registry) {
    this.#histogram = new Histogram<LabelName>({
      name: 'http_request_duration_seconds',
      help: 'Time from the request reaching the handler to the response being handed to the socket.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [...durationBuckets],
      registers: [registry],
    })
    const counter = this
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests currently being handled.',
      registers: [registry],
      collect() {
        this.set(counter.inFlight)
      },
    })
  }

  /** Records one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.#children.get(route)
    if (byMethod === undefined) {
      byMethod = new Map()
      this.#children.set(route, byMethod)
    }
    let byStatus = byMethod.get(method)
    if (byStatus === undefined) {
      byStatus = new Map()
      byMethod.set(method, byStatus)
    }
    let child = byStatus.get(status)
    if (child === undefined) {
      child = this.#histogram.labels(method, route, String(status))
      byStatus.set(status, child)
    }
    child.observe(seconds)
  }
}
