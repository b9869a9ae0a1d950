import t from 'tap'
import { networkPlan } from '../../src/network/network-plan.js'
import { drRouterRules, partitionRules, primaryRouterRules } from '../../src/network/nft-rules.js'
import { labStack } from '../helpers/stack.js'

t.test('the primary router: published ports only, hosts out only to the apt proxy', async (t) => {
  const p = networkPlan(await labStack(), { name: 'lab', slot: 0 })
  const r = primaryRouterRules(p)
  t.match(r, 'iifname "uplink" ip daddr 198.18.0.100 tcp dport { 22 } dnat ip to 10.10.0.10')
  t.match(r, 'iifname "uplink" ip daddr 198.18.0.80 tcp dport { 80 } dnat ip to 10.10.0.20')
  t.match(r, 'oifname "uplink" masquerade')
  t.match(r, 'type filter hook forward priority filter; policy drop;')
  t.match(r, 'oifname "uplink" ip daddr 198.18.0.1 tcp dport 3142 accept')
  t.match(r, 'ip saddr { 10.10.0.0/16, 10.20.0.0/16 } ip daddr { 10.10.0.0/16, 10.20.0.0/16 } accept')
  t.match(r, 'iifname "uplink" ct status dnat accept')
})

t.test('the DR router', async (t) => {
  const r = drRouterRules(networkPlan(await labStack(), { name: 'lab', slot: 0 }))
  t.match(r, 'policy drop;')
  t.match(r, 'ip saddr 10.20.0.0/16 ip daddr 198.18.0.1 tcp dport 3142 accept')
})

t.test('partition rules drop both ways; none heals', async (t) => {
  const r = partitionRules(['10.10.11.10', '10.10.12.10'])
  t.match(r, 'ip saddr { 10.10.11.10, 10.10.12.10 } drop')
  t.match(r, 'ip daddr { 10.10.11.10, 10.10.12.10 } drop')
  t.notMatch(partitionRules([]), 'drop')
  t.match(partitionRules([]), 'table inet lab-fault')
})
