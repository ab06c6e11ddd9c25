#!/usr/bin/env bash
# Installs the binaries FoSIP's tests drive for real (sipp, redis-server and redis-cli, rtpengine (run in
# userspace by the tests themselves, never as a service), baresip (a real SRTP softphone), tshark to count RTP packets on the wire, promtool
# to check the alert rules, svmap and svwar (sipvicious) to scan the SBC as an attacker would, and the
# tools to isolate them),
# on Debian/Ubuntu.
# Called by deploy/test.sh whenever one is missing; safe to run again.
set -euo pipefail

need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v svmap >/dev/null 2>&1 || need+=(sipvicious)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v rtpengine >/dev/null 2>&1 || need+=(rtpengine-daemon)
command -v baresip >/dev/null 2>&1 || need+=(baresip)

if [ "${#need[@]}" -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get not found; install ${need[*]} by hand" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
