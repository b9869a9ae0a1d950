#!/usr/bin/env node
// Installs the publishable packages as a stranger would, and fails if that does not work:
// packs each one (`npm pack` runs its prepack build), checks the tarball's files (no .tsbuildinfo,
// a LICENSE, the README), installs the tarballs into an empty project outside the workspace
// (their dependencies come from the npm registry), imports each from ESM, type-checks a consumer
// under strict TypeScript without skipLibCheck, and runs the provisioner's bin.
// Run by `npm test` (posttest); `node scripts/test-pack.mjs --keep` leaves the project for a look.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const packages = ['packages/birthday-core', 'packages/http-adapter', 'packages/ha-pg-client', 'packages/provisioner']
const typescript = JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8')).version
const problems = []
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const say = (line) => process.stdout.write(`test-pack: ${line}\n`)

const project = mkdtempSync(join(tmpdir(), 'birthday-ha-consumer-'))
try {
  const tarballs = []
  for (const dir of packages) {
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', project], join(root, dir)))
    const files = packed.files.map((f) => f.path)
    for (const wanted of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
      if (!files.includes(wanted)) problems.push(`${packed.name}: the tarball has no ${wanted}`)
    }
    for (const file of files.filter((f) => f.endsWith('.tsbuildinfo'))) problems.push(`${packed.name}: the tarball holds ${file}`)
    tarballs.push(join(project, packed.filename))
    say(`${packed.filename}: ${files.length} files, ${Math.round(packed.size / 1024)} kB`)
  }

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2))
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, `typescript@${typescript}`, '@types/node@^20.19'], project)
  say(`installed the ${tarballs.length} tarballs into ${project}`)

  // ESM: every entry point loads and has named exports.
  const entries = [...packages.map((dir) => `@birthday-ha/${dir.split('/')[1]}`), '@birthday-ha/provisioner/render']
  writeFileSync(join(project, 'esm.mjs'), `${entries.map((e, i) => `import * as m${i} from '${e}'`).join('\n')}
const modules = { ${entries.map((e, i) => `'${e}': m${i}`).join(', ')} }
for (const [name, module] of Object.entries(modules)) {
  if (Object.keys(module).length === 0) throw new Error(name + ' has no exports')
  console.log(name + ': ' + Object.keys(module).join(', '))
}
`)
  for (const line of run('node', ['esm.mjs'], project).trim().split('\n')) say(`esm  ${line}`)

  // Strict TypeScript, every library's .d.ts checked (no skipLibCheck): TS7016 and friends show here.
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2023', lib: ['ES2023'], module: 'nodenext', moduleResolution: 'nodenext', strict: true,
      noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, verbatimModuleSyntax: true,
      skipLibCheck: false, noEmit: true, types: ['node'],
    },
    files: ['consumer.ts'],
  }, null, 2))
  writeFileSync(join(project, 'consumer.ts'), `${entries.map((e, i) => `import * as m${i} from '${e}'`).join('\n')}
export const loaded: object[] = [${entries.map((_, i) => `m${i}`).join(', ')}]
`)
  try {
    run(join(project, 'node_modules/.bin/tsc'), ['-p', '.'], project)
    say('strict TypeScript (skipLibCheck off) compiles a consumer of every entry point')
  } catch (error) {
    problems.push(`strict TypeScript fails:\n${error.stdout}${error.stderr}`)
  }

  // The provisioner's bin, as npm linked it.
  const version = run(join(project, 'node_modules/.bin/birthday-ha-provision'), ['--version'], project).trim()
  say(`birthday-ha-provision --version: ${version}`)
} catch (error) {
  problems.push(`${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
} finally {
  if (process.argv.includes('--keep')) say(`kept ${project}`)
  else rmSync(project, { recursive: true, force: true })
}

if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`test-pack: ${problem}\n`)
  process.exit(1)
}
say('ok')
