import t from 'tap'
import { dynamicConfig } from '../../src/host/patroni-rest.js'
import type { SshSession } from '../../src/ssh/session.js'

const answering = (stdout: string): SshSession => ({ run: async () => ({ stdout, stderr: '' }) }) as unknown as SshSession

t.test('GET /config: the JSON, or undefined when what answered is not JSON', async (t) => {
  t.strictSame(await dynamicConfig(answering('{"ttl":20}'), '10.0.0.1'), { ttl: 20 })
  t.equal(await dynamicConfig(answering(''), '10.0.0.1'), undefined, 'Patroni down: curl printed nothing')
  t.equal(await dynamicConfig(answering('<html>502</html>'), '10.0.0.1'), undefined)
})
