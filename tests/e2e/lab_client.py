"""Client programs the e2e tests run inside rh-client (`ip netns exec rh-client /usr/bin/python3
lab_client.py ...`). Each prints one JSON object on stdout, so the test reads a result, not a log.

  sequential HOST PORT N   N connections one after another, each SET + GET + close
  roundtrip HOST PORT SIZE SET a SIZE-byte random value and GET it back through one connection
  hold HOST PORT           connect and PING; on a line on stdin, PING again and report what happened
"""

import json
import os
import socket
import sys
import time

import redis

TIMEOUT = 5.0


def sequential(host, port, count):
    failures = []
    for i in range(count):
        try:
            client = redis.Redis(host=host, port=port, socket_timeout=TIMEOUT)
            key = f"seq:{i}"
            client.set(key, i)
            if int(client.get(key)) != i:
                failures.append(f"{key}: wrong value")
            client.close()
        except redis.RedisError as error:
            failures.append(f"seq:{i}: {error}")
    return {"count": count, "failures": failures}


def roundtrip(host, port, size):
    value = os.urandom(size)
    client = redis.Redis(host=host, port=port, socket_timeout=TIMEOUT)
    client.set("roundtrip", value)
    return {"size": size, "equal": client.get("roundtrip") == value}


def hold(host, port):
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    sock.sendall(b"PING\r\n")
    first = sock.recv(64).decode()
    print(json.dumps({"first": first, "local": "%s:%d" % sock.getsockname()}), flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    try:
        sock.sendall(b"PING\r\n")
        reply = sock.recv(64)
        outcome = "closed" if not reply else f"reply {reply.decode()!r}"
    except ConnectionResetError:
        outcome = "reset"
    except socket.timeout:
        outcome = "timeout"
    return {"outcome": outcome, "seconds": time.monotonic() - started}


def main():
    command, host, port, *rest = sys.argv[1:]
    if command == "sequential":
        result = sequential(host, int(port), int(rest[0]))
    elif command == "roundtrip":
        result = roundtrip(host, int(port), int(rest[0]))
    elif command == "hold":
        result = hold(host, int(port))
    else:
        sys.exit(f"unknown command {command}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
