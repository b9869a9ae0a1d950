import type { PatroniApi, PatroniMember, PatroniTiming, PrimaryAnswer, RestResult } from './patroni-api.js'
import { settledWithin } from './settled-within.js'
import { LEADER_RACE_MS } from './timing.js'
import { apiBase, promoted, type LeaderDecision } from './topology.js'

/** Without a lease, how long a round waits for a candidate's `GET /primary` before the next round may start. */
export const CONFIRM_WAIT_MS = 100
/** While a leader race runs, paced rounds come at least this often (±50 % jitter); each asks one member. */
const RACE_POLL_MS = 250
/** While the key holder promotes, rounds that ask only its `/primary` come this often: as many calls per second as race rounds. */
const HOLDER_POLL_MS = 125
/** At most this many of those in a row; then a race round asks a `/cluster` view again (the holder may have lost the key). */
const HOLDER_ROUNDS = 3

/** What a race needs from the tracker that runs it. */
export interface RaceHost {
  readonly api: Pick<PatroniApi, 'primary'>
  readonly now: () => number
  /** The members the last view listed: a key holder found by its REST address is named from them. */
  members(): readonly PatroniMember[]
  /** A member seen holding the leader key before any lease on it (its sessions may be warmed). */
  keyHolderSeen(member: PatroniMember): void
  /** A late probe found its member promoted: the next round now, and full. */
  roundNow(): void
}

/** A race round's `/primary` answer as a primary: the confirmation of the full round it starts, if that decides its member. */
export interface RaceProbe {
  readonly url: string
  readonly sentAt: number
  readonly answer: RestResult<PrimaryAnswer>
}

/**
 * The leader race: from the moment the key is seen moving (or may expire) until a grant, paced rounds
 * stay short and ask one member each, chosen here. A race round asks one `/cluster` view and, if a
 * member holds the key, its `/primary`; every other round asks the candidates' `/primary` instead; a key
 * holder still promoting is watched by its `/primary` alone. A probe that finds its member promoted is
 * kept as the confirmation of the full round it starts (the tracker's).
 */
export class LeaderRace {
  readonly #host: RaceHost
  /** Until then, no lease and the key seen moving: a leader race runs. */
  #until = Number.NEGATIVE_INFINITY
  /** The leader granted last, until a round sees the key free or with another member (the race starts once per grant). */
  #watched: string | undefined
  #probe: RaceProbe | undefined
  /** Race rounds so far: every other one asks the candidates' `/primary` rather than a view. */
  #rounds = 0
  /** The key holder a race round saw still promoting, and how many rounds asked only its `/primary` since. */
  #promoting: { readonly url: string; rounds: number } | undefined
  /** The members other than the leader whose `/cluster` answered in the last full round: who a race round asks. */
  answering: readonly string[] = []

  constructor(host: RaceHost) {
    this.#host = host
  }

  /** Whether the race runs at `now` and has members to ask. */
  runs(now: number): boolean {
    return now < this.#until && this.answering.length > 0
  }

