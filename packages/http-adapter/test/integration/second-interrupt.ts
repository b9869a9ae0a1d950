// Ctrl-C twice on a real process: the second SIGINT exits at once with 130; a repeat within 300 ms
// (npm forwarding the terminal's own SIGINT to its child) is the same Ctrl-C.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('../fixtures/shutdown-server.ts', import.meta.url))

t.setTimeout(90_000)

t.test('Ctrl-C twice: the second SIGINT exits at once with 130, without waiting for the drain', async (t) => {
  // tap's own loader (process.execArgv), so that the fixture runs from the TypeScript sources
  const proc = spawn(process.execPath, [...process.execArgv, fixture], { env: { ...process.env, DRAIN_DELAY_MS: '10000' }, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => void (proc.exitCode === null && proc.kill('SIGKILL')))
  const exit = once(proc, 'exit')
  let output = ''
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const seen = async (msg: string): Promise<void> => {
    while (!output.includes(`"msg":"${msg}"`)) await new Promise((r) => setTimeout(r, 20))
  }
  await seen('listening')
  const started = Date.now()
  proc.kill('SIGINT')
  proc.kill('SIGINT') // the same Ctrl-C forwarded by npm: not a second one (the kernel may also merge the two)
  await seen('draining')
  await new Promise((r) => setTimeout(r, 500))
  t.equal(proc.exitCode, null, 'a repeat within 300 ms is the same Ctrl-C')
  proc.kill('SIGINT')
  t.strictSame(await exit, [130, null])
  t.ok(Date.now() - started < 8_000, 'well before the 10 s drain delay')
  t.match(output, /"level":"warn","msg":"second interrupt: exiting now","signal":"SIGINT"/)
  t.notMatch(output, /shutdown complete/, 'the sequence was cut short')
})
