import t from 'tap'
import { verifyAcks } from '../src/ack-verification.js'
import type { UserLog } from '../src/load-generator.js'

const ack = (date: string, unacked: string[] = []): UserLog => ({ acked: { date, sentAt: 1, ackedAt: 2 }, unacked })

t.test('verifyAcks: the last acked value or a later unacked one is fine; anything else is lost', async (t) => {
  const users = new Map<string, UserLog>([
    ['same', ack('1990-01-01')],
    ['later', ack('1990-01-01', ['1991-02-02', '1992-03-03'])],
    ['stale', ack('1990-01-01', ['1991-02-02'])],
    ['missing', ack('1980-05-05')],
    ['never', { acked: undefined, unacked: ['1970-01-01'] }],
  ])
  const stored = new Map([['same', '1990-01-01'], ['later', '1992-03-03'], ['stale', '1989-12-31'], ['never', '1970-01-01']])
  const v = verifyAcks(users, stored)
  t.equal(v.checked, 4)
  t.equal(v.laterUnacked, 1)
  t.strictSame(v.lost, [
    { user: 'stale', expected: '1990-01-01', found: '1989-12-31', ackedAt: 2 },
    { user: 'missing', expected: '1980-05-05', found: null, ackedAt: 2 },
  ])
})
