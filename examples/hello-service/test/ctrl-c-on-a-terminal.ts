// Ctrl-C on `npm start`, the way a terminal delivers it: the script(1) command (util-linux) runs
// `npm start` on a real pty, and writing ^C to the pty makes its line discipline send SIGINT to the
// whole foreground process group: npm, node and the embedded postmaster at once (termios(3), ISIG).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { freePort } from './fixtures/free-port.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

t.test('Ctrl-C on npm start: exit code 0 in about a second', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-ctrl-c-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const env = { ...process.env, PORT: String(await freePort()), EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()) }
  // --ignore-scripts skips prestart's build (the test command built already); `npm start` still runs `start`.
  // `exec`: script(1) runs the command through $SHELL -c, and with SHELL unset (as under CI) that is dash,
  // which would stay between script and npm and die of the same SIGINT: 130, whatever npm did.
  const terminal = spawn('script', ['-qefc', 'exec npm start --ignore-scripts', '/dev/null'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] })
  t.teardown(() => terminal.kill('SIGKILL'))
  let output = ''
  terminal.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  terminal.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = once(terminal, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  while (!output.includes('hello service listening')) {
    await Promise.race([new Promise((r) => setTimeout(r, 50)), exited])
    if (terminal.exitCode !== null) t.fail(`npm start exited early: ${output}`)
  }
  const pressed = Date.now()
  terminal.stdin.write('\x03')
  const [code] = await exited
  const tookMs = Date.now() - pressed
  t.equal(code, 0, 'npm start exits 0')
  t.ok(tookMs < 3_000, `in ${tookMs} ms (before: 30 s and exit 1)`)
  t.match(output, /"msg":"draining","drainDelayMs":0/, 'no drain delay with the embedded database')
  t.match(output, /"msg":"shutdown complete","code":0/)
  t.notMatch(output, /second interrupt/, "npm's forwarded copy of the same SIGINT is not a second Ctrl-C")
})
