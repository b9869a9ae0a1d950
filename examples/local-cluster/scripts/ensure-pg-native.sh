#!/bin/sh
# Installs pg-native (pg's bindings to the real libpq) for the failover benchmark's libpq baseline, once,
# into a directory of its own: it is not a dependency of any package, because it compiles C++ against
# Debian's libpq-dev and `npm ci` must not need a compiler. The benchmark finds it through NODE_PATH.
# As root it installs the Debian packages the build needs; otherwise it names them and fails.
set -eu
version=3.9.0
dir=${PG_NATIVE_DIR:-/var/cache/birthday-ha-bench/pg-native}
[ -f "$dir/node_modules/pg-native/package.json" ] && [ -n "$(find "$dir/node_modules/libpq/build" -name '*.node' 2>/dev/null)" ] && exit 0
packages="libpq-dev g++ make python3"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "pg-native needs:$missing; install them with: sudo apt-get update && sudo apt-get install -y $packages" >&2
    exit 1
  fi
  echo "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >/dev/null
fi
echo "installing pg-native@$version into $dir"
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
# Build against this Node's own headers when they are installed (no download).
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$node_prefix/include/node/node.h" ] && export npm_config_nodedir="$node_prefix"
npm install --prefix "$dir" --no-audit --no-fund --no-save "pg-native@$version" >/dev/null
