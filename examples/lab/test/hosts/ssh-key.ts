import { mkdtemp, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { ensureSshKey } from '../../src/hosts/ssh-key.js'
import { execRunner } from '../../src/runner.js'

t.test('the lab key pair is made once, private key 0600', async (t) => {
  const dir = `${await mkdtemp(`${tmpdir()}/lab-key-`)}/ssh`
  const a = await ensureSshKey(execRunner(), dir, 'birthday-ha-lab-x')
  t.equal(a.privateKeyPath, `${dir}/id_ed25519`)
  t.match(a.publicKey, /^ssh-ed25519 \S+ birthday-ha-lab-x$/)
  t.equal((await stat(a.privateKeyPath)).mode & 0o777, 0o600)
  t.strictSame(await ensureSshKey(execRunner(), dir, 'other'), a)
})
