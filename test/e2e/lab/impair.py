#!/usr/bin/env python3
"""Delay and random loss between two interfaces, in user space: this kernel has no netem qdisc.

Runs in the lab's middle namespace, where the client's and the server's veth ends are not bridged while it
runs: it copies every Ethernet frame from one to the other after DELAY_MS, dropping LOSS_PERCENT of them at
random, in each direction. Prints "impair ready" once both sockets are bound. Standard library only.
usage: impair.py IF_A IF_B DELAY_MS LOSS_PERCENT
"""
import heapq
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 3
PACKET_OUTGOING = 4
SOL_PACKET = 263
# With a virtio-net header on every frame, the kernel tells us about (and on sending redoes) the offloads of
# frames from the local stacks: segmentation of 64 kB TCP "frames" and checksums not yet computed.
PACKET_VNET_HDR = 15
MAX_QUEUED = 20_000  # frames in flight; beyond this the link is "full" and drops


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    names = sys.argv[1:3]
    delay = float(sys.argv[3]) / 1000
    loss = float(sys.argv[4]) / 100
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sockets = []
    for name in names:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
        s.bind((name, 0))
        s.setblocking(False)
        sockets.append(s)
    peer = {sockets[0]: sockets[1], sockets[1]: sockets[0]}
    queue: list = []  # (due, sequence, socket, frame)
    sequence = 0
    print("impair ready", flush=True)
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        readable, _, _ = select.select(sockets, [], [], timeout)
        for s in readable:
            for _ in range(64):
                try:
                    frame, address = s.recvfrom(70_000)
                except BlockingIOError:
                    break
                if address[2] == PACKET_OUTGOING or random.random() < loss or len(queue) >= MAX_QUEUED:
                    continue
                sequence += 1
                heapq.heappush(queue, (time.monotonic() + delay, sequence, peer[s], frame))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass  # a full or vanished link loses the frame, as a real one would


if __name__ == "__main__":
    main()
