import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadStack } from '../../src/stack/load-stack.js'
import { exampleInput } from '../fixtures/stack.js'

const bad = async (patch: (s: any) => void) => {
  const v = structuredClone(exampleInput) as any
  patch(v)
  const r = await loadStack({ value: v })
  if (r.ok) throw new Error('expected a failure')
  return r.issues
}

t.test('the example stack file is valid and defaults are filled', async (t) => {
  const r = await loadStack({ file: new URL('../../../../examples/provision/stack.json', import.meta.url).pathname })
  t.ok(r.ok)
  if (!r.ok) return
  t.equal(r.stack.database.synchronousMode, true)
  const minimal = structuredClone(exampleInput) as any
  delete minimal.instanceTypes
  delete minimal.database
  delete minimal.alb
  minimal.alb = { listenerPort: 80 }
  const m = await loadStack({ text: JSON.stringify(minimal) })
  t.ok(m.ok)
  if (m.ok) {
    t.equal(m.stack.database.appUser, 'birthday_app')
    t.equal(m.stack.database.patroniVersion, '4.0.7', "Debian 13's Patroni")
    t.equal(m.stack.database.postgresMajor, 17, "Debian 13's PostgreSQL")
    t.equal(m.stack.app.nodeTarballUrl, exampleInput.app.nodeTarballUrl)
    t.equal(m.stack.instanceTypes.db, 't3.medium')
  }
})

t.test('YAML works too; unreadable and unparsable files are issues', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stack-'))
  await writeFile(join(dir, 'bad.yaml'), 'a: [1,\n')
  const r1 = await loadStack({ file: join(dir, 'bad.yaml') })
  t.match(r1, { ok: false, issues: [{ path: '(file)', message: /not JSON\/YAML/ }] })
  const r2 = await loadStack({ file: join(dir, 'missing.json') })
  t.match(r2, { ok: false, issues: [{ path: '(file)', message: /cannot read/ }] })
  const r3 = await loadStack({ text: 'just a string' })
  t.match(r3, { ok: false, issues: [{ path: '(root)' }] })
})

t.test('the old project\'s defects are rejected field by field', async (t) => {
  t.match(await bad((s) => void (s.database.password = 'postgres')), [{ path: 'database', message: /password/ }], 'no password field anywhere')
  t.match(await bad((s) => void (s.superuserPassword = 'x')), [{ path: '(root)', message: /superuserPassword/ }])
  t.match(await bad((s) => void (s.database.appUser = 'postgres')), [{ path: 'database.appUser', message: /superuser/ }])
  t.match(await bad((s) => void (s.operatorCidr = '0.0.0.0/0')), [{ path: 'operatorCidr', message: /never opened/ }])
  t.match(await bad((s) => void (s.primary.azs = ['eu-west-1a', 'eu-west-1b'])), [{ path: 'primary.azs' }], 'etcd needs 3 AZs')
  t.match(await bad((s) => void (s.primary.azs = ['eu-west-1a', 'eu-west-1b', 'eu-west-1b', 'eu-west-1c'])), [{ path: 'primary.azs' }], 'never 4 members')
  t.match(await bad((s) => void (s.primary.azs = ['eu-west-1a', 'eu-west-1a', 'eu-west-1b'])), [{ path: 'primary.azs', message: /distinct/ }])
  t.match(await bad((s) => void (s.primary.azs = ['eu-west-1a', 'eu-west-1b', 'eu-central-1a'])), [{ path: 'primary.azs.2', message: /eu-west-1/ }])
  t.match(await bad((s) => void (s.dr.az = 'eu-west-1a')), [{ path: 'dr.az' }])
  t.match(await bad((s) => void (s.dr.region = 'eu-west-1', s.dr.az = 'eu-west-1a')), [{ path: 'dr.region' }])
  t.match(await bad((s) => void (s.dr.cidr = s.primary.cidr)), [{ path: 'dr.cidr', message: /overlap/ }])
  t.match(await bad((s) => void (s.app.count = 1)), [{ path: 'app.count', message: /at least 2/ }], 'no single app host')
  t.match(await bad((s) => void (s.database.patroniVersion = '3.0.2-1')), [{ path: 'database.patroniVersion', message: /2689/ }])
  t.match(await bad((s) => void (s.alb = { listenerPort: 443 })), [{ path: 'alb.certificateArn' }])
  t.match(await bad((s) => void (s.primary.cidr = '300.1.0.0/16')), [{ path: 'primary.cidr', message: /0-255/ }])
  t.match(await bad((s) => void (s.primary.cidr = '10.1.2.0/24')), [{ path: 'primary.cidr', message: /\/16/ }])
  t.match(await bad((s) => void (s.backups = undefined)), [{ path: 'backups' }], 'WAL archiving is mandatory')
  t.match(await bad((s) => void (s.app.nodeSha256 = 'abc')), [{ path: 'app.nodeSha256' }], 'the Node runtime is verified')
  t.match(await bad((s) => void (s.app.nodeTarballUrl = 'ftp://mirror/node.tgz')), [{ path: 'app.nodeTarballUrl', message: /http/ }])
  t.match(await bad((s) => void (s.database.postgresMajor = 15)), [{ path: 'database.postgresMajor', message: /Debian 13/ }], 'trixie has PostgreSQL 17 only')
})

t.test('patroni versions from 3.1 are accepted', async (t) => {
  for (const v of ['3.1.0-1.pgdg120+1', '3.3.2-1', '4.0.7-3~deb13u1']) {
    const s = structuredClone(exampleInput) as any
    s.database.patroniVersion = v
    t.ok((await loadStack({ value: s })).ok, v)
  }
})
