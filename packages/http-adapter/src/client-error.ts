import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { HttpError } from './errors.js'
import type { Logger } from './logger.js'
import { toProblem } from './problem.js'

/** node:http's parser and timeout errors we answer with a specific status; the rest get 400. */
const byNodeCode: ReadonlyMap<string, { status: number; code: string; detail: string }> = new Map([
  ['HPE_HEADER_OVERFLOW', { status: 431, code: 'HTTP_HEADERS_TOO_LARGE', detail: 'The request headers are too large.' }],
  ['ERR_HTTP_REQUEST_TIMEOUT', { status: 408, code: 'HTTP_REQUEST_TIMEOUT', detail: 'The request was not received in time.' }],
  ['HPE_CHUNK_EXTENSIONS_OVERFLOW', { status: 413, code: 'HTTP_PAYLOAD_TOO_LARGE', detail: 'The chunk extensions are too large.' }],
])
const malformed = { status: 400, code: 'HTTP_BAD_REQUEST', detail: 'The request is not valid HTTP.' }

/** The in-flight response node:http keeps on the socket, as far as we use it. */
interface InFlight {
  headersSent?: boolean
  /** Its request; `complete` once node parsed all of it. */
  req?: { complete?: boolean }
}

/** The part of the socket node:http exposes to a 'clientError' listener that we use. */
type ClientSocket = Duplex & { _httpMessage?: InFlight | null }

/** Sockets whose in-flight response was told to close the connection; later errors on them are ignored. */
const closingAfterResponse = new WeakSet<Duplex>()

/**
 * A `clientError` listener: instead of node's bare status line, answers malformed
 * HTTP with a problem+json 400, header overflow with 431, a header or request
 * timeout with 408, and closes the connection. A socket that is gone, or whose
 * current response has already started, is destroyed without a reply, as node does.
 * An error in a request pipelined behind one still being answered gets no reply:
 * that answer goes out first, with `Connection: close`.
 */
export function clientErrorListener(logger: Logger): (err: Error & { code?: string }, socket: ClientSocket) => void {
  return (err, socket) => {
    if (closingAfterResponse.has(socket)) return
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent === true) {
      logger.debug({ err }, 'connection error')
      socket.destroy()
      return
    }
    const inFlight = socket._httpMessage
    if (inFlight?.req?.complete === true) {
      // A request that node parsed completely has a real ServerResponse (node set it as the socket's _httpMessage).
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- it is node's own instance
      const response = inFlight as ServerResponse
      // The error is in a later request, pipelined behind one still being answered: a problem written now
      // would be read as that answer (though its request ran). Send that answer, then close instead.
      logger.debug({ err }, 'client error behind a response in progress: closing after it')
      closingAfterResponse.add(socket)
      response.setHeader('connection', 'close')
      return
    }
    const { status, code, detail } = byNodeCode.get(err.code ?? '') ?? malformed
    // No ServerResponse exists for a request node could not parse: the problem goes straight to the socket.
    const { body, headers } = toProblem(new HttpError(status, { code, detail }))
    const head = `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] as string}\r\n` +
      `Content-Type: ${headers['content-type'] as string}\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\nConnection: close\r\n\r\n`
    logger.info({ status, code, parserCode: err.code }, 'client error')
    socket.end(head + body, () => socket.destroy())
  }
}
