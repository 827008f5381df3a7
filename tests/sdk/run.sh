#!/bin/sh
# run.sh - the SDK's Node unit tests (tests/sdk/*.test.mjs: state handling
# of sdk/ driven by a fake Janus, no browser, no npm packages), for
# `make check`. Skips (77) when node is missing or older than 20.
top="${RTK_TOP_SRCDIR:-$(dirname "$0")/../..}"
command -v node >/dev/null 2>&1 || { echo "node not found: skipping the SDK unit tests"; exit 77; }
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] || { echo "node $major is older than 20: skipping"; exit 77; }
exec node --import "$top"/tests/sdk/no_network.mjs --test "$top"/tests/sdk/*.test.mjs
