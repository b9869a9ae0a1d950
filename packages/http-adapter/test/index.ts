import t from 'tap'
import * as index from '../src/index.js'

t.test('the public value exports are pinned', async (t) => {
  t.strictSame(Object.keys(index).sort(), ['HttpError', 'createApp', 'createLogger', 'errorCodes', 'serve'])
})

t.test('they are what they claim to be', async (t) => {
  t.type(index.createApp, 'function')
  t.type(index.serve, 'function')
  t.type(index.createLogger, 'function')
  t.ok(new index.HttpError(400) instanceof Error)
  t.equal(index.errorCodes.HTTP_NOT_FOUND.status, 404)
})
