// The rendered systemd units, checked by systemd's own parser (`systemd-analyze verify`, from
// Debian's `systemd` package): unknown keys, bad values and missing executables are errors.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import t from 'tap'
import { appUnit, backupUnits, etcdUnit, patroniUnit, primaryEndpointUnit } from '../../src/host/units.js'

const units = [etcdUnit(), patroniUnit(), appUnit(60), ...backupUnits('bday', 'http://10.10.10.10:8008')]
// the DR host's: its Patroni after the endpoint to the primary's leader (one unit name per run)
const drUnits = [patroniUnit({ primaryEndpoint: true }), primaryEndpointUnit('/etc/birthday-ha/primary-endpoint.cfg')]

for (const [what, list] of [['every rendered unit', units], ["the DR host's units", drUnits]] as const) t.test(`systemd-analyze verify accepts ${what}`, { skip: existsSync('/usr/bin/systemd-analyze') ? false : 'needs systemd-analyze (Debian package systemd)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'units-'))
  const files = list.map((u) => {
    // /opt/node is installed by the app hosts' own script, not on this machine: verify the rest of
    // the unit against an executable that exists here.
    const content = existsSync('/opt/node/bin/node') ? u.content : u.content.replaceAll('/opt/node/bin/node', '/usr/bin/env')
    const file = join(dir, basename(u.path))
    writeFileSync(file, content)
    return file
  })
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice' } })
  t.equal(r.status, 0, r.stderr)
  // Warnings ("Unknown key …, ignoring") exit 0: any output at all is a finding.
  t.equal(r.stderr.trim(), '', 'no warnings')
})
