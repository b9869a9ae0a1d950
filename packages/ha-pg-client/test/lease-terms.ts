import t from 'tap'
import { keyExpiry, leaseFor, type LeaseTermsContext } from '../src/lease-terms.js'

// Patroni's /primary carries dcs_last_seen (a Unix time, whole seconds) and failsafe_mode_is_active:
// https://patroni.readthedocs.io/en/latest/rest_api.html#health-check-endpoints
const ctx: LeaseTermsContext = { leaseMs: 10_000, basis: { ttl: 20, loop_wait: 1, retry_timeout: 5 }, discoveryIntervalMs: 1_000, now: () => 50_000, wallClock: () => 1_700_000_010_000, random: () => 0.5 }

t.test('leaseFor: the full lease, shortened by a DCS contact older than loop_wait', async (t) => {
  t.equal(leaseFor({}, ctx), 10_000, 'no dcs_last_seen (Patroni 3.0.2)')
  t.equal(leaseFor({ dcs_last_seen: 1_700_000_009 }, ctx), 10_000, 'seen within loop_wait')
  t.equal(leaseFor({ dcs_last_seen: 1_700_000_006 }, ctx), 7_000, '4 s ago: 3 s past loop_wait')
  t.ok(leaseFor({ dcs_last_seen: 1_699_999_990 }, ctx) <= 0, 'older than the lease: none')
  t.equal(leaseFor({ dcs_last_seen: 1_699_999_990, failsafe_mode_is_active: true }, ctx), 10_000, 'failsafe: the members confirm it instead of the key')
})

t.test('keyExpiry: ttl after the last DCS contact, spread by up to a second', async (t) => {
  t.equal(keyExpiry({ dcs_last_seen: 1_700_000_006 }, 49_000, ctx), 50_000 - 4_000 + 20_000 + 500)
  t.equal(keyExpiry({}, 49_000, ctx), 49_000 - 1_000 + 20_000 + 500, 'without dcs_last_seen: sentAt - loop_wait')
  t.equal(keyExpiry({ dcs_last_seen: 1_700_000_020 }, 49_000, ctx), 50_000 + 20_000 + 500, 'a clock behind the member: no negative age')
  t.equal(keyExpiry({ failsafe_mode_is_active: true }, 49_000, ctx), Number.POSITIVE_INFINITY, 'failsafe: no replica may take the key')
})
