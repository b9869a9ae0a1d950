// A resolve hook for running the TypeScript sources on Node's own type stripping (Node 24, the
// `test:node24` pass): the sources import each other as `./x.js`, the name they get once compiled,
// and Node looks for exactly that file. When it is missing and `./x.ts` is there, this resolves to it.
// Registered with `--import` (NODE_OPTIONS, so child processes get it too); in-thread, synchronous.
import { existsSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'

registerHooks({
  resolve(specifier, context, nextResolve) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../')
    if (relative && specifier.endsWith('.js') && context.parentURL?.startsWith('file:') === true) {
      if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL)))) {
        const source = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL)
        if (existsSync(fileURLToPath(source))) return nextResolve(source.href, context)
      }
    }
    return nextResolve(specifier, context)
  },
})
