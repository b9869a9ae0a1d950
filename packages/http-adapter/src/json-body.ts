import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

function badJson(detail: string, cause?: unknown): HttpError {
  return new HttpError(400, { code: 'HTTP_BAD_JSON', detail, cause })
}

function tooLarge(limit: number): HttpError {
  // `Connection: close`: the rest of the body is never read, so the socket cannot be reused.
  return new HttpError(413, {
    code: 'HTTP_PAYLOAD_TOO_LARGE',
    detail: `The body exceeds the limit of ${String(limit)} bytes.`,
    headers: { connection: 'close' },
  })
}

function incomplete(cause?: unknown): HttpError {
  return new HttpError(400, { code: 'HTTP_BAD_REQUEST', detail: 'The request body is incomplete.', cause })
}

function unsupported(detail: string): HttpError {
  return new HttpError(415, { code: 'HTTP_UNSUPPORTED_MEDIA_TYPE', detail })
}

/** `application/json` or any `application/*+json`, parameters (`; charset=utf-8`) ignored. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  const semicolon = contentType.indexOf(';')
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
}

/**
 * Reads and parses a JSON object body, enforcing media type (415), size (413),
 * UTF-8 and JSON validity (400). A declared `Content-Length` over the limit is
 * refused before reading; a chunked body is read only up to the limit.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<object> {
  if (!isJsonMediaType(req.headers['content-type'])) {
    return Promise.reject(unsupported('The body must be application/json.'))
  }
  const encoding = req.headers['content-encoding']
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return Promise.reject(unsupported('Content-Encoding is not supported.'))
  }
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit))
  if (req.destroyed) return Promise.reject(incomplete())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onAbort)
      req.off('close', onAbort)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.pause()
        reject(tooLarge(limit))
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = (): void => {
      cleanup()
      try {
        resolve(parseJsonObject(Buffer.concat(chunks, size)))
      } catch (err) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- parseJsonObject throws HttpErrors only
        reject(err)
      }
    }
    const onAbort = (cause?: unknown): void => {
      cleanup()
      reject(incomplete(cause))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onAbort)
    req.on('close', onAbort)
  })
}

/** Parses UTF-8 bytes as a JSON object; anything else is an HttpError 400 `HTTP_BAD_JSON`. */
export function parseJsonObject(bytes: Uint8Array): object {
  if (bytes.length === 0) throw badJson('The body is empty.')
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch (cause) {
    throw badJson('The body is not valid UTF-8.', cause)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    // The parser's message quotes the body, so it stays out of the response.
    throw badJson('The body is not valid JSON.', cause)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badJson('The body must be a JSON object.')
  }
  return value
}
