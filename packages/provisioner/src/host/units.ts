/** A systemd unit file: its path on the host, its unit name and its text. */
export interface UnitFile {
  readonly path: string
  /** The unit's name, e.g. `birthday-etcd.service`. */
  readonly name: string
  readonly content: string
}

const unit = (name: string, sections: Record<string, readonly string[]>): UnitFile => ({
  path: `/etc/systemd/system/${name}`,
  name,
  content: `${Object.entries(sections)
    .map(([s, lines]) => `[${s}]\n${lines.join('\n')}\n`)
    .join('\n')}`,
})

/**
 * etcd as a `Type=notify` service: it reports ready (sd_notify) once it has joined its cluster.
 *
 * The service environment systemd builds is already clean (no `ETCD_*` unless a unit sets one:
 * systemd.exec(5) "Environment variables in spawned processes"). It must keep `NOTIFY_SOCKET`:
 * an earlier `ExecStart=/usr/bin/env -i …` removed it, etcd never reported ready and
 * `systemctl enable --now` timed out after 90 s on a real Debian 13 host. `UnsetEnvironment=`
 * guards against the variables etcd reads that a manager-wide environment could carry.
 */
export function etcdUnit(): UnitFile {
  return unit('birthday-etcd.service', {
    Unit: ['Description=etcd for birthday-ha (Patroni DCS)', 'After=network-online.target', 'Wants=network-online.target', 'Conflicts=etcd.service'],
    Service: [
      'Type=notify',
      'User=etcd',
      'Group=etcd',
      'UnsetEnvironment=ETCD_ENABLE_V2 ETCD_DATA_DIR ETCD_NAME ETCD_INITIAL_CLUSTER ETCD_INITIAL_CLUSTER_STATE ETCD_LISTEN_CLIENT_URLS ETCD_ADVERTISE_CLIENT_URLS',
      'ExecStart=/usr/bin/etcd --config-file /etc/birthday-ha/etcd.yml',
      'Restart=always',
      'RestartSec=2',
      'TimeoutStartSec=120',
      // nspawn hosts clamp this to their hard limit (20000 on this machine kind); EC2 grants it.
      'LimitNOFILE=65536',
    ],
    Install: ['WantedBy=multi-user.target'],
  })
}

/** Present while the primary region is rebuilt as a standby of the DR host (`rebuildPrimary` until `failBack`). */
export const FOLLOWS_DR = '/etc/birthday-ha/follows-dr'

/**
 * The primary region's own fence: its Patroni does not start while the DR host answers `/primary`
 * 200 (after `promote-dr`), unless it is rebuilt to follow it. Found on the lab: powered on again
 * after the region loss, the old DB hosts' etcd kept the old leader key (etcd renews leases on
 * restart), the old leader took it back, promoted itself and archived a timeline of its own.
 * An unreachable DR host does not block the start (curl answers no 200). ExecCondition= exiting
 * 1 skips the start without failing the unit (systemd.service(5)); `%%` and `$$` are a literal `%` and `$`.
 */
function drFence(drPrimaryUrl: string): string {
  return `ExecCondition=/bin/sh -c 'test -e ${FOLLOWS_DR} || test "$$(curl -s -m 5 -o /dev/null -w %%{http_code} ${drPrimaryUrl})" != 200'`
}

/**
 * PostgreSQL's socket directory (`unix_socket_directories`): `/var/run` is `/run`, a tmpfs, so the unit
 * recreates it on every start (found on a real Debian 13 host: after a power cut + boot, Patroni crash-looped
 * with `'/var/run/birthday-ha' is defined in unix_socket_directories, couldn't create the directory`).
 */
export const SOCKET_DIR = '/var/run/birthday-ha'

/**
 * Patroni as `postgres`; `KillMode=process` so stopping Patroni lets it stop PostgreSQL cleanly.
 *
 * `RuntimeDirectory=` creates the socket directory below /run, owned by `User=`/`Group=`, whenever the unit
 * starts (systemd.exec(5) "RuntimeDirectory="); mode 0700 as before (only `postgres` uses the socket: Patroni,
 * pgBackRest, `sudo -u postgres psql`). `RuntimeDirectoryPreserve=yes`: systemd would otherwise remove the
 * directory when the unit stops, i.e. on every Patroni restart, under a PostgreSQL that may still be running.
 */
