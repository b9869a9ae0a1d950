import t from 'tap'
import { stringify } from 'yaml'
import { runtimeStamp } from '../../src/host/host-plan.js'

const yml = (o: object): string => stringify({ scope: 'birthday', restapi: { listen: '10.0.1.10:8008' }, ...o })

t.test("runtimeStamp: patroni.yml's bootstrap section does not count, everything else does", async (t) => {
  const base = runtimeStamp(yml({ bootstrap: { dcs: { ttl: 30 } } }))
  t.match(base, /^[0-9a-f]{64}\n$/)
  t.equal(runtimeStamp(yml({ bootstrap: { dcs: { ttl: 20, primary_stop_timeout: 30 } } })), base, 'read once, when the cluster is created')
  t.equal(runtimeStamp(yml({})), base)
  t.not(runtimeStamp(yml({ bootstrap: { dcs: { ttl: 30 } }, postgresql: { parameters: { work_mem: '8MB' } } })), base, 'a local PostgreSQL setting')
  t.not(runtimeStamp(stringify({ scope: 'birthday', restapi: { listen: '10.0.1.10:8009' } })), base)
})
