import t from 'tap'
import type { RequestRecord } from '@birthday-ha/ha-demo/dist/index.js'
import { recoveryFigures } from '../../src/drills/dr-figures.js'

const put = (sentAt: number, endedAt: number, status: number): RequestRecord => ({ method: 'PUT', user: 'a', date: '1990-01-01', sentAt, endedAt, status })
const get = (sentAt: number, endedAt: number, status: number): RequestRecord => ({ method: 'GET', user: 'a', date: undefined, sentAt, endedAt, status })

t.test('RTO: first failed write after the fault to the first acknowledged write sent after it', async (t) => {
  const records = [put(0, 10, 204), put(90, 95, 503), put(100, 120, 503), get(130, 131, 503), put(150, 900, 503), put(700, 710, 204), put(800, 805, 204)]
  t.strictSame(recoveryFigures(records, 100), { rtoMs: 590, faultToFirstAckMs: 610, failedWrites: 2 }, 'failures answered before the fault and GETs do not count')
})

t.test('no failure, or no recovery', async (t) => {
  t.strictSame(recoveryFigures([put(0, 10, 204), put(200, 210, 204)], 100), { rtoMs: undefined, faultToFirstAckMs: 110, failedWrites: 0 })
  t.strictSame(recoveryFigures([put(0, 10, 204), put(200, 210, 0)], 100), { rtoMs: undefined, faultToFirstAckMs: undefined, failedWrites: 1 })
})
