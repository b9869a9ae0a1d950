#!/usr/bin/env python3
"""The lab's delay line: the peering link's latency (this kernel has no tc netem).

Reads IP packets from two tun devices and writes each to the other one after
the configured one-way delay. The peering router's policy routing sends the
primary VPC's packets into tun A and the DR VPC's into tun B; what comes out
of the other tun is routed on by the kernel. The delay (milliseconds, one
way, each direction) is read from DELAY_FILE at start and on SIGHUP.

usage: delay-line.py DELAY_FILE TUN_A TUN_B
"""
import fcntl
import heapq
import os
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def read_delay(path):
    try:
        with open(path) as f:
            return max(0.0, float(f.read().strip() or "0") / 1000.0)
    except (OSError, ValueError):
        return 0.0


def main():
    delay_file, tun_a, tun_b = sys.argv[1:4]
    a, b = open_tun(tun_a), open_tun(tun_b)
    other = {a: b, b: a}
    state = {"delay": read_delay(delay_file)}
    signal.signal(signal.SIGHUP, lambda *_: state.update(delay=read_delay(delay_file)))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    queue = []
    seq = 0
    poller = select.poll()
    poller.register(a, select.POLLIN)
    poller.register(b, select.POLLIN)
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(queue)
            try:
                os.write(fd, pkt)
            except OSError:
                pass
        timeout = None if not queue else max(0, int((queue[0][0] - now) * 1000) + 1)
        try:
            events = poller.poll(timeout)
        except InterruptedError:
            continue
        for fd, _ in events:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                except OSError:
                    break
                d = state["delay"]
                if d == 0:
                    try:
                        os.write(other[fd], pkt)
                    except OSError:
                        pass
                else:
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + d, seq, other[fd], pkt))


if __name__ == "__main__":
    main()
