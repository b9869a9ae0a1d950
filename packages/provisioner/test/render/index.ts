import t from 'tap'
import * as render from '../../src/render/index.js'

t.test('pins the public exports of @birthday-ha/provisioner/render', async (t) => {
  t.strictSame(Object.keys(render).sort(), [
    'PATRONI_TIMING_PROFILES',
    'RENDER_ERROR_CODES',
    'RenderError',
    'dbInstallScript',
    'renderEtcdConfig',
    'renderPatroniConfig',
    'renderPgHba',
    'renderPostBootstrapSql',
    'renderPrimaryEndpoint',
  ])
  t.strictSame(render.PATRONI_TIMING_PROFILES, {
    production: { ttl: 30, loop_wait: 10, retry_timeout: 10 },
    lab: { ttl: 20, loop_wait: 1, retry_timeout: 5 },
    fast: { ttl: 10, loop_wait: 1, retry_timeout: 4 },
  })
  t.strictSame(render.RENDER_ERROR_CODES, ['PROV_RENDER_INVALID_SPEC', 'PROV_RENDER_INVALID_TIMING'])
  const err = new render.RenderError('PROV_RENDER_INVALID_SPEC', 'x', 'bad', { cause: new Error('root') })
  t.equal(err.name, 'RenderError')
  t.equal(err.message, 'x: bad')
  t.match(err.cause, { message: 'root' })
})
