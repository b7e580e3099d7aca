"""Sends one VRRPv3 advertisement to 224.0.0.18 from the namespace it runs in, well formed or
broken in one way, for test_vrrp.py's bad-input test.

usage: vrrp_send.py SRC_ADDR IFNAME VRID PRIORITY VIP good|checksum|ttl|version|count|short"""

import socket
import struct
import sys

GROUP = "224.0.0.18"
PROTO = 112


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def advert(src, vrid, priority, vip, flaw):
    version = 2 if flaw == "version" else 3
    count = 2 if flaw == "count" else 1  # "count": says two addresses, carries one
    body = struct.pack("!BBBBHH4s", version << 4 | 1, vrid, priority, count, 10, 0,
                       socket.inet_aton(vip))
    pseudo = socket.inet_aton(src) + socket.inet_aton(GROUP) + struct.pack("!BBH", 0, PROTO, len(body))
    csum = checksum(pseudo + body)
    if flaw == "checksum":
        csum ^= 0x0101
    body = body[:6] + struct.pack("!H", csum) + body[8:]
    return body[:6] if flaw == "short" else body


def main():
    src, ifname, vrid, priority, vip, flaw = sys.argv[1:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64 if flaw == "ttl" else 255)
    sock.sendto(advert(src, int(vrid), int(priority), vip, flaw), (GROUP, 0))


if __name__ == "__main__":
    main()
