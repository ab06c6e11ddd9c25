#!/usr/bin/env bash
# Runs a command in a network namespace that has only loopback, so a test can never send a packet off
# the machine (the torture corpus and the fuzzer name TEST-NET and example.com hosts).
# Uses a named `ip netns` when root, else an unprivileged `unshare -rn`.
set -euo pipefail

if [ "$(id -u)" -eq 0 ] && ip netns add "fosip-test-$$" 2>/dev/null; then
  ns="fosip-test-$$"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" "$@"
elif unshare -rn true 2>/dev/null; then
  exec unshare -rn sh -c 'ip link set lo up && exec "$@"' sh "$@"
else
  echo "isolated: cannot create a network namespace (need root or unprivileged user namespaces)" >&2
  exit 1
fi
