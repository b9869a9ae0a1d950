// Measures the lab harness: image (cached or built), first boot and warm boot of every host, RAM per idle host.
// Run as root after `npm run build`: node examples/lab/scripts/measure.mjs [name] [slot]
import { readFile } from 'node:fs/promises'
import { loadStack } from '@birthday-ha/provisioner'
import { openLab } from '@birthday-ha/lab'

const r = await loadStack({ file: new URL('../stack.json', import.meta.url).pathname })
if (!r.ok) throw new Error(JSON.stringify(r.issues))
const lab = openLab({ stack: r.stack, id: { name: process.argv[2] ?? 'measure', slot: Number(process.argv[3] ?? 6) } })
const secs = (t) => Math.round((performance.now() - t) / 100) / 10
try {
  await lab.down()
  let t = performance.now()
  const first = await lab.up()
  const firstUp = secs(t)
  await lab.down({ keepDisks: true })
  t = performance.now()
  const warm = await lab.up()
  const warmUp = secs(t)
  await new Promise((res) => setTimeout(res, 20_000)) // let the hosts settle
  const ram = {}
  for (const m of await lab.machines()) {
    const stat = await readFile(`${lab.layout.cgroups(m.name).memory}/memory.stat`, 'utf8')
    const field = (k) => Number(new RegExp(`^total_${k} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0) / 2 ** 20
    ram[m.name] = { rssMiB: Math.round(field('rss')), cacheMiB: Math.round(field('cache')) }
  }
  console.log(JSON.stringify({ image: first.image, firstUp, first: first.seconds, warmUp, warm: warm.seconds, ram, load: (await readFile('/proc/loadavg', 'utf8')).trim() }, null, 2))
} finally {
  await lab.down()
  console.log('teardown', JSON.stringify(await lab.checkTeardown()))
}
