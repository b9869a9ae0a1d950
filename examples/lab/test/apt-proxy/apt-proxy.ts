import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { aptProxy } from '../../src/apt-proxy/apt-proxy.js'
import { DEFAULT_ROOTS, labLayout } from '../../src/layout.js'

t.test('a proxy that never answers is LAB_PROXY_FAILED', async (t) => {
  const root = await mkdtemp(`${tmpdir()}/lab-proxy-`)
  const layout = labLayout({ name: 'unit', slot: 251 }, { run: `${root}/run`, state: `${root}/state`, cache: `${root}/cache`, cgroup: `${root}/cg` })
  // fetch rejects on network errors (https://developer.mozilla.org/en-US/docs/Web/API/Window/fetch#exceptions)
  const refused = (async () => { throw new TypeError('fetch failed') }) as typeof fetch
  // `true` stands in for apt-cacher-ng: it exits at once, so nothing ever answers
  const p = aptProxy(layout, '127.0.0.1', 1, { fetch: refused, program: 'true', attempts: 3 })
  t.equal(p.url, 'http://127.0.0.1:1')
  await t.rejects(p.ensure(), { code: 'LAB_PROXY_FAILED' })
  t.equal(DEFAULT_ROOTS.cgroup, '/sys/fs/cgroup')
  await p.stop().catch(() => {}) // the stand-in cgroup dir holds a plain cgroup.procs file: rmdir refuses it
})
