import t from 'tap'
import { Histogram, Registry } from 'prom-client'
import { durationBuckets, HttpMetrics, RequestDurationHistogram } from '../src/metrics.js'

t.test('observations land in http_request_duration_seconds, by method, route and status', async (t) => {
  const registry = new Registry()
  const metrics = new HttpMetrics(registry)
  metrics.observe('GET', '/hello/:username', 200, 0.002)
  metrics.observe('GET', '/hello/:username', 200, 0.004)
  metrics.observe('HEAD', '/hello/:username', 200, 0.5)
  metrics.observe('GET', '/hello/:username', 404, 0.001)
  metrics.observe('GET', '/healthz', 200, 20)
  const text = await registry.metrics()
  const line = (name: string, labels: string) => new RegExp(`\\n${name}\\{${labels.replace(/[+.]/g, '\\$&')}\\} ([^\\n]+)\\n`).exec(text)?.[1]
  const get200 = 'method="GET",route="/hello/:username",status_code="200"'
  t.equal(line('http_request_duration_seconds_count', get200), '2')
  t.equal(line('http_request_duration_seconds_sum', get200), '0.006')
  t.equal(line('http_request_duration_seconds_bucket', `le="0.001",${get200}`), '0')
  t.equal(line('http_request_duration_seconds_bucket', `le="0.0025",${get200}`), '1')
  t.equal(line('http_request_duration_seconds_bucket', `le="0.005",${get200}`), '2', 'buckets are cumulative')
  t.equal(line('http_request_duration_seconds_bucket', `le="+Inf",${get200}`), '2')
  t.equal(line('http_request_duration_seconds_bucket', 'le="0.001",method="GET",route="/hello/:username",status_code="404"'), '1', 'a bound is inclusive')
  t.equal(line('http_request_duration_seconds_count', 'method="HEAD",route="/hello/:username",status_code="200"'), '1')
  t.equal(line('http_request_duration_seconds_bucket', 'le="10",method="GET",route="/healthz",status_code="200"'), '0', 'above every bound')
  t.equal(line('http_request_duration_seconds_bucket', 'le="+Inf",method="GET",route="/healthz",status_code="200"'), '1')
  t.match(text, /# TYPE http_request_duration_seconds histogram\n/)
})

t.test('it is a prom-client Histogram: the JSON API, observe() and reset() agree with the fast path', async (t) => {
  const registry = new Registry()
  const histogram = new RequestDurationHistogram(registry)
  t.ok(histogram instanceof Histogram)
  t.equal(registry.getSingleMetric('http_request_duration_seconds'), histogram)
  histogram.record('GET', '/a', 200, 0.003)
  histogram.observe({ method: 'POST', route: '/b', status_code: '201' }, 0.02)
  const json = await histogram.get()
  t.match(json.values.find((v) => v.metricName === 'http_request_duration_seconds_count' && v.labels.route === '/a'), {
    value: 1,
    labels: { method: 'GET', route: '/a', status_code: '200' },
  })
  t.match(json.values.find((v) => v.metricName === 'http_request_duration_seconds_count' && v.labels.route === '/b'), { value: 1 })
  t.equal(json.values.filter((v) => v.metricName === 'http_request_duration_seconds_bucket').length, 2 * (durationBuckets.length + 1))
  const again = await histogram.get()
  t.equal(again.values.length, json.values.length, 'scraping twice does not duplicate or mutate series')
  registry.resetMetrics()
  t.strictSame((await histogram.get()).values, [], 'reset clears both')
  histogram.record('GET', '/a', 200, 0.003)
  t.equal((await histogram.get()).values.length, durationBuckets.length + 3, 'and recording works after a reset')
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
