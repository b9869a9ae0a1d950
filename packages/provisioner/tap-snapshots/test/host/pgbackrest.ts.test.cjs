/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/host/pgbackrest.ts > TAP > pgbackrest.conf for S3 and posix repositories > posix 1`] = `
[global]
repo1-type=posix
repo1-path=/tmp/repo
repo1-retention-full=2
start-fast=y
compress-type=zst
log-level-console=info
log-level-file=detail
log-path=/tmp/log

[bday]
pg1-path=/var/lib/postgresql/15/birthday
pg1-port=5432
pg1-socket-path=/var/run/birthday-ha

`

exports[`test/host/pgbackrest.ts > TAP > pgbackrest.conf for S3 and posix repositories > s3 1`] = `
[global]
repo1-type=s3
repo1-s3-bucket=b
repo1-s3-region=eu-west-1
repo1-s3-endpoint=s3.eu-west-1.amazonaws.com
repo1-s3-key-type=auto
repo1-path=/birthday-ha/bday
repo1-retention-full=2
start-fast=y
compress-type=zst
log-level-console=info
log-level-file=detail

[bday]
pg1-path=/var/lib/postgresql/15/birthday
pg1-port=5432
pg1-socket-path=/var/run/birthday-ha

`

exports[`test/host/pgbackrest.ts > TAP > systemd units > units 1`] = `
# /etc/systemd/system/birthday-etcd.service
[Unit]
Description=etcd for birthday-ha (Patroni DCS)
After=network-online.target
Wants=network-online.target
Conflicts=etcd.service

[Service]
Type=notify
User=etcd
Group=etcd
UnsetEnvironment=ETCD_ENABLE_V2 ETCD_DATA_DIR ETCD_NAME ETCD_INITIAL_CLUSTER ETCD_INITIAL_CLUSTER_STATE ETCD_LISTEN_CLIENT_URLS ETCD_ADVERTISE_CLIENT_URLS
ExecStart=/usr/bin/etcd --config-file /etc/birthday-ha/etcd.yml
Restart=always
RestartSec=2
TimeoutStartSec=120
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target

# /etc/systemd/system/birthday-patroni.service
[Unit]
Description=Patroni for birthday-ha
After=network-online.target birthday-etcd.service
Wants=network-online.target
Conflicts=patroni.service

[Service]
Type=simple
User=postgres
Group=postgres
Environment=HOME=/var/lib/postgresql
RuntimeDirectory=birthday-ha
RuntimeDirectoryMode=0700
RuntimeDirectoryPreserve=yes
ExecStart=/usr/bin/patroni /etc/birthday-ha/patroni.yml
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
TimeoutStopSec=60
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target

# /etc/systemd/system/birthday-app.service
[Unit]
Description=birthday-ha hello service
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=birthday
Group=birthday
EnvironmentFile=/etc/birthday-ha/app.env
WorkingDirectory=/opt/birthday/current
ExecStart=/opt/node/bin/node /opt/birthday/current/main.js
KillSignal=SIGTERM
TimeoutStopSec=60
Restart=on-failure
RestartSec=2
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target

# /etc/systemd/system/birthday-backup.service
[Unit]
Description=pgBackRest backup of birthday-ha (leader only)

[Service]
Type=oneshot
User=postgres
ExecCondition=/usr/bin/curl -sf -m 5 -o /dev/null http://10.10.10.10:8008/primary
ExecStart=/usr/bin/pgbackrest --stanza=bday --type=full backup

# /etc/systemd/system/birthday-backup.timer
[Unit]
Description=daily pgBackRest backup

[Timer]
OnCalendar=*-*-* 03:15:00
RandomizedDelaySec=600
Persistent=true

[Install]
WantedBy=timers.target

`
