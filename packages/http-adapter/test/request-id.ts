import t from 'tap'
import type { IncomingMessage } from 'node:http'
import { requestIdOf } from '../src/request-id.js'

const withHeaders = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage
const generated = /^[0-9a-f]{12}-[0-9a-z]+$/

t.test('a well-formed incoming id is used, whatever the header case', async (t) => {
  t.equal(requestIdOf(withHeaders(['Host', 'x', 'X-Request-Id', 'abc-1'])), 'abc-1')
  t.equal(requestIdOf(withHeaders(['x-request-id', 'Root=1-5f84c7a5-1234abcd'])), 'Root=1-5f84c7a5-1234abcd')
})

t.test('the first header wins; a malformed first one means a generated id', async (t) => {
  t.equal(requestIdOf(withHeaders(['x-request-id', 'one', 'x-request-id', 'two'])), 'one')
  t.match(requestIdOf(withHeaders(['x-request-id', 'bad id', 'x-request-id', 'two'])), generated)
})

t.test('no header → a generated id, unique, with one prefix per process', async (t) => {
  const ids = [1, 2, 3].map(() => requestIdOf(withHeaders(['x-requestid', 'near-miss', 'host', 'x'])))
  for (const id of ids) t.match(id, generated)
  t.equal(new Set(ids).size, 3)
  t.equal(new Set(ids.map((id) => id.split('-')[0])).size, 1)
})
