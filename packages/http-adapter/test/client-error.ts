import t from 'tap'
import { Duplex } from 'node:stream'
import { clientErrorListener } from '../src/client-error.js'
import { captureLogger } from './fixtures/capture-logger.js'

/** A socket stand-in that records what is written to it. */
class FakeSocket extends Duplex {
  written = ''
  _httpMessage: { headersSent: boolean; req?: { complete: boolean }; setHeader?: (name: string, value: string) => unknown } | null = null
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written += chunk.toString()
    cb()
  }
}

function errorWith(code?: string): Error & { code?: string } {
  return Object.assign(new Error('parse error'), code === undefined ? {} : { code })
}

async function answer(code?: string) {
  const { logger, lines } = captureLogger()
  const socket = new FakeSocket()
  const closed = new Promise((resolve) => socket.on('close', resolve))
  clientErrorListener(logger)(errorWith(code), socket)
  await closed
  const [head = '', body = ''] = socket.written.split('\r\n\r\n')
  return { head, body: JSON.parse(body) as Record<string, unknown>, lines, socket }
}

t.test('malformed HTTP → 400 problem, connection closed', async (t) => {
  for (const code of ['HPE_INVALID_METHOD', 'HPE_INVALID_HEADER_TOKEN', undefined]) {
    const { head, body, lines, socket } = await answer(code)
    t.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/)
    t.match(head, /\r\nContent-Type: application\/problem\+json\r\n/)
    t.match(head, /\r\nConnection: close$/)
    t.match(head, new RegExp(`\r\nContent-Length: ${String(Buffer.byteLength(JSON.stringify(body)))}\r\n`))
    t.strictSame(body, { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'The request is not valid HTTP.', code: 'HTTP_BAD_REQUEST' })
    t.match(lines, [{ level: 'info', msg: 'client error', status: 400, code: 'HTTP_BAD_REQUEST', parserCode: code }])
    t.ok(socket.destroyed)
  }
})

t.test('header overflow → 431, request timeout → 408, chunk extensions → 413', async (t) => {
  t.match(await answer('HPE_HEADER_OVERFLOW'), { head: /^HTTP\/1\.1 431 Request Header Fields Too Large/, body: { status: 431, code: 'HTTP_HEADERS_TOO_LARGE' } })
  t.match(await answer('ERR_HTTP_REQUEST_TIMEOUT'), { head: /^HTTP\/1\.1 408 Request Timeout/, body: { status: 408, code: 'HTTP_REQUEST_TIMEOUT' } })
  t.match(await answer('HPE_CHUNK_EXTENSIONS_OVERFLOW'), { head: /^HTTP\/1\.1 413 /, body: { status: 413, code: 'HTTP_PAYLOAD_TOO_LARGE' } })
})

t.test('no reply, just destroy: reset, unwritable socket, or a response already started', async (t) => {
  const { logger, lines } = captureLogger()
  const listener = clientErrorListener(logger)
  const reset = new FakeSocket()
  listener(errorWith('ECONNRESET'), reset)
  const ended = new FakeSocket()
  ended.end()
  listener(errorWith('HPE_INVALID_METHOD'), ended)
  const started = new FakeSocket()
  started._httpMessage = { headersSent: true }
  listener(errorWith('HPE_INVALID_METHOD'), started)
  for (const socket of [reset, ended, started]) {
    t.ok(socket.destroyed)
    t.equal(socket.written, '')
  }
  t.equal(lines.length, 3)
  t.ok(lines.every((l) => l['level'] === 'debug' && l['msg'] === 'connection error'))
})

t.test('a response in progress whose headers are not sent yet still gets the problem', async (t) => {
  const { logger } = captureLogger()
  const socket = new FakeSocket()
  socket._httpMessage = { headersSent: false }
  clientErrorListener(logger)(errorWith('ERR_HTTP_REQUEST_TIMEOUT'), socket)
  t.match(socket.written, /^HTTP\/1\.1 408 /)
})

t.test('an error behind a complete request in progress: that response gets Connection: close, later errors are ignored', async (t) => {
  const { logger, lines } = captureLogger()
  const listener = clientErrorListener(logger)
  const socket = new FakeSocket()
  const headers = new Map<string, string>()
  const inFlight = { headersSent: false, req: { complete: true }, setHeader: (name: string, value: string) => headers.set(name, value) }
  socket._httpMessage = inFlight
  listener(errorWith('HPE_INVALID_METHOD'), socket)
  listener(errorWith('ERR_HTTP_REQUEST_TIMEOUT'), socket)
  t.strictSame([...headers], [['connection', 'close']])
  t.equal(socket.written, '', 'nothing written in place of the answer in progress')
  t.notOk(socket.destroyed, 'the answer in progress still goes out')
  t.strictSame(lines.map((l) => l['msg']), ['client error behind a response in progress: closing after it'], 'the second error is ignored')
})
