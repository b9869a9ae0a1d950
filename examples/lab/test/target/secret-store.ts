import { chmod, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import t from 'tap'
import type { Stack } from '@birthday-ha/provisioner'
import { fileSecretStore, LAB_SECRET_NAMES } from '../../src/target/secret-store.js'

const stack = { name: 'lab' } as Stack

t.test('ensure creates every secret once, 0600 in a 0700 directory, and never overwrites', async (t) => {
  const stateDir = t.testdir()
  let n = 0
  const store = fileSecretStore({ stateDir, generate: () => `value-${n++}` })
  const first = await store.ensure(stack)
  t.strictSame(Object.keys(first), [...LAB_SECRET_NAMES])
  t.equal(first['app-password'], 'value-3')
  const dir = join(stateDir, 'secrets/lab')
  t.equal((await stat(dir)).mode & 0o777, 0o700)
  for (const f of await readdir(dir)) t.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f)
  const again = await fileSecretStore({ stateDir, generate: () => 'other' }).ensure(stack)
  t.strictSame({ ...again }, { ...first }, 'a second ensure keeps every value')
  t.strictSame({ ...await store.read(stack) }, { ...first })
})

t.test('a missing one is created, the others are kept (a run cut short resumes)', async (t) => {
  const stateDir = t.testdir()
  const store = fileSecretStore({ stateDir })
  const first = await store.ensure(stack)
  const { rm } = await import('node:fs/promises')
  await rm(join(stateDir, 'secrets/lab/rest-password'))
  const again = await store.ensure(stack)
  t.equal(again['app-password'], first['app-password'])
  t.not(again['rest-password'], first['rest-password'])
  t.match(again['rest-password'], /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
})

t.test('values are never printed', async (t) => {
  const secrets = await fileSecretStore({ stateDir: t.testdir(), generate: () => 'hunter2' }).ensure(stack)
  t.equal(JSON.stringify(secrets), '"[secrets redacted]"')
  t.equal(inspect(secrets), '[secrets redacted]')
  t.equal(JSON.stringify({ secrets }), '{"secrets":"[secrets redacted]"}')
})

t.test('read: a missing secret is PROV_MISSING_RESOURCE; a file readable by others is refused', async (t) => {
  const stateDir = t.testdir()
  const store = fileSecretStore({ stateDir })
  await t.rejects(store.read(stack), { code: 'PROV_MISSING_RESOURCE', message: /secret superuser-password of stack lab does not exist/ })
  await store.ensure(stack)
  await chmod(join(stateDir, 'secrets/lab/app-password'), 0o644)
  await t.rejects(store.read(stack), { code: 'PROV_INVALID_STACK', message: /must be mode 0600/ })
})

t.test('other file system errors pass through', async (t) => {
  const stateDir = t.testdir()
  await writeFile(join(stateDir, 'secrets'), 'not a directory')
  await t.rejects(fileSecretStore({ stateDir }).ensure(stack), { code: 'ENOTDIR' })
  await t.rejects(fileSecretStore({ stateDir }).read(stack), { code: 'ENOTDIR' })
})
