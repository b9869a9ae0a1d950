import { createServer } from 'node:http'
import t from 'tap'
import { latencyFigures, sampleRestLatency, type LatencySample } from '../../src/bench/rest-latency.js'

t.test('latencyFigures: p50, p95 and the slowest of the samples sent in the window', async (t) => {
  const samples: LatencySample[] = Array.from({ length: 100 }, (_, i) => ({ at: 1_000 + i, ms: i + 1, failed: i === 99 }))
  t.strictSame(latencyFigures(samples, 1_000, 1_100), { count: 100, p50: 51, p95: 96, max: 100, failed: 1 })
  t.strictSame(latencyFigures(samples, 1_050, 1_060), { count: 10, p50: 56, p95: 60, max: 60, failed: 0 })
  t.match(latencyFigures(samples, 0, 10), { count: 0, p50: NaN, max: NaN })
})

t.test('sampleRestLatency: times GET /cluster on each member, and a member that does not answer in time', async (t) => {
  // Patroni answers GET /cluster with the members as it sees them: https://patroni.readthedocs.io/en/latest/rest_api.html#cluster-status-endpoints
  const paths: string[] = []
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    setTimeout(() => res.end('{"members":[]}'), 20)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const frozen = createServer(() => {}) // accepts, never answers: a SIGSTOPped Patroni
  await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    frozen.closeAllConnections()
    return Promise.all([server, frozen].map((s) => new Promise((resolve) => s.close(resolve))))
  })
  const url = (s: typeof server): string => `http://127.0.0.1:${(s.address() as { port: number }).port}`
  const sampler = sampleRestLatency([url(server), url(frozen)], 10, 100)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const samples = await sampler.stop()
  t.ok(paths.length >= 2 && paths.every((p) => p === '/cluster'), `asked /cluster ${paths.length} times`)
  const answered = samples.filter((s) => !s.failed)
  t.ok(answered.length >= 2 && answered.every((s) => s.ms >= 15), 'the answered ones took the server\'s 20 ms')
  t.ok(samples.some((s) => s.failed && s.ms >= 95), 'the frozen member failed after the timeout')
})
