import t from 'tap'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { installPatroni4, PATRONI4_FILES, TRIXIE_SOURCE, type Patroni4InstallDeps } from '../src/patroni4-install.js'

const root = await mkdtemp(join(tmpdir(), 'lc-patroni4-'))
t.teardown(async () => await rm(root, { recursive: true, force: true }))
let n = 0
const freshDir = (): string => join(root, `case${n++}`, 'birthday-ha-patroni4')

const writeTree = async (target: string, files: readonly string[] = PATRONI4_FILES): Promise<void> => {
  for (const file of files) {
    await mkdir(dirname(join(target, file)), { recursive: true })
    await writeFile(join(target, file), '# unpacked\n')
  }
}

interface FakeOptions {
  readonly debs?: readonly string[]
  readonly unpacks?: readonly string[]
  readonly failOn?: string
  /** Runs during `dpkg -x`: what another installer finishing at that moment would leave. */
  readonly meanwhile?: () => Promise<void>
}

/** Stands in for apt-get and dpkg: records each call, "downloads" empty .deb files, "unpacks" the tree. */
const fake = (options: FakeOptions = {}) => {
  const runs: string[] = []
  const logs: string[] = []
  const aptConfigs: string[] = []
  const deps: Patroni4InstallDeps = {
    run: async (command, args, { cwd, env }) => {
      runs.push([command, ...args].join(' '))
      if (options.failOn !== undefined && args.includes(options.failOn)) throw new Error(`E: ${options.failOn} failed`)
      if (env.APT_CONFIG !== undefined) {
        const config = await readFile(env.APT_CONFIG, 'utf8')
        const sources = /Dir::Etc::SourceList "([^"]+)"/.exec(config)?.[1] as string
        aptConfigs.push(`${config}--- ${await readFile(sources, 'utf8')}`)
      }
      if (args[1] === 'download') {
        for (const deb of options.debs ?? ['patroni_4.0.7-3~deb13u1_all.deb', 'python3-ydiff_1.4.2-1_all.deb']) await writeFile(join(cwd, deb), '')
      }
      if (command === 'dpkg' && args[1]?.includes('/patroni_')) {
        await options.meanwhile?.()
        await writeTree(args[2] as string, options.unpacks)
      }
    },
    log: (line) => logs.push(line),
  }
  return { deps, runs, logs, aptConfigs }
}

