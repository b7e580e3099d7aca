#!/usr/bin/python3
"""Generate controller/proxy/command_table.c from a real redis-server.

Starts a private redis-server (a unix socket in a temporary directory, no
TCP port, no persistence), asks it COMMAND INFO for every command, and
writes the C table that command.h declares: arity, the CMD_* flags the
proxy uses, key specs, and subcommands, all sorted by name so that
command.c can binary-search them.

Usage: gen_command_table.py [OUTPUT.c] [--redis-server PATH]
Writes to stdout without OUTPUT.c. Same server version, same bytes.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SCRIPT = "controller/proxy/gen_command_table.py"

# COMMAND INFO flag -> command.h bit; flags command.h lacks are ignored.
FLAGS = {
    "write": "CMD_WRITE",
    "readonly": "CMD_READONLY",
    "admin": "CMD_ADMIN",
    "pubsub": "CMD_PUBSUB",
    "noscript": "CMD_NOSCRIPT",
    "blocking": "CMD_BLOCKING",
    "movablekeys": "CMD_MOVABLEKEYS",
    "denyoom": "CMD_DENYOOM",
    "fast": "CMD_FAST",
    "no_auth": "CMD_NO_AUTH",
    "no_multi": "CMD_NO_MULTI",
    "loading": "CMD_LOADING",
    "stale": "CMD_STALE",
}
# The order the bits have in command.h, so the output does not depend on
# the order the server lists flags in.
FLAG_ORDER = list(FLAGS.values())
# command.c merges the keys of a command's specs with this many cursors.
MAX_KEY_SPECS = 8


class RespError(Exception):
    pass


class Resp:
    """Just enough of a RESP2 client for COMMAND INFO and INFO."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.file = self.sock.makefile("rb")

    def close(self):
        self.file.close()
        self.sock.close()

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.file.readline()
        if not line.endswith(b"\r\n"):
            raise RespError("connection closed mid-reply")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)
            if len(data) != n + 2:
                raise RespError("connection closed mid-reply")
            return data[:-2].decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RespError("unexpected reply type %r" % kind)


def start_server(binary, tmp):
    """A redis-server with its unix socket and log in tmp."""
    with open(os.path.join(tmp, "redis.log"), "wb") as log:
        return subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", socket_path(tmp),
             "--save", "", "--appendonly", "no", "--daemonize", "no",
             "--dir", tmp],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def socket_path(tmp):
    return os.path.join(tmp, "redis.sock")


def connect(proc, tmp):
    """A client of the server once it listens (it takes a moment)."""
    deadline = time.monotonic() + 10
    while True:
        if proc.poll() is not None:
            raise RuntimeError("redis-server exited (status %d)"
                               % proc.returncode)
        try:
            return Resp(socket_path(tmp))
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not listen")
            time.sleep(0.05)


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pairs(flat):
    """A RESP2 map (a flat key, value, key, value... array) as a dict."""
    if flat is None or len(flat) % 2:
        raise RespError("expected a map, got %r" % (flat,))
    return dict(zip(flat[0::2], flat[1::2]))


def key_spec(raw):
    """One key spec as (begin fields, find fields, comment).

    command.h has no key spec flags, so the two that change which keys
    Redis's getKeysUsingKeySpecs reports are folded in here. INCOMPLETE
    (MIGRATE's KEYS) makes Redis give up once the spec matched: a find
    of unknown kind does the same. NOT_KEY (shard channels of SPUBLISH,
    SSUBSCRIBE, SUNSUBSCRIBE) is kept as a key: Redis Cluster routes those
    commands by the channel's slot, and so must the proxy.
    """
    spec = pairs(raw)
    bs, fk = pairs(spec["begin_search"]), pairs(spec["find_keys"])
    bss, fks = pairs(bs["spec"]), pairs(fk["spec"])
    if bs["type"] == "index":
        begin = [("begin", "CMD_BEGIN_INDEX"), ("index", bss["index"])]
    elif bs["type"] == "keyword":
        begin = [("begin", "CMD_BEGIN_KEYWORD"),
                 ("keyword", c_string(bss["keyword"])),
                 ("startfrom", bss["startfrom"])]
    else:
        begin = [("begin", "CMD_BEGIN_UNKNOWN")]
    comment = None
    if "incomplete" in spec["flags"]:
        find = [("find", "CMD_FIND_UNKNOWN")]
        comment = "INCOMPLETE in Redis: %s %s" % (
            fk["type"], " ".join("%s %s" % kv for kv in sorted(fks.items())))
    elif fk["type"] == "range":
        find = [("find", "CMD_FIND_RANGE"), ("lastkey", fks["lastkey"]),
                ("keystep", fks["keystep"]), ("limit", fks["limit"])]
    elif fk["type"] == "keynum":
        find = [("find", "CMD_FIND_KEYNUM"), ("keynumidx", fks["keynumidx"]),
                ("firstkey", fks["firstkey"]), ("keystep", fks["keystep"])]
    else:
        find = [("find", "CMD_FIND_UNKNOWN")]
    if dict(find).get("keystep", 1) < 1:
        raise RuntimeError("key step below 1")
    return begin, find, comment


def c_string(s):
    if not all(c.isalnum() or c in "|-_" for c in s):
        raise RuntimeError("unexpected characters in %r" % s)
    return '"%s"' % s


