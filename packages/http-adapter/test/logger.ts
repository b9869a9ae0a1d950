import t, { type Test } from 'tap'
import { createLogger, flushStdout, isLevelEnabled, type Logger, type LogLevel } from '../src/logger.js'

function capture(level?: LogLevel) {
  const lines: string[] = []
  const logger = createLogger({ ...(level === undefined ? {} : { level }), write: (line) => lines.push(line), now: () => 1_700_000_000_000 })
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

t.test('one JSON object per line: time, level, msg, then fields', async (t) => {
  const { logger, lines } = capture()
  logger.info({ a: 1 }, 'hello "world"')
  t.strictSame(lines, ['{"time":1700000000000,"level":"info","msg":"hello \\"world\\"","a":1}'])
})

t.test('msg is optional and empty objects add nothing', async (t) => {
  const { logger, lines } = capture()
  logger.warn({})
  t.strictSame(lines, ['{"time":1700000000000,"level":"warn"}'])
})

t.test('levels filter; default is info', async (t) => {
  const expectations: [LogLevel | undefined, string[]][] = [
    [undefined, ['info', 'warn', 'error']],
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ]
  for (const [level, expected] of expectations) {
    const { logger, parsed } = capture(level)
    logger.debug({}, 'd')
    logger.info({}, 'i')
    logger.warn({}, 'w')
    logger.error({}, 'e')
    t.strictSame(parsed().map((l) => l['level']), expected, String(level))
  }
})

t.test('unknown levels are a programmer error', async (t) => {
  t.throws(() => createLogger({ level: 'verbose' as LogLevel }), TypeError)
})

t.test('child loggers add bindings and nest', async (t) => {
  const { logger, parsed } = capture('debug')
  const child = logger.child({ reqId: 'r1' }).child({ component: 'db' })
  child.debug({ n: 2 }, 'q')
  logger.info({}, 'root')
  t.strictSame(parsed(), [
    { time: 1_700_000_000_000, level: 'debug', msg: 'q', reqId: 'r1', component: 'db', n: 2 },
    { time: 1_700_000_000_000, level: 'info', msg: 'root' },
  ])
})

t.test('errors are serialized with type, message, stack, code and cause', async (t) => {
  const { logger, parsed } = capture()
  const err = Object.assign(new Error('boom', { cause: 'root cause' }), { code: 'E_BOOM' })
  logger.error({ err, plain: new TypeError('t') }, 'failed')
  const [line] = parsed()
  const logged = line?.['err'] as Record<string, unknown>
  t.equal(logged['type'], 'Error')
  t.equal(logged['message'], 'boom')
  t.equal(logged['code'], 'E_BOOM')
  t.equal(logged['cause'], 'root cause')
  t.match(logged['stack'], /^Error: boom\n/)
  t.strictSame(Object.keys(line?.['plain'] as object), ['type', 'message', 'stack'])
})

t.test('secrets are redacted, whatever their case', async (t) => {
  const { logger, lines } = capture()
  logger.info({
    headers: { Authorization: 'Bearer abc', cookie: 'sid=1', 'Set-Cookie': 'sid=2', 'proxy-authorization': 'x', accept: '*/*' },
    password: 'hunter2',
  })
  t.notMatch(lines[0], /abc|sid=|hunter2|"x"/)
  t.match(lines[0], /"Authorization":"\[REDACTED\]"/)
  t.match(lines[0], /"accept":"\*\/\*"/)
})

t.test('bigints become strings; unserializable fields never throw', async (t) => {
  const { logger, parsed } = capture()
  const circular: Record<string, unknown> = {}
  circular['self'] = circular
  logger.info({ big: 10n }, 'big')
  logger.info(circular, 'circular')
  t.doesNotThrow(() => logger.child(circular).info({}, 'child of circular'))
  t.strictSame(parsed(), [
    { time: 1_700_000_000_000, level: 'info', msg: 'big', big: '10' },
    { time: 1_700_000_000_000, level: 'info', msg: 'circular', logError: 'unserializable log fields' },
    { time: 1_700_000_000_000, level: 'info', msg: 'child of circular', logError: 'unserializable log fields' },
  ])
})

function interceptStdout(t: Test): { chunks: string[]; restore: () => void } {
  const chunks: string[] = []
  const original = process.stdout.write.bind(process.stdout)
  const intercept = t.intercept(process.stdout, 'write', {
    // tap reports through stdout too; only our JSON lines are captured.
    value: (chunk: string) => (String(chunk).startsWith('{"time":') ? chunks.push(chunk) > 0 : original(chunk)),
  })
  return { chunks, restore: () => intercept.restore() }
}

t.test('defaults: stdout, batched per event-loop turn, Date.now', async (t) => {
  const out = interceptStdout(t)
  const before = Date.now()
  const logger = createLogger()
  logger.info({ x: 1 }, 'first')
  logger.info({ x: 2 }, 'second')
  t.strictSame(out.chunks, [], 'nothing written synchronously')
  await new Promise((r) => setImmediate(r))
  out.restore()
  t.equal(out.chunks.length, 1, 'one write for both lines')
  const lines = (out.chunks[0] ?? '').split('\n')
  t.equal(lines.pop(), '', 'every line ends with a newline')
  t.strictSame(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['first', 'second'])
  const time = (JSON.parse(lines[0] ?? '') as { time: number }).time
  t.ok(time >= before && time <= Date.now())
  t.ok(process.listeners('exit').includes(flushStdout), 'pending lines are flushed on exit')
})

t.test('a large backlog is written at once; flushing nothing writes nothing', async (t) => {
  const out = interceptStdout(t)
  const logger = createLogger()
  const big = 'x'.repeat(40_000)
  logger.info({ big }, 'a')
  t.equal(out.chunks.length, 0)
  logger.info({ big }, 'b')
  t.equal(out.chunks.length, 1, 'flushed once 64 KiB are pending')
  flushStdout()
  await new Promise((r) => setImmediate(r))
  out.restore()
  t.equal(out.chunks.length, 1)
})

t.test('flushStdout writes synchronously what is pending', async (t) => {
  const out = interceptStdout(t)
  createLogger().warn({}, 'now')
  flushStdout()
  out.restore()
  t.equal(out.chunks.length, 1)
  t.match(out.chunks[0], /"msg":"now"/)
})

t.test('isLevelEnabled: our loggers answer by level, others always yes', async (t) => {
  t.equal(isLevelEnabled(createLogger({ level: 'warn', write: () => {} }), 'info'), false)
  t.equal(isLevelEnabled(createLogger({ level: 'info', write: () => {} }), 'info'), true)
  t.equal(isLevelEnabled(createLogger({ level: 'info', write: () => {} }), 'debug'), false)
  t.equal(isLevelEnabled(createLogger({ level: 'debug', write: () => {} }).child({ a: 1 }), 'debug'), true)
  const foreign: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => foreign }
  t.equal(isLevelEnabled(foreign, 'debug'), true)
})
