"""A fake Redis Sentinel for tests: it speaks RESP on a port and says what it is told to, true or
not, so a test can check how redishad treats a Sentinel that lies or sends garbage.

  fake_sentinel.py --bind ADDR --port PORT [--master NAME=IP:PORT ...] [--publish-file FILE]

It answers SENTINEL get-master-addr-by-name from --master (nil for other names), PING, and
SUBSCRIBE. Once a client has subscribed, it sends, one every 50 ms, each line of --publish-file,
which is a JSON array of RESP values to push as they are (so a test can push malformed messages):
e.g. ["message", "+switch-master", "s2 198.18.1.21 6379 198.18.1.22 6379"].
"""

import argparse
import asyncio
import json


def encode(value):
    """A Python value as RESP2: str -> bulk string, int -> integer, list -> array, None -> nil."""
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, list):
        return b"*%d\r\n" % len(value) + b"".join(encode(v) for v in value)
    data = value.encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


async def read_command(reader):
    """One RESP array of bulk strings, as sent by hiredis; None at EOF."""
    header = await reader.readline()
    if not header:
        return None
    count = int(header[1:])
    args = []
    for _ in range(count):
        length = int((await reader.readline())[1:])
        args.append((await reader.readexactly(length + 2))[:-2].decode())
    return args


class FakeSentinel:
    def __init__(self, masters, pushes):
        self.masters = masters
        self.pushes = pushes

    async def serve(self, reader, writer):
        while (args := await read_command(reader)) is not None:
            name = args[0].upper()
            if name == "SENTINEL" and len(args) == 3 and args[1].lower() == "get-master-addr-by-name":
                writer.write(encode(self.masters.get(args[2])))
            elif name == "PING":
                writer.write(b"+PONG\r\n")
            elif name == "SUBSCRIBE":
                for i, channel in enumerate(args[1:], 1):
                    writer.write(encode(["subscribe", channel, i]))
                await writer.drain()
                for push in self.pushes:
                    await asyncio.sleep(0.05)
                    writer.write(encode(push))
                    await writer.drain()
            else:
                writer.write(b"-ERR unknown command\r\n")
            await writer.drain()
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--master", action="append", default=[])
    parser.add_argument("--publish-file")
    options = parser.parse_args()
    masters = {}
    for spec in options.master:
        name, _, addr = spec.partition("=")
        ip, _, port = addr.rpartition(":")
        masters[name] = [ip, port]
    pushes = json.load(open(options.publish_file)) if options.publish_file else []
    fake = FakeSentinel(masters, pushes)
    server = await asyncio.start_server(fake.serve, options.bind, options.port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
