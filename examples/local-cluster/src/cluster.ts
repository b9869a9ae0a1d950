import { rm } from 'node:fs/promises'
import { LocalClusterError } from './errors.js'
import type { ClusterLayout, NodeLayout } from './layout.js'
import {
  assertPatroniAlive, etcdRecord, killNode, patroniRecord, spawnEtcd, spawnPatroni, stopEtcdMembers, stopNode,
} from './node-processes.js'
import { getClusterMembers, probe, restCall } from './patroni-rest.js'
import { isAlive, readPostmasterPid, signalProcess, terminate } from './processes.js'
import { checkReady, SyncNotReady } from './readiness.js'
import { isSyncKeyStale, readSyncKey, repairSyncKey } from './sync-key.js'
import type { RestTls } from './rest-tls.js'
import { readState, writeState, type ClusterState } from './state-file.js'
import { waitFor } from './wait.js'

/** A member as `status()` reports it (from Patroni's `GET /cluster`). */
export interface MemberInfo {
  name: string
  /** REST base URL, e.g. `http://127.0.0.1:25020` (`https://` with `restTls`). */
  apiUrl: string
  host: string
  pgPort: number
  /** Patroni 4 adds `quorum_standby` (quorum commit). */
  role: 'leader' | 'replica' | 'sync_standby' | 'quorum_standby' | 'standby_leader' | (string & {})
  /** `running` (3.0.2) for every member; Patroni 4 reports a replica's replication state, e.g. `streaming`. */
  state: string
  timeline?: number
  /** Replication lag in bytes; null when Patroni reports it unknown. */
  lagBytes?: number | null
}

/** A running local cluster; see `startCluster`. */
export interface LocalCluster extends AsyncDisposable {
  readonly name: string
  readonly patroniUrls: string[]
  readonly credentials: {
    superuser: { user: string; password: string }
    app: { user: string; password: string; database: string }
    restApi: { username: string; password: string }
  }
  env(): Record<string, string>
  status(): Promise<MemberInfo[]>
  waitReady(options?: { timeoutMs?: number }): Promise<void>
  leader(): Promise<MemberInfo>
  killLeader(): Promise<{ name: string; at: number }>
  hangLeader(): Promise<{ name: string; at: number; resume(): Promise<void> }>
  /** SIGCONT to every member's Patroni (a test's teardown after a hang); resolves with the names resumed. */
  resumeAll(): Promise<string[]>
  switchover(candidate?: string): Promise<{ from: string; to: string; at: number }>
  killMember(name: string): Promise<void>
  startMember(name: string): Promise<void>
  /** The PID of a member's running Patroni (its REST API runs in it): for a bench's CPU figures. `LC_UNKNOWN_MEMBER` if not running. */
  patroniPid(name: string): Promise<number>
  /** `POST /reinitialize` (force): Patroni wipes the replica and clones it from the leader; resolves once its new postmaster runs. */
  reinitMember(name: string): Promise<void>
  stopEtcdMember(index: number): Promise<void>
  startEtcdMember(index: number): Promise<void>
  pgConnectionString(memberName: string, who?: 'app' | 'superuser'): string
  close(options?: { removeData?: boolean }): Promise<void>
}

/** The LocalCluster over a layout and its state file. Every fault helper re-reads the state file first. */
export class Cluster implements LocalCluster {
  readonly name: string
  readonly patroniUrls: string[]
  readonly credentials: LocalCluster['credentials']
  readonly #layout: ClusterLayout
  readonly #log: (line: string) => void
  /** The CA and client certificate of the harness's own REST calls, with `restTls`. */
  readonly #tls: RestTls | undefined
  #state: ClusterState
  #closed: Promise<void> | undefined

  constructor(layout: ClusterLayout, state: ClusterState, log: (line: string) => void, tls?: RestTls) {
    this.#layout = layout
    this.#state = state
    this.#log = log
    this.#tls = tls
    this.name = layout.name
    this.patroniUrls = layout.nodes.map((node) => node.apiUrl)
    const { superuser, app, restApi } = state.credentials
    this.credentials = { superuser: { ...superuser }, app: { ...app }, restApi: { ...restApi } }
  }

