import t from 'tap'
import { classifyError } from '../src/classify-error.js'
import { HaPgError } from '../src/errors.js'

const withCode = (code: string): Error => Object.assign(new Error(code), { code })

// The full table, as documented in the README.
const TABLE: [string, 'never-ran' | 'unknown' | 'failed', boolean][] = [
  ['57P03', 'never-ran', true],
  ['08001', 'never-ran', true],
  ['08004', 'never-ran', true],
  ['ECONNREFUSED', 'never-ran', true],
  ['ENOTFOUND', 'never-ran', true],
  ['EHOSTUNREACH', 'never-ran', true],
  ['ENETUNREACH', 'never-ran', true],
  ['EADDRNOTAVAIL', 'never-ran', true],
  ['EAI_AGAIN', 'never-ran', true],
  ['57P01', 'unknown', true],
  ['57P02', 'unknown', true],
  ['08000', 'unknown', true],
  ['08003', 'unknown', true],
  ['08006', 'unknown', true],
  ['08007', 'unknown', true],
  ['08P01', 'unknown', true],
  ['ECONNRESET', 'unknown', true],
  ['EPIPE', 'unknown', true],
  ['ETIMEDOUT', 'unknown', true],
  ['ECONNABORTED', 'unknown', true],
  ['ERR_STREAM_DESTROYED', 'unknown', true],
  ['23505', 'failed', false],
  ['40001', 'failed', false],
  ['57014', 'failed', false],
  ['42P01', 'failed', false],
  // issue #11, major 9: a caller's own read-only transaction, or a server at its connection limit, is no topology change
  ['25006', 'failed', false],
  ['53300', 'failed', false],
]

t.test('the SQLSTATE / errno table', async (t) => {
  for (const [code, outcome, topology] of TABLE) {
    t.strictSame(classifyError(withCode(code)), { outcome, topology, code }, code)
  }
})

t.test('any error while connecting never ran, but configuration errors are not retried', async (t) => {
  t.strictSame(classifyError(withCode('XX000'), 'connect'), { outcome: 'never-ran', topology: true, code: 'XX000' })
  for (const code of ['28P01', '28000', '3D000']) {
    t.strictSame(classifyError(withCode(code), 'connect'), { outcome: 'failed', topology: false, code }, code)
  }
  t.strictSame(classifyError(new Error('Connection terminated due to connection timeout'), 'connect'), { outcome: 'never-ran', topology: true, code: 'unknown' })
})

t.test('pg errors without a code', async (t) => {
  t.strictSame(classifyError(new Error('Connection terminated unexpectedly')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('Query read timeout')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('Client has encountered a connection error and is not queryable')), { outcome: 'never-ran', topology: true, code: 'not-queryable' })
  // libpq's own words, through pg-native (no code on connection-level errors)
  t.strictSame(classifyError(new Error('server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('could not receive data from server: Connection reset by peer\n')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('could not send data to server: Broken pipe\n')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('SSL SYSCALL error: EOF detected\n')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('SSL connection has been closed unexpectedly\n')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('lost synchronization with server: got message type "x", length 0\n')), { outcome: 'unknown', topology: true, code: 'connection-lost' })
  t.strictSame(classifyError(new Error('no connection to the server\n')), { outcome: 'never-ran', topology: true, code: 'not-queryable' })
  t.strictSame(classifyError(new Error('syntax')), { outcome: 'failed', topology: false, code: 'unknown' })
  t.strictSame(classifyError('a string'), { outcome: 'failed', topology: false, code: 'unknown' })
  t.strictSame(classifyError(null), { outcome: 'failed', topology: false, code: 'unknown' })
  t.strictSame(classifyError({ code: 5 }), { outcome: 'failed', topology: false, code: 'unknown' })
})

t.test('our own codes', async (t) => {
  t.strictSame(classifyError(new HaPgError('HAPG_NOT_WRITABLE', 'x')), { outcome: 'never-ran', topology: true, code: 'HAPG_NOT_WRITABLE' })
  t.strictSame(classifyError(new HaPgError('HAPG_STATEMENT_TIMEOUT', 'x')), { outcome: 'unknown', topology: true, code: 'HAPG_STATEMENT_TIMEOUT' })
  t.strictSame(classifyError(new HaPgError('HAPG_OUTCOME_UNKNOWN', 'x')), { outcome: 'unknown', topology: true, code: 'HAPG_OUTCOME_UNKNOWN' })
  t.strictSame(classifyError(new HaPgError('HAPG_CLOSED', 'x')), { outcome: 'failed', topology: false, code: 'HAPG_CLOSED' })
  t.strictSame(classifyError(new HaPgError('HAPG_STATEMENT_TIMEOUT', 'x'), 'connect'), { outcome: 'never-ran', topology: true, code: 'HAPG_STATEMENT_TIMEOUT' },
    'the writability check timing out: the caller\'s statement was never sent')
  t.strictSame(classifyError(new HaPgError('HAPG_CLOSED', 'x'), 'connect'), { outcome: 'failed', topology: false, code: 'HAPG_CLOSED' })
})

t.test('25006 and 53300 are the caller\'s, not "topology changed, retry" (issue #11, major 9)', async (t) => {
  t.strictSame(classifyError(withCode('25006'), 'connect'), { outcome: 'never-ran', topology: true, code: '25006' }, 'while connecting nothing ran')
  t.strictSame(classifyError(withCode('53300'), 'connect'), { outcome: 'failed', topology: false, code: '53300' }, 'a full server is not retried until the deadline')
})