  /** The longest pause between paced rounds while the race runs: shorter while the key holder promotes. */
  pollMs(now: number): number | undefined {
    if (now >= this.#until) return undefined
    return this.#promoting === undefined ? RACE_POLL_MS : HOLDER_POLL_MS
  }

  /**
   * The race runs from `now` for as long as Patroni may take from the key's expiry to a new leader: the
   * part of the failover deadline after `ttl` (a replica notices within `loop_wait`, its race's 2 s status
   * requests, the promotion within `retry_timeout`, the new role at the next loop). 20/1/5: 9 s. Measured
   * on the lab: a partitioned leader was replaced up to 5.6 s after its key's ttl.
   */
  start(now: number, { loop_wait, retry_timeout }: PatroniTiming): void {
    this.#until = now + (2 * loop_wait + retry_timeout) * 1000 + LEADER_RACE_MS
  }

  /** A grant ends the race; rounds watch `leader`'s key for motion. */
  end(leader: string): void {
    this.#watched = leader
    this.#until = Number.NEGATIVE_INFINITY
  }

  /**
   * Whether this round is the first since the grant to see the key move: free (`no-leader`: the race is
   * on), held by another member (it promotes now), or still held by the leader in no more than half of
   * the views that answered (a leader cut off from its DCS names itself from its last cache; the others
   * see the key free). Once per grant, so views that keep changing cannot make a fleet poll fast for long.
   */
  noticeMotion(decision: LeaderDecision, answered: number): boolean {
    const watched = this.#watched
    if (watched === undefined) return false
    const moved = decision.kind === 'candidate' ? decision.member.name !== watched || (answered > 0 && decision.votes * 2 <= answered) : decision.reason === 'no-leader'
    if (moved) this.#watched = undefined
    return moved
  }

  /** A round that is no race round ends the watch of a promoting key holder. */
  stopWatching(): void {
    this.#promoting = undefined
  }

  /**
   * This race round, if it asks no view: the promoting key holder's `/primary` (up to HOLDER_ROUNDS in a
   * row), or every other round the candidates'. `'full'`: a member answered as the primary, a full round
   * decides now; `'done'`: the race goes on. Undefined: the round asks one of {@link answering}'s views.
   */
  roundWithoutView(): Promise<'full' | 'done'> | undefined {
    const promoting = this.#promoting
    if (promoting !== undefined && promoting.rounds < HOLDER_ROUNDS) return this.#watchHolder(promoting)
    if (promoting === undefined && this.#rounds++ % 2 === 0) return this.#askCandidates()
    return undefined
  }

  /**
   * After a race round's one view: whether the race goes on. The key still free, or held by a member
   * whose `/primary` does not answer 200 as a primary within CONFIRM_WAIT_MS (its PostgreSQL still
   * promotes), means it does: 1 or 2 REST calls, not a full round and a confirmation. Anything else is
   * for a full round to decide.
   */
  async goesOn(decision: LeaderDecision): Promise<boolean> {
    this.#probe = undefined // an earlier probe's answer is older than what this round sees
    this.#promoting = undefined
    if (decision.kind === 'none' && decision.reason !== 'no-leader') return false
    // a key holder without a REST address could never be confirmed: the race goes on for this client
    const holder = decision.kind === 'candidate' ? decision.member.api_url : undefined
    if (holder === undefined) return true
    const url = apiBase(holder)
    const answer = await this.#probeHolder(url)
    if (answer === 'promoted') return false
    // Patroni 4 answers 200 as a replica while it promotes: watch it (3.x answers 503 until it is the primary)
    if (answer?.ok === true) this.#promoting = { url, rounds: 0 }
    return true
  }

  /** The probe a full round may settle early on (a view from another member naming its member). */
  get probe(): RaceProbe | undefined {
    return this.#probe
  }

  /** The probe, if it is `url`'s, as the confirmation of that member; any probe is used up. */
  takeProbe(url: string): RaceProbe | undefined {
    const probe = this.#probe?.url === url ? this.#probe : undefined
    this.#probe = undefined
    return probe
  }

  /**
   * A race round that asks every candidate's `/primary` (who answered the last full round, never the lost
   * leader) instead of one `/cluster` view. Patroni answers `/primary` from its own state; `/cluster` reads
   * the DCS, and on the lab, with an etcd member cut off along with the leader, views took 300–950 ms
   * while `/primary` took 100–140 ms. Every other race round is still a view, which may name a holder
   * this client did not ask. On three members, as many REST calls as a view and its probe.
   */
  async #askCandidates(): Promise<'full' | 'done'> {
    const answers = await Promise.all(this.answering.map(async (url) => ({ url, answer: await this.#probeHolder(url) })))
    if (answers.some(({ answer }) => answer === 'promoted')) return 'full'
    const holder = answers.find(({ answer }) => answer !== undefined && answer !== 'promoted' && answer.ok)
    if (holder !== undefined) this.#holdsKey(holder.url)
    return 'done'
  }

  /** A candidate answered `/primary` 200 as a replica: Patroni 4's key holder while it promotes. Watched, and its sessions warmed. */
  #holdsKey(url: string): void {
    this.#promoting = { url, rounds: 0 }
    this.#seeKeyHolderAt(url)
  }

  /**
   * A race round while the key holder promotes: its `/primary` only, no `/cluster` view, every
   * HOLDER_POLL_MS: as many REST calls per second as race rounds (one call, not two, twice as often), and
   * the end of the promotion seen twice as soon. An answer as a primary starts the full round that
   * decides; anything but 200 as a replica (it lost the key, or is gone) and every HOLDER_ROUNDS-th round
   * go back to race rounds, whose view may name another holder.
   */
  async #watchHolder(promoting: { readonly url: string; rounds: number }): Promise<'full' | 'done'> {
    promoting.rounds += 1
    const answer = await this.#probeHolder(promoting.url)
    if (answer === 'promoted') return 'full'
    if (answer !== undefined && !answer.ok) this.#promoting = undefined
    return 'done'
  }

  /**
   * `GET /primary` on the key holder, waited for CONFIRM_WAIT_MS: 'promoted' (kept as the confirmation,
   * see {@link LeaderRace.#promotedProbe}), another answer, or undefined if it did not answer in time.
   */
  async #probeHolder(url: string): Promise<'promoted' | RestResult<PrimaryAnswer> | undefined> {
    const sentAt = this.#host.now()
    const asked = this.#host.api.primary(url)
    const answer = await settledWithin(asked, CONFIRM_WAIT_MS)
    if (answer !== undefined) return this.#promotedProbe(url, sentAt, answer) ? 'promoted' : answer
    // A busy member answers late (on the lab's loaded hosts, /primary's status query took longer than
    // the wait): a late answer as a primary asks every member at once rather than at the next race round.
    void asked.then((late) => {
      if (this.#promotedProbe(url, sentAt, late)) this.#host.roundNow()
      else if (late.ok && this.#promoting === undefined && this.#host.now() < this.#until) this.#holdsKey(url)
    })
    return undefined
  }

  /**
   * Whether a race probe says its member is the primary; if so it is kept as the confirmation of the
   * full round that follows (one `/primary` less on a node that just promoted, and the lease starts at
   * the probe: no later than a confirmation sent after the round would). That round's views must still
   * decide that member, so nothing is granted on one view.
   */
  #promotedProbe(url: string, sentAt: number, answer: RestResult<PrimaryAnswer>): boolean {
    if (!promoted(answer)) return false
    this.#probe = { url, sentAt, answer }
    // Its sessions open now, while the full round's views come: on the lab they took 300-950 ms, and
    // warmed only from that round's decision, no session was open on the new leader at its lease.
    this.#seeKeyHolderAt(url)
    return true
  }

  #seeKeyHolderAt(url: string): void {
    const member = this.#host.members().find((m) => m.api_url !== undefined && apiBase(m.api_url) === url)
    if (member !== undefined) this.#host.keyHolderSeen(member)
  }
}
