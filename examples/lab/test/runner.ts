import t from 'tap'
import { LabError } from '../src/lab-error.js'
import { execRunner } from '../src/runner.js'

t.test('runs argv without a shell, with stdin and env', async (t) => {
  const r = execRunner()
  t.strictSame(await r.run(['cat'], { input: 'hi' }), { code: 0, stdout: 'hi', stderr: '' })
  t.equal((await r.run(['sh', '-c', 'echo $X'], { env: { X: 'y' } })).stdout, 'y\n')
  t.equal((await r.run(['sh', '-c', 'echo e >&2; exit 3'], { allowFail: true })).code, 3)
})

t.test('a failure is LAB_COMMAND_FAILED with the command and stderr', async (t) => {
  const r = execRunner()
  const err = await r.run(['sh', '-c', 'echo boom >&2; exit 2']).catch((e: unknown) => e)
  t.ok(err instanceof LabError)
  t.equal((err as LabError).code, 'LAB_COMMAND_FAILED')
  t.match((err as LabError).message, /exited 2: boom/)
  t.strictSame((err as LabError).details.command, ['sh', '-c', 'echo boom >&2; exit 2'])
  const missing = await r.run(['/nonexistent/prog']).catch((e: unknown) => e)
  t.equal((missing as LabError).code, 'LAB_COMMAND_FAILED')
  t.ok((missing as LabError).cause instanceof Error)
  const killed = await r.run(['sleep', '5'], { timeoutMs: 50 }).catch((e: unknown) => e)
  t.match((killed as LabError).message, /exited SIGTERM/)
})

t.test('errors keep no cause when there is none', async (t) => {
  const e = new LabError('LAB_UNKNOWN_HOST', 'x')
  t.equal(e.cause, undefined)
  t.strictSame(e.details, {})
  t.equal(e.name, 'LabError')
})