export function patroniUnit(o: { readonly fenceWhilePrimary?: string; readonly primaryEndpoint?: boolean } = {}): UnitFile {
  const endpoint = o.primaryEndpoint === true ? ` ${PRIMARY_ENDPOINT_UNIT}` : ''
  return unit('birthday-patroni.service', {
    Unit: ['Description=Patroni for birthday-ha', `After=network-online.target birthday-etcd.service${endpoint}`, `Wants=network-online.target${endpoint}`, 'Conflicts=patroni.service'],
    Service: [
      'Type=simple',
      ...(o.fenceWhilePrimary === undefined ? [] : [drFence(o.fenceWhilePrimary)]),
      'User=postgres',
      'Group=postgres',
      'Environment=HOME=/var/lib/postgresql',
      `RuntimeDirectory=${SOCKET_DIR.slice('/var/run/'.length)}`,
      'RuntimeDirectoryMode=0700',
      'RuntimeDirectoryPreserve=yes',
      'ExecStart=/usr/bin/patroni /etc/birthday-ha/patroni.yml',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'KillMode=process',
      'TimeoutStopSec=60',
      'Restart=on-failure',
      'RestartSec=5',
    ],
    Install: ['WantedBy=multi-user.target'],
  })
}

/** The DR host's endpoint to the primary region's leader (see `renderPrimaryEndpoint`). */
export const PRIMARY_ENDPOINT_UNIT = 'birthday-primary-endpoint.service'

/**
 * HAProxy serving one config of ours, as the `haproxy` user; Debian's own `haproxy.service` (its
 * default config) is disabled by the install script, and stopped by this unit's `Conflicts=`.
 * `-Ws`: master-worker mode with sd_notify, so the unit is ready once the config is loaded and
 * `systemctl reload` (USR2) reloads it without a gap (haproxy(1), "-Ws"). The config is checked
 * before every start.
 */
export function primaryEndpointUnit(configPath: string): UnitFile {
  return unit(PRIMARY_ENDPOINT_UNIT, {
    Unit: ['Description=birthday-ha endpoint to the Patroni leader of the primary region (HAProxy)', 'After=network-online.target', 'Wants=network-online.target', 'Conflicts=haproxy.service'],
    Service: [
      'Type=notify',
      'User=haproxy',
      'Group=haproxy',
      `ExecStartPre=/usr/sbin/haproxy -c -q -f ${configPath}`,
      `ExecStart=/usr/sbin/haproxy -Ws -f ${configPath}`,
      'ExecReload=/bin/kill -USR2 $MAINPID',
      'KillMode=mixed',
      'Restart=always',
      'RestartSec=2',
    ],
    Install: ['WantedBy=multi-user.target'],
  })
}

/** The hello service: drains on SIGTERM (the unit gives it time to). */
export function appUnit(stopTimeoutSeconds: number): UnitFile {
  return unit('birthday-app.service', {
    Unit: ['Description=birthday-ha hello service', 'After=network-online.target', 'Wants=network-online.target'],
    Service: [
      'Type=simple',
      'User=birthday',
      'Group=birthday',
      'EnvironmentFile=/etc/birthday-ha/app.env',
      'WorkingDirectory=/opt/birthday/current',
      'ExecStart=/opt/node/bin/node /opt/birthday/current/main.js',
      'KillSignal=SIGTERM',
      `TimeoutStopSec=${stopTimeoutSeconds}`,
      'Restart=on-failure',
      'RestartSec=2',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
    ],
    Install: ['WantedBy=multi-user.target'],
  })
}

/**
 * A daily full pgBackRest backup that only runs on the current Patroni leader. `restUrl` is this
 * node's own Patroni REST address (it listens on the host's address, not on 127.0.0.1).
 */
export function backupUnits(stanza: string, restUrl: string): readonly UnitFile[] {
  return [
    unit('birthday-backup.service', {
      Unit: ['Description=pgBackRest backup of birthday-ha (leader only)'],
      Service: [
        'Type=oneshot',
        'User=postgres',
        // Runs only where Patroni says this node is the primary.
        `ExecCondition=/usr/bin/curl -sf -m 5 -o /dev/null ${restUrl}/primary`,
        `ExecStart=/usr/bin/pgbackrest --stanza=${stanza} --type=full backup`,
      ],
    }),
    unit('birthday-backup.timer', {
      Unit: ['Description=daily pgBackRest backup'],
      Timer: ['OnCalendar=*-*-* 03:15:00', 'RandomizedDelaySec=600', 'Persistent=true'],
      Install: ['WantedBy=timers.target'],
    }),
  ]
}
