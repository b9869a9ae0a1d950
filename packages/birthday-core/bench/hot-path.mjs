// Micro-benchmark of the hot paths. Build first: npx tsc -b packages/birthday-core
// Run: node packages/birthday-core/bench/hot-path.mjs
import {
  daysUntilBirthday,
  greeting,
  parseDateOfBirth,
  parseUsername,
  todayIn,
} from '../dist/index.js'

const clock = () => 1_718_452_800_000 // 2024-06-15T12:00:00Z
const cases = {
  "parseUsername('alice')": () => parseUsername('alice'),
  "parseUsername('Zoe\\u0308') (NFD input)": () => parseUsername('Zoe\u0308'),
  'parseUsername(64 letters)': ((s) => () => parseUsername(s))('Abcdefgh'.repeat(8)),
  "parseUsername('abc123') (invalid)": () => parseUsername('abc123'),
  "parseDateOfBirth('1990-04-23')": () => parseDateOfBirth('1990-04-23', '2024-06-15'),
  'daysUntilBirthday': () => daysUntilBirthday('2000-02-29', '2023-03-02'),
  'greeting': () => greeting('Zoë', 42),
  "todayIn('Europe/Berlin') (cached zone)": () => todayIn('Europe/Berlin', clock),
}

let sink = 0
for (const [name, fn] of Object.entries(cases)) {
  const n = name.startsWith('todayIn') ? 50_000 : 1_000_000
  for (let i = 0; i < n / 10; i++) sink ^= fn() ? 1 : 0 // warm-up
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) sink ^= fn() ? 1 : 0
  const ns = Number(process.hrtime.bigint() - start) / n
  console.log(`${name.padEnd(42)} ${ns.toFixed(0).padStart(6)} ns/op ${Math.round(1e9 / ns).toLocaleString('en-US').padStart(12)} ops/s`)
}
if (sink === 42) console.log('')