  env(): Record<string, string> {
    const { app } = this.#state.credentials
    return { PATRONI_URLS: this.patroniUrls.join(','), PGUSER: app.user, PGPASSWORD: app.password, PGDATABASE: app.database }
  }

  async status(): Promise<MemberInfo[]> {
    this.#assertOpen()
    const members = await getClusterMembers(this.patroniUrls, 1500, this.#tls)
    return members.map((m) => ({
      name: m.name,
      apiUrl: m.api_url.replace(/\/patroni$/, ''),
      host: m.host,
      pgPort: m.port,
      role: m.role,
      state: m.state,
      ...(m.timeline === undefined ? {} : { timeline: m.timeline }),
      lagBytes: typeof m.lag === 'number' ? m.lag : null,
    }))
  }

  async waitReady(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#assertOpen()
    const timeoutMs = options.timeoutMs ?? Math.max(60_000, this.#layout.timing.ttl * 4_000)
    const state = await this.#reload()
    const running = this.#layout.nodes.filter((n) => state.patroniPids[n.name] !== null)
    let staleSince: number | undefined
    const leader = await waitFor('the cluster to be ready (one /primary, all members streaming, a /sync)', async () => {
      await assertPatroniAlive(running, state.patroniPids)
      return await checkReady({
        nodes: running,
        synchronousMode: this.#layout.synchronousMode,
        superuserConnectionString: (node) => this.pgConnectionString(node.name, 'superuser'),
        tls: this.#tls,
      }).catch(async (err: unknown) => {
        if (err instanceof SyncNotReady) staleSince = await this.#repairStaleSyncKey(err.leader, staleSince)
        throw err
      })
    }, { timeoutMs, intervalMs: 200 })
    this.#log(`ready: leader ${leader}, ${running.length - 1} replicas streaming`)
  }

  /**
   * Patroni 3.0.2 wedge (see sync-key.ts): when the `/sync` key has named another node than the
   * leader for a grace period, repair it through the REST API. Returns the new `staleSince`.
   */
  async #repairStaleSyncKey(leader: string, staleSince: number | undefined): Promise<number | undefined> {
    const etcdUrls = this.#layout.etcd.map((m) => `http://127.0.0.1:${m.clientPort}`)
    if (!isSyncKeyStale(await readSyncKey(etcdUrls, this.name), leader)) return undefined
    const since = staleSince ?? Date.now()
    if (Date.now() - since < Math.max(5_000, 3_000 * this.#layout.timing.loop_wait)) return since
    this.#log(`the /sync key names another node than leader ${leader} (Patroni 3.0.2 bug): toggling synchronous_mode to repair it`)
    await repairSyncKey({ etcdUrls, scope: this.name, leaderApiUrl: this.#node(leader).apiUrl, auth: this.#state.credentials.restApi, tls: this.#tls })
    return undefined
  }

  async leader(): Promise<MemberInfo> {
    this.#assertOpen()
    const answers = await Promise.all(this.#layout.nodes.map(async (n) => ({ n, status: await probe(n.apiUrl, '/primary', 1000, this.#tls) })))
    const primaries = answers.filter((a) => a.status === 200).map((a) => a.n.name)
    if (primaries.length !== 1) {
      throw new LocalClusterError('LC_NO_LEADER', `want exactly one node answering /primary 200, got [${primaries.join(', ')}]`)
    }
    const member = (await this.status()).find((m) => m.name === primaries[0])
    /* c8 ignore next */ // a transient race: a new primary that /cluster does not list yet
    if (member === undefined) throw new LocalClusterError('LC_NO_LEADER', `${primaries[0]} is not listed in /cluster`)
    return member
  }

  async killLeader(): Promise<{ name: string; at: number }> {
    const { name } = await this.leader()
    const at = Date.now()
    await this.killMember(name)
    return { name, at }
  }

  async hangLeader(): Promise<{ name: string; at: number; resume(): Promise<void> }> {
    const { name } = await this.leader()
    const node = this.#node(name)
    const record = patroniRecord(node, this.#pid(await this.#reload(), name))
    const at = Date.now()
    await signalProcess(record, 'SIGSTOP')
    this.#log(`froze Patroni of ${name} (pid ${record.pid})`)
    return { name, at, resume: async () => { await signalProcess(record, 'SIGCONT') } }
  }

  /** SIGCONT every recorded Patroni (harmless for running ones): ends a `hangLeader` from another process. */
  async resumeAll(): Promise<string[]> {
    const state = await this.#reload()
    const resumed: string[] = []
    for (const node of this.#layout.nodes) {
      const pid = state.patroniPids[node.name]
      if (typeof pid === 'number' && (await signalProcess(patroniRecord(node, pid), 'SIGCONT'))) resumed.push(node.name)
    }
    return resumed
  }

  async switchover(candidate?: string): Promise<{ from: string; to: string; at: number }> {
    if (candidate !== undefined) this.#node(candidate)
    await this.waitReady()
    const from = (await this.leader()).name
    const at = Date.now()
    const res = await restCall(`${this.#node(from).apiUrl}/switchover`, {
      method: 'POST',
      body: candidate === undefined ? { leader: from } : { leader: from, candidate },
      auth: this.#state.credentials.restApi,
      timeoutMs: 30_000,
      tls: this.#tls,
    })
    if (res.status !== 200) {
      throw new LocalClusterError('LC_SWITCHOVER_FAILED', `POST /switchover answered ${res.status}: ${res.body.slice(0, 200)}`)
    }
    const others = this.#layout.nodes.filter((n) => n.name !== from && (candidate === undefined || n.name === candidate))
    const to = await waitFor(`a new leader after the switchover from ${from}`, async () => {
      const answers = await Promise.all(others.map(async (node) => await probe(node.apiUrl, '/primary', 1000, this.#tls)))
      return others[answers.indexOf(200)]?.name
    }, { timeoutMs: 60_000 })
    this.#log(`switched over from ${from} to ${to}`)
    return { from, to, at }
  }

  async killMember(name: string): Promise<void> {
    const node = this.#node(name)
    const state = await this.#reload()
    await killNode(node, state.patroniPids[name] ?? null)
    await this.#save({ ...state, patroniPids: { ...state.patroniPids, [name]: null } })
    this.#log(`killed ${name} (Patroni and postmaster, SIGKILL)`)
  }

  async patroniPid(name: string): Promise<number> {
    this.#node(name)
    return this.#pid(await this.#reload(), name)
  }

  async startMember(name: string): Promise<void> {
    const node = this.#node(name)
    const state = await this.#reload()
    const old = state.patroniPids[name]
    if (typeof old === 'number') await killNode(node, old)
    const pid = await spawnPatroni(node, this.#layout.patroni)
    await this.#save({ ...state, patroniPids: { ...state.patroniPids, [name]: pid } })
    this.#log(`started Patroni of ${name} (pid ${pid})`)
  }

  async reinitMember(name: string): Promise<void> {
    const node = this.#node(name)
    const before = (await readPostmasterPid(node.dataDir))?.pid
    const res = await restCall(`${node.apiUrl}/reinitialize`, {
      method: 'POST', body: { force: true }, auth: this.#state.credentials.restApi, timeoutMs: 10_000, tls: this.#tls,
    })
    if (res.status !== 200) {
      throw new LocalClusterError('LC_REST_FAILED', `POST /reinitialize on ${name} answered ${res.status}: ${res.body.slice(0, 200)}`)
    }
    this.#log(`reinitializing ${name}: Patroni wipes it and clones it from the leader`)
    // The answer comes before the work: done once a new postmaster runs on the fresh clone.
    await waitFor(`${name} to run a new postmaster after the reinit`, async () => {
      const now = await readPostmasterPid(node.dataDir)
      return now !== undefined && now.pid !== before && (await isAlive(now))
    }, { timeoutMs: 120_000 })
  }

  async stopEtcdMember(index: number): Promise<void> {
    const member = this.#etcd(index)
    const state = await this.#reload()
    const pid = state.etcdPids[index]
    if (typeof pid === 'number') await terminate(etcdRecord(member, pid))
    await this.#save({ ...state, etcdPids: state.etcdPids.map((p, i) => (i === index ? null : p)) })
    this.#log(`stopped ${member.name}`)
  }

  async startEtcdMember(index: number): Promise<void> {
    const member = this.#etcd(index)
    const state = await this.#reload()
    const old = state.etcdPids[index]
    if (typeof old === 'number') await terminate(etcdRecord(member, old))
    const pid = await spawnEtcd(member)
    await this.#save({ ...state, etcdPids: state.etcdPids.map((p, i) => (i === index ? pid : p)) })
    this.#log(`started ${member.name} (pid ${pid})`)
  }

  pgConnectionString(memberName: string, who: 'app' | 'superuser' = 'app'): string {
    const node = this.#node(memberName)
    const { app, superuser } = this.#state.credentials
    const [user, password, database] = who === 'app' ? [app.user, app.password, app.database] : [superuser.user, superuser.password, 'postgres']
    return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${node.pgPort}/${database}`
  }

  async close(options: { removeData?: boolean } = {}): Promise<void> {
    this.#closed ??= this.#stopAll()
    await this.#closed
    if (options.removeData === true) await rm(this.#layout.dataDir, { recursive: true, force: true })
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  async #stopAll(): Promise<void> {
    const state = (await readState(this.#layout)) ?? this.#state
    // Replicas first, then the leader: stopped together, a sync standby waits for a release from a
    // primary that is going away too (measured: 10+ s instead of ~4 s).
    const primary = await Promise.all(this.#layout.nodes.map(async (node) => (await probe(node.apiUrl, '/primary', 500, this.#tls)) === 200))
    const started = Date.now()
    const stop = async (nodes: NodeLayout[]): Promise<void> => {
      await Promise.all(nodes.map(async (node) => {
        await stopNode(node, state.patroniPids[node.name] ?? null, 15_000)
        this.#log(`stopped ${node.name} after ${Date.now() - started} ms`)
      }))
    }
    await stop(this.#layout.nodes.filter((_, i) => primary[i] !== true))
    await stop(this.#layout.nodes.filter((_, i) => primary[i] === true))
    await stopEtcdMembers(this.#layout, state.etcdPids, 10_000)
    this.#log(`stopped cluster ${this.name} in ${Date.now() - started} ms`)
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw new LocalClusterError('LC_CLOSED', `cluster ${this.name} is closed`)
  }

  #node(name: string): NodeLayout {
    const node = this.#layout.nodes.find((n) => n.name === name)
    if (node === undefined) {
      throw new LocalClusterError('LC_UNKNOWN_MEMBER', `no member ${JSON.stringify(name)}; members: ${this.#layout.nodes.map((n) => n.name).join(', ')}`)
    }
    return node
  }

  #etcd(index: number): ClusterLayout['etcd'][number] {
    const member = this.#layout.etcd[index]
    if (member === undefined) {
      throw new LocalClusterError('LC_UNKNOWN_MEMBER', `no etcd member ${index}; members: 0-${this.#layout.etcd.length - 1}`)
    }
    return member
  }

  #pid(state: ClusterState, name: string): number {
    const pid = state.patroniPids[name]
    if (typeof pid !== 'number') throw new LocalClusterError('LC_UNKNOWN_MEMBER', `${name} is not running`)
    return pid
  }

  async #reload(): Promise<ClusterState> {
    this.#assertOpen()
    this.#state = (await readState(this.#layout)) ?? this.#state
    return this.#state
  }

  async #save(state: ClusterState): Promise<void> {
    this.#state = state
    await writeState(this.#layout, state)
  }
}
