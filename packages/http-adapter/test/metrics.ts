import t from 'tap'
import { Histogram, Registry } from 'prom-client'
import { durationBuckets, HttpMetrics } from '../src/metrics.js'

t.test('observations land in the labelled histogram, one child per (route, method, status)', async (t) => {
  const registry = new Registry()
  const metrics = new HttpMetrics(registry)
  const original = Histogram.prototype.labels
  const labels = t.capture(Histogram.prototype, 'labels', function (this: Histogram, ...args: string[]) {
    return original.apply(this, args)
  })
  metrics.observe('GET', '/hello/:username', 200, 0.002)
  metrics.observe('GET', '/hello/:username', 200, 0.004)
  metrics.observe('HEAD', '/hello/:username', 200, 0.5)
  metrics.observe('GET', '/hello/:username', 404, 0.001)
  metrics.observe('GET', '/healthz', 200, 20)
  t.equal(labels.args().length, 4, 'labels() runs once per distinct label set')
  const text = await registry.metrics()
  t.match(text, /http_request_duration_seconds_count\{method="GET",route="\/hello\/:username",status_code="200"\} 2/)
  t.match(text, /http_request_duration_seconds_sum\{method="GET",route="\/hello\/:username",status_code="200"\} 0.006/)
  t.match(text, /http_request_duration_seconds_bucket\{le="0.0025",method="GET",route="\/hello\/:username",status_code="200"\} 1/)
  t.match(text, /http_request_duration_seconds_count\{method="HEAD",route="\/hello\/:username",status_code="200"\} 1/)
  t.match(text, /http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/healthz",status_code="200"\} 1/)
  t.match(text, /http_request_duration_seconds_bucket\{le="10",method="GET",route="\/healthz",status_code="200"\} 0/)
})

t.test('in-flight gauge reads the counter at scrape time', async (t) => {
  const registry = new Registry()
  const metrics = new HttpMetrics(registry)
  t.match(await registry.metrics(), /\nhttp_requests_in_flight 0\n/)
  metrics.inFlight += 3
  t.match(await registry.metrics(), /\nhttp_requests_in_flight 3\n/)
})

t.test('buckets are ascending and start at 1 ms', async (t) => {
  t.equal(durationBuckets[0], 0.001)
  t.strictSame([...durationBuckets].sort((a, b) => a - b), [...durationBuckets])
})

t.test('two apps on one registry are a programmer error (duplicate metric names)', async (t) => {
  const registry = new Registry()
  new HttpMetrics(registry)
  t.throws(() => new HttpMetrics(registry), /already been registered/)
})
