import { Gauge, type Registry } from 'prom-client'

/**
 * `hello_ready`: 1 when the instance would answer `GET /readyz` with 200 (not draining, and the
 * readiness check resolves to `true`), else 0. Checked at each scrape, so Prometheus sees what the
 * load balancer sees without probing the instance itself.
 */
export function registerReadinessMetric(registry: Registry, isReady: () => Promise<boolean>): void {
  new Gauge({
    name: 'hello_ready',
    help: '1 when GET /readyz would answer 200 (not draining, database leader confirmed), else 0.',
    registers: [registry],
    async collect() {
      this.set((await isReady().catch(() => false)) ? 1 : 0)
    },
  })
}
