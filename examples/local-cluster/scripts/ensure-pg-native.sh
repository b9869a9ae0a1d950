#!/bin/sh
# Installs pg-native (pg's bindings to the real libpq) for the failover benchmark's libpq baseline, once,
# into a directory of its own: it is not a dependency of any package, because it compiles C++ against
# Debian's libpq-dev and `npm ci` must not need a compiler. The benchmark finds it through NODE_PATH.
# The Debian packages the build needs come from the repository's scripts/ensure-system-packages.sh (as root it
# installs them; otherwise it names them and fails).
set -eu
version=3.9.0
dir=${PG_NATIVE_DIR:-/var/cache/birthday-ha-bench/pg-native}
[ -f "$dir/node_modules/pg-native/package.json" ] && [ -n "$(find "$dir/node_modules/libpq/build" -name '*.node' 2>/dev/null)" ] && exit 0
sh "$(dirname "$0")/../../../scripts/ensure-system-packages.sh" libpq-dev g++ make python3
echo "installing pg-native@$version into $dir"
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
# Build against this Node's own headers when they are installed (no download).
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$node_prefix/include/node/node.h" ] && export npm_config_nodedir="$node_prefix"
npm install --prefix "$dir" --no-audit --no-fund --no-save "pg-native@$version" >/dev/null
