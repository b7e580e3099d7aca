"""redisha-ctl keyslot against a real nutcracker (DESIGN.md §3): an existing twemproxy pool must
move to redisha with every key on the shard it is on. nutcracker (Debian's) runs in rh-gw1 with a
ketama or modula pool of the lab's three masters, keyed on the names s1 s2 s3, with or without a
hash_tag; keys are written through it, then each key's master (found with EXISTS on every master)
must be the shard that `redisha-ctl keyslot -c FILE KEY` names for a redisha config with the same
pool."""

import json
import shlex
import subprocess
import uuid

import pytest

from gateway import REDISHA_CTL
from nutcracker import LISTEN, MASTERS, Nutcracker, redis_cli

NKEYS = 1000


def redisha_config(path, distribution, hash_name, weights, hash_tag):
    shards = "".join(f"shard {name} port {7001 + i} weight {weight}\n"
                     for i, (name, weight) in enumerate(zip(MASTERS, weights)))
    tag = f'hash-tag "{hash_tag}"\n' if hash_tag else ""
    path.write_text("interface back0\nvip 198.18.0.100\n"
                    f"distribution {distribution} {hash_name}\n{tag}{shards}")
    return path


def keys(run):
    """Plain and non-ASCII keys (bytes >= 0x80 meet nutcracker's signed char), of every length mod
    4 and 12 with a non-ASCII last byte (the tails of hsieh, murmur and jenkins), and keys with
    {tags}: one tag for many keys, a few tags, an empty tag, an unclosed one (the whole key is
    hashed for the last two)."""
    shapes = ("k:{run}:{i}", "user:{{{run}}}:{i}", "clé-{run}-{i}", "{i}{run}",
              "t{{{m}}}:{run}:{i}", "e{{}}{{{run}}}:{i}", "o{{{run}:{i}", "{pad}{run}{i}é")
    return [shapes[i % len(shapes)].format(run=run, i=i, m=i % 17, pad="x" * (i % 13))
            for i in range(NKEYS)]


def holders(all_keys):
    """Each key -> the names of the masters that hold it."""
    found = {key: [] for key in all_keys}
    for name, host in MASTERS.items():
        replies = redis_cli(host, 6379, [f"EXISTS {shlex.quote(key)}" for key in all_keys])
        assert len(replies) == len(all_keys), replies[:5]
        for key, reply in zip(all_keys, replies):
            if reply.strip() == "1":
                found[key].append(name)
    return found


def pool(distribution, hash_name, weights, port, hash_tag=None):
    tag = "-tag" if hash_tag else ""
    return pytest.param(distribution, hash_name, weights, hash_tag, port,
                        id=f"{distribution}-{hash_name}-{''.join(map(str, weights))}{tag}")


@pytest.mark.parametrize("distribution,hash_name,weights,hash_tag,port", [
    pool("ketama", "fnv1a_64", (1, 1, 1), 22121),
    pool("ketama", "md5", (1, 1, 1), 22122),
    pool("ketama", "fnv1a_64", (1, 2, 3), 22123),
    pool("ketama", "hsieh", (1, 1, 1), 22124),
    pool("ketama", "murmur", (1, 2, 3), 22125),
    pool("ketama", "jenkins", (1, 1, 1), 22126),
    pool("modula", "fnv1a_64", (1, 1, 1), 22127),
    pool("modula", "murmur", (1, 2, 3), 22128),
    pool("modula", "jenkins", (3, 1, 2), 22129),
    pool("ketama", "fnv1a_64", (1, 1, 1), 22130, "{}"),
    pool("modula", "hsieh", (2, 1, 1), 22131, "{}"),
])
def test_keys_written_through_nutcracker_are_where_keyslot_says(lab, tmp_path, distribution,
                                                                 hash_name, weights, hash_tag,
                                                                 port):
    run = uuid.uuid4().hex[:8]
    all_keys = keys(run)
    nutcracker = Nutcracker(lab.state, hash_name, weights, port, port + 100,
                            distribution=distribution, hash_tag=hash_tag)
    try:
        replies = redis_cli(LISTEN, port, [f"SET {shlex.quote(key)} v" for key in all_keys])
        assert replies == ["OK"] * NKEYS, [r for r in replies if r != "OK"][:5]
    finally:
        nutcracker.stop()
    conf = redisha_config(tmp_path / "redisha.conf", distribution, hash_name, weights, hash_tag)
    try:
        found = holders(all_keys)
        mismatches, per_shard = [], {name: 0 for name in MASTERS}
        for key in all_keys:
            proc = subprocess.run([str(REDISHA_CTL), "--json", "keyslot", "-c", str(conf), key],
                                  capture_output=True, text=True, timeout=10)
            assert proc.returncode == 0, proc.stderr
            shard = json.loads(proc.stdout)["shard"]
            per_shard[shard] += 1
            if found[key] != [shard]:
                mismatches.append(f"{key}: keyslot {shard}, on {found[key]}")
        assert not mismatches, f"{len(mismatches)} of {NKEYS}: {mismatches[:10]}"
        # Every shard got a share: a ring that sent everything one way would also "match".
        assert all(per_shard.values()), per_shard
    finally:
        for host in MASTERS.values():
            redis_cli(host, 6379, [f"DEL {shlex.quote(key)}" for key in all_keys])


def test_keyslot_slots_distribution(tmp_path):
    conf = tmp_path / "redisha.conf"
    conf.write_text("interface back0\nvip 198.18.0.100\n"
                    "shard s1 port 7001\nshard s2 port 7002\nshard s3 port 7003\n")
    proc = subprocess.run([str(REDISHA_CTL), "keyslot", "-c", str(conf), "foo"],
                          capture_output=True, text=True, timeout=10)
    assert (proc.returncode, proc.stdout) == (0, "foo -> shard s3 (slot 12182)\n"), proc.stderr
    proc = subprocess.run([str(REDISHA_CTL), "--json", "keyslot", "-c", str(conf),
                           "{user1000}.following"], capture_output=True, text=True, timeout=10)
    assert json.loads(proc.stdout) == {"key": "{user1000}.following", "shard": "s1", "slot": 3443}


def test_keyslot_bad_config(tmp_path):
    conf = tmp_path / "redisha.conf"
    conf.write_text("interface back0\nvip 198.18.0.100\nshard s1 port 7001\nbogus 1\n")
    proc = subprocess.run([str(REDISHA_CTL), "keyslot", "-c", str(conf), "foo"],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 1
    assert f"{conf}:4:" in proc.stderr, proc.stderr
