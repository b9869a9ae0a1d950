import t from 'tap'
import { renderPostBootstrapSql } from '../../src/render/index.js'

t.snapshotFile = new URL('./snapshots/post-bootstrap-sql.cjs', import.meta.url)

t.test('creates the app role and database idempotently', async (t) => {
  const sql = renderPostBootstrapSql({ app: { username: 'birthday_app', password: "it's-secret", database: 'birthday' } })
  t.matchSnapshot(sql, 'post-bootstrap.sql')
  t.match(sql, /PASSWORD 'it''s-secret';/, 'the password is a quoted literal')
  t.match(sql, /IF NOT EXISTS \(SELECT FROM pg_catalog.pg_roles WHERE rolname = 'birthday_app'\)/)
  t.match(sql, /\\gexec/)
  t.match(sql, /NOSUPERUSER/)
})

t.test('rejects bad names and empty passwords', async (t) => {
  t.throws(() => renderPostBootstrapSql({ app: { username: 'a b', password: 'x', database: 'd' } }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'app.username' })
  t.throws(() => renderPostBootstrapSql({ app: { username: 'a', password: 'x', database: 'D' } }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'app.database' })
  t.throws(() => renderPostBootstrapSql({ app: { username: 'a', password: '', database: 'd' } }), { code: 'PROV_RENDER_INVALID_SPEC', field: 'app.password' })
})
