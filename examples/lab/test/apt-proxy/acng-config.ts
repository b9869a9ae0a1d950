import t from 'tap'
import { acngConfig } from '../../src/apt-proxy/acng-config.js'

t.test('Debian\'s mirror only, on the lab address, with the lab\'s files', async (t) => {
  const c = acngConfig({ cacheDir: '/c', logDir: '/l', runDir: '/r', bindAddress: '198.18.0.1', port: 3142, filesDir: '/f' })
  for (const line of [
    'CacheDir: /c', 'LogDir: /l', 'Port: 3142', 'BindAddress: 198.18.0.1', 'SocketPath: /r/acng.socket', 'PidFile: /r/acng.pid',
    'ForeGround: 1', 'ForceManaged: 1', 'PassThroughPattern: ^$', 'LocalDirs: files /f',
    'Remap-debrep: deb.debian.org/debian ; http://deb.debian.org/debian/',
    'Remap-secdeb: deb.debian.org/debian-security security.debian.org/debian-security ; http://deb.debian.org/debian-security/',
  ]) t.ok(c.split('\n').includes(line), line)
  t.notMatch(c, 'file:backends_debian', 'not the packaged backend file')
})
