import t from 'tap'
import { Registry } from 'prom-client'
import { registerReadinessMetric } from '../src/readiness-metric.js'

t.test('hello_ready follows the readiness check at each scrape; a throwing check is not ready', async (t) => {
  const registry = new Registry()
  let check: () => Promise<boolean> = () => Promise.resolve(true)
  registerReadinessMetric(registry, () => check())
  t.match(await registry.metrics(), /^hello_ready 1$/m)
  check = () => Promise.resolve(false)
  t.match(await registry.metrics(), /^hello_ready 0$/m)
  check = () => Promise.reject(new Error('database down'))
  t.match(await registry.metrics(), /^hello_ready 0$/m)
})
