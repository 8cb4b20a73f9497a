#!/usr/bin/env bash
# `npm run lab` / `npm run bench:lab`: the restricted-network lab (test/e2e/lab/). Needs root (network
# namespaces, iptables, tc), coturn, Chromium and a built player (dist/). The lab itself runs under
# `unshare -n`: the runner has no network of its own; everything it starts lives in the lab's namespaces.
# usage: scripts/lab.sh [--bench] [lab options...]   (LAB_SKIP_BUILD=1: use dist/ as it is)
set -euo pipefail
cd "$(dirname "$0")/.."

entry=test/e2e/lab-runner.ts
if [ "${1:-}" = --bench ]; then
  entry=bench/lab.ts
  shift
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "[lab] the lab makes network namespaces: run it as root (e.g. sudo -E env \"PATH=\$PATH\" npm run lab)" >&2
  exit 1
fi
export PATH="$PATH:/usr/sbin:/sbin"
for tool in ip iptables ss unshare setpriv python3 turnserver /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "[lab] $tool is missing (bash scripts/setup.sh installs coturn, chromium, iproute2, iptables; python3 and setpriv (util-linux) come with Debian)" >&2; exit 1; }
done

if [ "${LAB_SKIP_BUILD:-}" != 1 ] || [ ! -f dist/avatar-player.js ]; then
  npm run --silent build >/dev/null
fi

exec unshare --net -- node --import tsx "$entry" "$@"
