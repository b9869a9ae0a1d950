// The default sleep between retries and polls must keep the process alive: found under Node 24's type
// stripping (no loader thread left to hold the event loop open), where a test awaiting it ended
// unfinished. In the CLI nothing else holds the loop during a wait (idle keep-alive sockets are unref'd,
// Agent#keepSocketAlive), so an unref'd timer let `apply` exit in the middle of a wait.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

t.test('a process with nothing but defaultSleep pending waits for it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'default-sleep-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const script = join(dir, 'wait.mjs')
  const source = new URL('../../../src/targets/aws/clients.ts', import.meta.url).href
  await writeFile(script, `const { defaultSleep } = await import(${JSON.stringify(source)})\nawait defaultSleep(200)\nconsole.log('woke')\n`)
  const child = spawn(process.execPath, [...process.execArgv, script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr.on('data', (b: Buffer) => (out += b.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  t.equal(out.trim(), 'woke', out)
  t.equal(code, 0)
})
