#!/usr/bin/env node
/* c8 ignore start */ // the entry point of `npm run build:artifact`; buildArtifact itself is unit-tested
import { fileURLToPath } from 'node:url'
import { buildArtifact } from '../artifact/build-artifact.js'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
try {
  const a = await buildArtifact({ serviceDir: `${repo}examples/hello-service`, outDir: `${repo}dist/artifacts` })
  process.stdout.write(`artifact: ${a.file}\nsha256: ${a.sha256}\nversion: ${a.version}\npackages: ${a.packages.length}\n`)
} catch (err) {
  process.stderr.write(`build:artifact: ${(err as Error).message}\n`)
  process.exitCode = 1
}
/* c8 ignore stop */
