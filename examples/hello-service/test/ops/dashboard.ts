import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { checkedFetch as fetch } from '../fixtures/checked-fetch.js'
import { startHelloServer } from '../fixtures/hello-server.js'
import { exposedNames, metricNames, patroniMetricNames, promtool, withGrafanaVariables } from '../fixtures/promql.js'

interface Panel { id: number; type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; refId: string }[]; gridPos: { w: number; h: number } }
interface Dashboard { uid: string; panels: Panel[]; templating: { list: { name: string }[] } }

const dashboard = JSON.parse(await readFile(new URL('../../ops/grafana-dashboard.json', import.meta.url), 'utf8')) as Dashboard
const rules = parse(await readFile(new URL('../../ops/alerts.yml', import.meta.url), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((target) => ({ panel: p.title, expr: withGrafanaVariables(target.expr) })))
const alertQueries = rules.groups.flatMap((g) => g.rules).map((r) => ({ panel: `alert ${r.alert}`, expr: r.expr }))

// The names the code really exports: a scrape of the service (http-adapter, hapg_*, hello_ready, process
// metrics), Patroni's /metrics as its installed source defines it, and Prometheus's own `up`.
const hello = await startHelloServer()
t.teardown(() => hello.close())
await fetch(`${hello.url}/hello/ada`) // one request, so that the histogram has series too
const exported = new Set([...exposedNames(await (await fetch(`${hello.url}/metrics`)).text()), ...(await patroniMetricNames()), 'up'])

t.test('the scrape and Patroni give the names the panels are about', async (t) => {
  for (const name of ['http_request_duration_seconds_bucket', 'http_requests_in_flight', 'hapg_leader_leased', 'hapg_retries_total', 'hello_ready', 'patroni_xlog_location']) {
    t.ok(exported.has(name), name)
  }
})

t.test('every metric a panel or an alert queries is one the code exports', async (t) => {
  t.ok(queries.length >= 20, `${String(queries.length)} panel queries`)
  for (const { panel, expr } of [...queries, ...alertQueries]) {
    const names = metricNames(expr)
    t.ok(names.length > 0, `${panel}: selects a metric`)
    for (const name of names) t.ok(exported.has(name), `${panel}: ${name} is exported`)
  }
})

t.test('every panel query is valid PromQL for Prometheus itself (promtool check rules)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-dashboard-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const recording = { groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${String(i)}`, expr: q.expr })) }] }
  await writeFile(join(dir, 'dashboard-queries.json'), JSON.stringify(recording)) // YAML is a superset of JSON
  const { code, output } = await promtool(['check', 'rules', 'dashboard-queries.json'], dir)
  t.equal(code, 0, output)
  t.match(output, `SUCCESS: ${String(queries.length)} rules found`)
})

t.test('the dashboard is well formed: unique panel ids, the datasource variable everywhere, sane grid', async (t) => {
  const ids = dashboard.panels.map((p) => p.id)
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique')
  t.ok(dashboard.templating.list.some((v) => v.name === 'datasource'))
  for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
    t.equal(panel.datasource?.uid, '${datasource}', `${panel.title}: uses the datasource variable`)
    t.ok(panel.gridPos.w > 0 && panel.gridPos.w <= 24 && panel.gridPos.h > 0, `${panel.title}: fits the 24-column grid`)
    const refIds = (panel.targets ?? []).map((target) => target.refId)
    t.ok(refIds.length > 0 && new Set(refIds).size === refIds.length, `${panel.title}: has queries with distinct refIds`)
  }
})

t.test('metricNames reads selectors only, and refuses bad PromQL', async (t) => {
  t.strictSame(metricNames('sum by (le) (rate(a_bucket{x="y"}[5m])) / on (job) b + scalar(c)'), ['a_bucket', 'b', 'c'])
  t.throws(() => metricNames('sum(rate(a[5m])'), SyntaxError)
})
