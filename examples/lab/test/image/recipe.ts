import t from 'tap'
import { bakedRecipe, bakeScript, configureScript, debootstrapCommand, recipeHash, TRIXIE } from '../../src/image/recipe.js'

t.test('the trixie recipe', async (t) => {
  t.equal(TRIXIE.suite, 'trixie')
  for (const p of ['systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'sudo', 'curl', 'ca-certificates', 'python3', 'iproute2']) {
    t.ok(TRIXIE.packages.includes(p), p)
  }
  t.strictSame(debootstrapCommand(TRIXIE, '/x/rootfs').slice(0, 2), ['debootstrap', '--variant=minbase'])
  t.match(debootstrapCommand(TRIXIE, '/x/rootfs')[2], /^--include=systemd,systemd-sysv,/)
  t.strictSame(debootstrapCommand(TRIXIE, '/x/rootfs').slice(3), ['trixie', '/x/rootfs', 'http://deb.debian.org/debian'])
})

t.test('configure script: admin with sudo, Debian sources only, no host identity, no DNS', async (t) => {
  const s = configureScript(TRIXIE)
  t.match(s, 'useradd --create-home --shell /bin/bash --groups sudo admin')
  t.match(s, "'admin ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/admin")
  t.match(s, 'URIs: http://deb.debian.org/debian\nSuites: trixie trixie-updates')
  t.match(s, 'URIs: http://deb.debian.org/debian-security\nSuites: trixie-security')
  t.match(s, 'rm -f /etc/apt/sources.list /etc/ssh/ssh_host_*')
  t.match(s, ': > /etc/machine-id')
  t.match(s, ': > /etc/resolv.conf')
  t.match(s, 'systemctl mask apt-daily.timer apt-daily-upgrade.timer')
})

t.test('the hash keys the cache on everything in the recipe', async (t) => {
  t.match(recipeHash(TRIXIE), /^[0-9a-f]{16}$/)
  t.equal(recipeHash(TRIXIE), recipeHash({ ...TRIXIE }))
  t.not(recipeHash(TRIXIE), recipeHash({ ...TRIXIE, packages: [...TRIXIE.packages, 'vim'] }))
  t.not(recipeHash(TRIXIE), recipeHash({ ...TRIXIE, suite: 'forky' }))
})

t.test('a baked recipe: its own image, the script then what no host may share', async (t) => {
  t.equal(bakeScript(TRIXIE), undefined, 'the plain recipe bakes nothing')
  t.equal(recipeHash(TRIXIE), '7b3e4f27245e62e6', 'the plain image keeps its cache key')
  const baked = bakedRecipe(TRIXIE, 'apt-get install -y postgresql-17')
  t.not(recipeHash(baked), recipeHash(TRIXIE))
  t.not(recipeHash(baked), recipeHash(bakedRecipe(TRIXIE, 'apt-get install -y postgresql-18')))
  const s = bakeScript(baked) as string
  t.match(s, /^set -eu\nexport DEBIAN_FRONTEND=noninteractive\napt-get install -y postgresql-17\napt-get clean\n/)
  t.match(s, 'rm -rf /var/lib/apt/lists/*')
  t.match(s, 'rm -f /etc/ssl/private/ssl-cert-snakeoil.key /etc/ssl/certs/ssl-cert-snakeoil.pem')
})
