import t from 'tap'
import { checkLsn } from '../../src/host/psql.js'

t.test('an LSN goes back into SQL only as PostgreSQL prints it', async (t) => {
  t.equal(checkLsn('16/B374D848'), '16/B374D848')
  for (const bad of ['', "0/1'; DROP TABLE x; --", '0/1\n', 'b374d848', '1/2/3']) t.throws(() => checkLsn(bad), TypeError, JSON.stringify(bad))
})