def c_ident(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def command(raw):
    """One COMMAND INFO entry as a dict. The reply is an array: name,
    arity, flags, first key, last key, key step, ACL categories, tips,
    key specs, subcommands."""
    if len(raw) != 10:
        raise RespError("COMMAND INFO entry of %d fields" % len(raw))
    name, arity, flags, _, _, _, _, _, specs, subs = raw
    bits = {FLAGS[f] for f in flags if f in FLAGS}
    return {
        "name": c_string(name.lower())[1:-1],
        "arity": arity,
        "flags": [f for f in FLAG_ORDER if f in bits],
        "specs": [key_spec(s) for s in specs],
        "subs": sorted((command(s) for s in subs), key=sort_key),
    }


def sort_key(cmd):
    # Bytewise, as command.c compares lower-cased names.
    return cmd["name"].encode()


def wrap(out, fields):
    """Append `{ field, field... },` to out in lines of at most 80 columns.
    A field is a list of words; it moves to a new line whole if it fits
    there, else it is broken between words."""
    line = "\t{"
    for i, words in enumerate(fields):
        words = words[:-1] + [words[-1] + (" }," if i == len(fields) - 1
                                           else ",")]
        if line != "\t{" and width(line + " " + " ".join(words)) > 80:
            out.append(line)
            line = "\t "
        for word in words:
            if width(line + " " + word) > 80:
                out.append(line)
                line = "\t   "
            line += " " + word
    out.append(line)


def width(line):
    return len(line.expandtabs(8))


def emit_specs(out, cmd):
    out.append("static const struct command_key_spec ks_%s[] = {"
               % c_ident(cmd["name"]))
    for begin, find, comment in cmd["specs"]:
        if comment:
            out.append("\t/* %s */" % comment)
        wrap(out, [[".%s = %s" % f] for f in begin + find])
    out.append("};")


def emit_entry(out, cmd):
    fields = [['.name = "%s"' % cmd["name"]], [".arity = %d" % cmd["arity"]]]
    if cmd["flags"]:
        fields.append([".flags = " + cmd["flags"][0]] +
                      ["| " + f for f in cmd["flags"][1:]])
    if cmd["specs"]:
        fields.append([".key_specs = ks_" + c_ident(cmd["name"])])
        fields.append([".nkey_specs = %d" % len(cmd["specs"])])
    if cmd["subs"]:
        fields.append([".subcommands = sub_" + c_ident(cmd["name"])])
        fields.append([".nsubcommands = %d" % len(cmd["subs"])])
    wrap(out, fields)


def generate(commands, version):
    out = [
        "/*",
        " * GENERATED by %s from the COMMAND INFO of" % SCRIPT,
        " * redis-server %s. Do not edit by hand: regenerate with" % version,
        " *   /usr/bin/python3 %s \\" % SCRIPT,
        " *     controller/proxy/command_table.c",
        " * Key specs flagged INCOMPLETE have an unknown find here, and those",
        " * flagged NOT_KEY (shard channels) are kept: see key_spec() there.",
        " */",
        '#include "command.h"',
    ]
    for cmd in commands:
        for c in cmd["subs"] + [cmd]:
            if c["specs"]:
                out.append("")
                emit_specs(out, c)
        if cmd["subs"]:
            out.append("")
            out.append("static const struct command_info sub_%s[] = {"
                       % c_ident(cmd["name"]))
            for sub in cmd["subs"]:
                emit_entry(out, sub)
            out.append("};")
    out.append("")
    out.append("const struct command_info command_table[] = {")
    for cmd in commands:
        emit_entry(out, cmd)
    out.append("};")
    out.append("")
    out.append("const size_t command_table_len =")
    out.append("\tsizeof(command_table) / sizeof(command_table[0]);")
    return "\n".join(out) + "\n"


def check(commands):
    """What command.c and the C identifiers here rely on."""
    idents = set()
    for cmd in commands:
        for c in [cmd] + cmd["subs"]:
            if c is not cmd and (c["subs"] or not
                                 c["name"].startswith(cmd["name"] + "|")):
                raise RuntimeError(c["name"] + ": unexpected subcommand")
            if len(c["specs"]) > MAX_KEY_SPECS:
                raise RuntimeError(c["name"] + ": too many key specs")
            if c_ident(c["name"]) in idents:
                raise RuntimeError(c["name"] + ": identifier clash")
            idents.add(c_ident(c["name"]))


def query(binary):
    """(redis_version, COMMAND INFO reply) from a private redis-server."""
    tmp = tempfile.mkdtemp(prefix="gen_command_table.")
    proc = None
    try:
        proc = start_server(binary, tmp)
        client = connect(proc, tmp)
        version = None
        for line in client.call("INFO", "server").splitlines():
            if line.startswith("redis_version:"):
                version = line.split(":", 1)[1]
        reply = client.call("COMMAND", "INFO")
        client.close()
        if version is None:
            raise RespError("INFO server has no redis_version")
        return version, reply
    except (OSError, RuntimeError, RespError):
        log = os.path.join(tmp, "redis.log")
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                sys.stderr.write(f.read())
        raise
    finally:
        if proc is not None:
            stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    binary, output = "redis-server", None
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--redis-server" and args:
            binary = args.pop(0)
        elif output is None and not a.startswith("-"):
            output = a
        else:
            sys.stderr.write(__doc__)
            return 2
    try:
        version, reply = query(binary)
        commands = sorted((command(r) for r in reply), key=sort_key)
        check(commands)
    except (OSError, RuntimeError, RespError, KeyError, ValueError) as e:
        sys.stderr.write("%s: %s\n" % (argv[0], e))
        return 1
    text = generate(commands, version)
    if output is None:
        sys.stdout.write(text)
    else:
        with open(output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
