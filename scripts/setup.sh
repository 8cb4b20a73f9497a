#!/usr/bin/env bash
# Brings this machine to what `npm start` and `npm test` need: Node >= 20, the Debian packages
# (chromium, ffmpeg, coturn, iproute2, iptables) and node_modules. Idempotent; fast when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

check_node() {
  command -v node >/dev/null || fail "node is not installed: install Node.js 20 or newer"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || fail "Node.js $(node --version) is too old: version 20 or newer is needed"
}

DEBIAN_PACKAGES=(chromium ffmpeg coturn iproute2 iptables)
# The command each package provides, for machines without dpkg.
declare -A PACKAGE_COMMAND=([chromium]=chromium [ffmpeg]=ffmpeg [coturn]=turnserver [iproute2]=ip [iptables]=iptables)

package_present() {
  if command -v dpkg-query >/dev/null; then
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
  else
    PATH="$PATH:/usr/sbin:/sbin" command -v "${PACKAGE_COMMAND[$1]}" >/dev/null
  fi
}

missing_packages() {
  local pkg
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    package_present "$pkg" || printf '%s ' "$pkg"
  done
}

install_debian_packages() {
  local missing
  missing="$(missing_packages)"
  missing="${missing% }"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing Debian packages: ${missing}
  install them as root:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing}"
  fi
  command -v apt-get >/dev/null || fail "missing packages (${missing}) and no apt-get: install them with your package manager"
  say "installing Debian packages: ${missing}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -q --no-install-recommends $missing
  missing="$(missing_packages)"
  [ -z "$missing" ] || fail "still missing after apt-get install: ${missing}"
}

node_modules_current() {
  local stamp=node_modules/.package-lock.json
  [ -f "$stamp" ] || return 1
  [ ! package.json -nt "$stamp" ] || return 1
  [ ! -f package-lock.json ] || [ ! package-lock.json -nt "$stamp" ]
}

# npm warns about every package that wants a newer Node than 20 (EBADENGINE); they work on 20.
quiet_npm() {
  npm "$@" --no-audit --no-fund 2>&1 | { grep -v 'EBADENGINE' || true; }
}

install_node_modules() {
  node_modules_current && return 0
  command -v npm >/dev/null || fail "npm is not installed"
  local log
  log="$(mktemp)"
  if [ ! -f package-lock.json ]; then
    say "installing npm packages (npm install)"
    quiet_npm install
  elif npm ci --no-audit --no-fund >"$log" 2>&1; then
    say "installed npm packages (npm ci)"
  else
    # npm ci refuses a lockfile that lacks optional packages for other platforms; a registry mirror
    # that does not carry them leaves them out of every lockfile it writes. npm install keeps the
    # locked versions and accepts that.
    say "npm ci refused the lockfile ($(grep -m1 -E 'Missing:|npm error code' "$log" | cut -c1-100)); using npm install"
    quiet_npm install
  fi
  rm -f "$log"
  [ -d node_modules ] || fail "npm did not install node_modules"
  touch node_modules/.package-lock.json
}

check_node
install_debian_packages
install_node_modules
say "ready (node $(node --version), chromium, ffmpeg, coturn, iproute2, iptables, node_modules)"
