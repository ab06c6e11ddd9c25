#!/usr/bin/env bash
# `npm run test:unit`: the tests that need nothing but Node (fake transport, fake clock, real sockets on
# loopback at most): every test outside test/integration/ except those that start redis-server, a node
# process or systemd-analyze. Seconds, not minutes; `npm test` runs them all with the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
files=$(find dist/test -name '*.test.js' -not -path 'dist/test/integration/*' \
  | grep -v -e '^dist/test/state/redis-' -e '^dist/test/state/stats-store' -e '^dist/test/cli/shell' -e '^dist/test/cli/fosip-cli' -e '^dist/test/deploy/' \
  | sort)
exec bash deploy/isolated.sh node --test --test-concurrency=2 "$@" $files
