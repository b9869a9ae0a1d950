#!/bin/sh
# Installs the host tools the lab needs, once (idempotent; run as root):
#   systemd-container (systemd-nspawn), debootstrap, apt-cacher-ng (the hosts' only way to Debian's
#   mirror), iproute2 (namespaces, veth, bridges, tc netem), nftables (the lab's filters and faults),
#   openssh-client (ssh-keygen for host keys, ssh for the tests), util-linux (mount, nsenter).
# apt-cacher-ng's packaged daemon is not used: the lab runs its own instance with its own config
# (the packaged one maps /debian to a backend that does not resolve here), so the packaged service
# is stopped and kept from starting on boot if the install started it.
set -eu
packages="systemd-container debootstrap apt-cacher-ng iproute2 nftables openssh-client util-linux"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages:$missing; install them with: sudo apt-get update && sudo apt-get install -y $packages" >&2
  exit 1
fi
echo "installing lab tools:$missing"
export DEBIAN_FRONTEND=noninteractive
# Keep packaged daemons (apt-cacher-ng) from starting during the install: policy-rc.d answers 101 = "not allowed".
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ "$had_policy" = 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
fi
trap '[ "$had_policy" = 0 ] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >/dev/null