t.test('fetches through a private apt config, unpacks, keeps the debs; a second run does nothing', async (t) => {
  const dir = freshDir()
  const { deps, runs, logs, aptConfigs } = fake()
  t.equal(await installPatroni4(dir, deps), true)
  t.strictSame(runs.map((r) => r.replace(/\/[^ ]*\.partial-[^/ ]+/g, '<staging>')), [
    'apt-get -q update',
    'apt-get -q download patroni/trixie python3-ydiff/trixie',
    'dpkg -x <staging>/debs/patroni_4.0.7-3~deb13u1_all.deb <staging>',
    'dpkg -x <staging>/debs/python3-ydiff_1.4.2-1_all.deb <staging>',
    '/usr/bin/python3 -m compileall -q <staging>/usr/lib/python3/dist-packages',
  ])
  const config = aptConfigs[0] as string
  t.equal(aptConfigs[1], config, 'update and download use the same configuration')
  t.match(config, /^Dir::Etc::Main "\/dev\/null";\nDir::Etc::Parts "\/[^"]+\.partial-[^"]+\/apt\/etc\/parts";/, 'none of /etc/apt is read')
  for (const key of ['SourceList', 'SourceParts', 'Preferences', 'PreferencesParts']) t.match(config, new RegExp(`Dir::Etc::${key} "[^"]+\\.partial-[^"]+/apt/`), key)
  t.match(config, /Dir::State "[^"]+\/apt\/state";\nDir::State::status "[^"]+\/apt\/state\/status";\nDir::Cache "[^"]+\/apt\/cache";/)
  t.notMatch(config, /"\/(etc|var)\/(apt|lib|cache)/, 'no path of the machine\'s apt')
  t.ok(config.endsWith(`--- ${TRIXIE_SOURCE}\n`), 'the sources list is the one trixie line')
  t.strictSame((await readdir(dir)).sort(), ['debs', 'usr'], 'the apt state is gone; the tree and the debs stay')
  t.strictSame(await readdir(join(dir, 'debs')), ['patroni_4.0.7-3~deb13u1_all.deb', 'python3-ydiff_1.4.2-1_all.deb'])
  t.equal((await stat(dir)).mode & 0o777, 0o755, 'readable by postgres')
  t.strictSame(await readdir(dirname(dir)), ['birthday-ha-patroni4'], 'no staging dir left')
  t.match(logs, [/^fetching patroni, python3-ydiff from Debian 13 \(trixie\) into /, /^Patroni 4 unpacked in .* \(patroni_4\.0\.7-3~deb13u1_all\.deb, python3-ydiff_1\.4\.2-1_all\.deb\)$/])

  const again = fake()
  t.equal(await installPatroni4(dir, again.deps), false)
  t.strictSame([again.runs, again.logs], [[], []], 'idempotent: nothing run')
})

t.test('trixie serving another Patroni: LC_MISSING_PACKAGES, nothing left behind', async (t) => {
  const dir = freshDir()
  await t.rejects(installPatroni4(dir, fake({ debs: ['patroni_4.1.0-1_all.deb', 'python3-ydiff_1.4.2-1_all.deb'] }).deps), {
    code: 'LC_MISSING_PACKAGES', message: 'trixie did not serve patroni 4.0.7 (got patroni_4.1.0-1_all.deb, python3-ydiff_1.4.2-1_all.deb)',
  })
  await t.rejects(installPatroni4(freshDir(), fake({ debs: [] }).deps), { message: 'trixie did not serve patroni 4.0.7 (got nothing)' })
  t.strictSame(await readdir(dirname(dir)), [], 'staging removed')
})

t.test('a failing apt-get keeps the cause; an unpacked tree without its files is refused', async (t) => {
  const dir = freshDir()
  const err = await installPatroni4(dir, fake({ failOn: 'update' }).deps).catch((e: unknown) => e)
  t.match(err, { code: 'LC_MISSING_PACKAGES', message: /^fetching Patroni 4 from trixie into .* failed: E: update failed$/ })
  t.match((err as Error).cause, { message: 'E: update failed' })
  await t.rejects(installPatroni4(dir, fake({ unpacks: ['usr/bin/patroni'] }).deps), {
    code: 'LC_MISSING_PACKAGES', message: /unpacked without usr\/bin\/patroni, usr\/lib\/python3\/dist-packages\/patroni\/__init__.py/,
  })
  t.strictSame(await readdir(dirname(dir)), [])
})

t.test('a dir that holds something else is not overwritten', async (t) => {
  const dir = freshDir()
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'notes.txt'), 'mine')
  const { deps, runs } = fake()
  await t.rejects(installPatroni4(dir, deps), { code: 'LC_MISSING_PACKAGES', message: `${dir} exists but holds no complete Patroni 4 tree; remove it and try again` })
  t.strictSame(runs, [])
  await t.rejects(installPatroni4(join(dir, 'notes.txt', 'sub', 'birthday-ha-patroni4'), deps), {
    code: 'LC_MISSING_PACKAGES', message: /failed: ENOTDIR/,
  }, 'its parent cannot be made')
})

t.test('two installs at once: the one that finishes second keeps the first tree', async (t) => {
  const dir = freshDir()
  const { deps, logs } = fake({ meanwhile: async () => await writeTree(dir) })
  t.equal(await installPatroni4(dir, deps), true)
  t.equal(await readFile(join(dir, 'usr/bin/patroni'), 'utf8'), '# unpacked\n')
  t.notOk((await readdir(dir)).includes('debs'), "the other run's tree, not ours")
  t.strictSame(await readdir(dirname(dir)), ['birthday-ha-patroni4'], 'our staging dir removed')
  t.equal(logs.length, 2)
  const broken = freshDir()
  await t.rejects(installPatroni4(broken, fake({ meanwhile: async () => await writeTree(broken, ['usr/bin/patroni']) }).deps), {
    code: 'LC_MISSING_PACKAGES', message: /failed: ENOTEMPTY|failed: EEXIST/,
  })
})
