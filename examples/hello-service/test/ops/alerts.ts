import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { promtool } from '../fixtures/promql.js'

const ops = fileURLToPath(new URL('../../ops/', import.meta.url))

interface RuleFile { groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string> }[] }[] }
interface RuleTests { tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }

const rules = parse(readFileSync(`${ops}alerts.yml`, 'utf8')) as RuleFile
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined)

t.test('promtool check rules: the alert rules are valid', async (t) => {
  const { code, output } = await promtool(['check', 'rules', 'alerts.yml'], ops)
  t.equal(code, 0, output)
  t.match(output, `SUCCESS: ${String(alerts.length)} rules found`)
})

t.test('promtool test rules: every alert against synthetic series', async (t) => {
  const { code, output } = await promtool(['test', 'rules', 'alerts.test.yml'], ops)
  t.equal(code, 0, output)
  t.match(output, /SUCCESS/)
})

t.test('the alerts the runbook asks for exist, each with a severity', async (t) => {
  const names = alerts.map((a) => a.alert)
  for (const name of ['HelloInstanceDown', 'HelloInstanceNotReady', 'HelloHigh5xxRatio', 'HelloHighP99Latency', 'HelloDatabaseNoLeader',
    'HelloDatabaseFailoverInProgress', 'PatroniClusterWithoutLeader', 'PatroniReplicationLagHigh']) {
    t.ok(names.includes(name), name)
  }
  for (const alert of alerts) t.match(alert.labels?.['severity'], /^(critical|warning)$/, `${alert.alert ?? ''} has a severity`)
})

t.test('every alert is tested both firing and silent', async (t) => {
  const cases = (parse(readFileSync(`${ops}alerts.test.yml`, 'utf8')) as RuleTests).tests.flatMap((c) => c.alert_rule_test ?? [])
  for (const alert of alerts) {
    const mine = cases.filter((c) => c.alertname === alert.alert)
    t.ok(mine.some((c) => c.exp_alerts.length > 0), `${alert.alert ?? ''} fires in a test`)
    t.ok(mine.some((c) => c.exp_alerts.length === 0), `${alert.alert ?? ''} stays silent in a test`)
  }
})
