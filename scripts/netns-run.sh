#!/usr/bin/env bash
# Runs a command inside a fresh private network namespace: loopback up, plus a veth pair whose end
# av-a holds 10.231.0.1/32, the address Chromium gathers as its ICE host candidate (it never gathers
# loopback). Everything created here dies with the namespace when the command ends.
#
# Nothing can leave: the namespace has no interface but lo and the veth pair, both of whose ends are
# inside it; on top of that, iptables drops every packet that is not sent over lo, so nothing is even
# put on the veth (traffic to 10.231.0.1 itself goes over lo). The default route is there only because
# Chromium, without a media permission, gathers candidates on the interface of the default route alone
# (it asks the kernel which source address a UDP socket "connected" to a public address would use,
# which sends nothing); with no default route it gathers no candidate at all.
set -euo pipefail

readonly TEST_IP=10.231.0.1

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

if [ "${AVATAR_NETNS_INSIDE:-}" != 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    cat >&2 <<EOF
[netns] the browser tests run in a private network namespace, which needs root (unshare -n).
[netns] run as root, e.g.:  sudo -E env "PATH=\$PATH" npm test
EOF
    exit 1
  fi
  command -v unshare >/dev/null || { echo "[netns] unshare (util-linux) is missing" >&2; exit 1; }
  command -v ip >/dev/null || { echo "[netns] ip (Debian package iproute2) is missing" >&2; exit 1; }
  command -v iptables >/dev/null || { echo "[netns] iptables (Debian package iptables) is missing" >&2; exit 1; }
  AVATAR_NETNS_INSIDE=1 exec unshare --net -- bash "$0" "$@"
fi

ip link set lo up
ip link add av-a type veth peer name av-b
# Without IPv6 on the pair, the test address is the only non-loopback candidate.
sysctl -qw net.ipv6.conf.av-a.disable_ipv6=1 net.ipv6.conf.av-b.disable_ipv6=1 2>/dev/null || true
ip link set av-a up
ip link set av-b up
ip addr add "$TEST_IP/32" dev av-a
iptables -P OUTPUT DROP
iptables -A OUTPUT -o lo -j ACCEPT
ip route add default dev av-a src "$TEST_IP"

export AVATAR_TEST_IP="$TEST_IP"
unset AVATAR_NETNS_INSIDE
exec "$@"
