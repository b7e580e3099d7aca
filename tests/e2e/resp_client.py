"""A raw RESP client for the tests that compare bytes, not what a client library makes of them:
it sends a command as a multibulk and returns the exact bytes of one reply, any RESP2 or RESP3
type (redis-py 4.3, Debian 12's, speaks only RESP2)."""

import socket


class RespClient:
    def __init__(self, host, port, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            arg = arg if isinstance(arg, bytes) else str(arg).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
        self.sock.sendall(b"".join(out))

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def _fill(self, need):
        while len(self.buf) < need:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buf += chunk

    def _line_end(self, start):
        while True:
            end = self.buf.find(b"\r\n", start)
            if end >= 0:
                return end
            self._fill(len(self.buf) + 1)

    def _skip(self, pos):
        """The offset after the reply that starts at pos."""
        self._fill(pos + 1)
        end = self._line_end(pos)
        kind, head = self.buf[pos:pos + 1], self.buf[pos + 1:end]
        pos = end + 2
        if kind in b"$=!" and head not in (b"-1", b"?"):
            self._fill(pos + int(head) + 2)
            return pos + int(head) + 2
        if kind in b"*~>%|" and head != b"-1":
            count = int(head) * (2 if kind in b"%|" else 1)
            for _ in range(count):
                pos = self._skip(pos)
            if kind == b"|":  # an attribute comes before the reply it annotates
                pos = self._skip(pos)
        return pos

    def reply(self):
        end = self._skip(0)
        raw, self.buf = self.buf[:end], self.buf[end:]
        return raw
