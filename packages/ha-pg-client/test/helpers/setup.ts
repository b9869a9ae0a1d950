import { HaPgClient } from '../../src/ha-pg-client.js'
import type { PatroniModeOptions } from '../../src/options.js'
import { fakePool, type FakeServer } from './fake-pg.js'
import { FakePatroni, threeMembers } from './fake-patroni.js'

/** A client over a simulated 3-member cluster with fast clocks; `skew` moves the injected clock. */
export function setup(overrides: Partial<PatroniModeOptions> = {}) {
  const patroni = new FakePatroni(threeMembers())
  const servers = new Map<string, FakeServer>([
    ['10.0.0.1:5432', { hotStandby: false }],
    ['10.0.0.2:5432', { hotStandby: true }],
    ['10.0.0.3:5432', { hotStandby: true }],
  ])
  const { Pool, pools } = fakePool(servers)
  const clock = { skew: 0 }
  const client = new HaPgClient({
    patroniUrls: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'],
    dispatcher: patroni.agent,
    pg: { user: 'app', password: 'secret', database: 'app' },
    Pool: Pool as never,
    leaseMs: 400,
    discoveryIntervalMs: 100,
    restTimeoutMs: 80,
    failoverDeadlineMs: 2_000,
    now: () => Date.now() + clock.skew,
    random: () => 0.5,
    ...overrides,
  } as PatroniModeOptions)
  const events: [string, unknown][] = []
  for (const name of ['leaderChanged', 'discoveryFailed', 'poolRetired', 'retry'] as const) client.on(name, (e: unknown) => events.push([name, e]))
  return { patroni, servers, pools, client, clock, events }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export const sqlError = (code: string): Error => Object.assign(new Error(`sqlstate ${code}`), { code })
