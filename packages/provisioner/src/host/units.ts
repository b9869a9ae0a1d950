/** A systemd unit file: its path on the host and its text. */
export interface UnitFile {
  readonly path: string
  readonly content: string
}

const unit = (name: string, sections: Record<string, readonly string[]>): UnitFile => ({
  path: `/etc/systemd/system/${name}`,
  content: `${Object.entries(sections)
    .map(([s, lines]) => `[${s}]\n${lines.join('\n')}\n`)
    .join('\n')}`,
})

/** etcd with a clean environment (stray `ETCD_*` variables can make it exit). */
export function etcdUnit(): UnitFile {
  return unit('birthday-etcd.service', {
    Unit: ['Description=etcd for birthday-ha (Patroni DCS)', 'After=network-online.target', 'Wants=network-online.target'],
    Service: [
      'Type=notify',
      'User=etcd',
      'Group=etcd',
      'ExecStart=/usr/bin/env -i /usr/bin/etcd --config-file /etc/birthday-ha/etcd.yml',
      'Restart=always',
      'RestartSec=2',
      'LimitNOFILE=65536',
    ],
    Install: ['WantedBy=multi-user.target'],
  })
}

/** Patroni as `postgres`; `KillMode=process` so stopping Patroni lets it stop PostgreSQL cleanly. */
export function patroniUnit(): UnitFile {
  return unit('birthday-patroni.service', {
    Unit: ['Description=Patroni for birthday-ha', 'After=network-online.target birthday-etcd.service', 'Wants=network-online.target'],
    Service: [
      'Type=simple',
      'User=postgres',
      'Group=postgres',
      'Environment=HOME=/var/lib/postgresql',
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

/** A daily full pgBackRest backup that only runs on the current Patroni leader. */
export function backupUnits(stanza: string): readonly UnitFile[] {
  return [
    unit('birthday-backup.service', {
      Unit: ['Description=pgBackRest backup of birthday-ha (leader only)'],
      Service: [
        'Type=oneshot',
        'User=postgres',
        // Runs only where Patroni says this node is the primary.
        'ExecCondition=/usr/bin/curl -sf -o /dev/null http://127.0.0.1:8008/primary',
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
