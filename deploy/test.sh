#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, lints, type-checks, then runs every test (unit, property,
# conformance, fuzz, integration with real sipp) inside a loopback-only network namespace, under c8.
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/setup.sh
if [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# the native RTP fast path (npm ci builds it; a checkout that changed its source builds it again)
if [ ! -f build/Release/rtp_forwarder.node ] || [ native/rtp-forwarder.c -nt build/Release/rtp_forwarder.node ]; then
  npm run --silent build:native
fi

echo "== build and type check"
npx tsc -p tsconfig.json
echo "== lint"
npm run --silent lint
echo "== tests (isolated network namespace)"
files=$(find dist/test -name '*.test.js' | sort)
bash deploy/isolated.sh npx c8 --reporter=text-summary --exclude 'dist/test/**' --exclude 'dist/bench/**' \
  node --test --test-concurrency=2 --test-timeout=900000 $files
