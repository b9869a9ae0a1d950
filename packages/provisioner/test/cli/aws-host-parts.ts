import t from 'tap'
import { cliAwsTarget } from '../../src/cli/aws-host-parts.js'
import { applyStack } from '../../src/targets/aws/engine/apply.js'
import { FakeAws } from '../targets/aws/fixtures/fake-aws.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()

t.test('sessions go through the bastion once it exists', async (t) => {
  const fake = new FakeAws()
  const deps = { clients: fake.clients, sleep: async () => {} }
  const opened: string[] = []
  const target = cliAwsTarget(stack, deps, (o) => {
    opened.push(`${o.username}@${o.bastion}`)
    return async () => Promise.reject(new Error('unused'))
  })
  await t.rejects(target.sessions({ privateKey: 'K', username: 'admin' }), { code: 'PROV_MISSING_RESOURCE', message: /bastion/ })
  await applyStack(stack, deps)
  await target.sessions({ privateKey: 'K', username: 'admin' })
  t.match(opened, [/^admin@203\.0\.113\.\d+$/])
  t.equal(target.kind, 'aws')
})

