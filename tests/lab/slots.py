"""Which shard a key belongs to under the lab's default distribution, written independently of
controller/proxy's keyslot.c so that tests can check the proxy against it: Redis Cluster's key
slot (CRC16-XMODEM of the key or of its {hash tag}, mod 16384) and the even split of the slots
over three shards s1..s3 that `redis-cli --cluster create` makes."""

SLOTS = 16384


def crc16(data: bytes) -> int:
    """CRC16-XMODEM, as Redis Cluster's keyHashSlot."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def shard_of(key: str) -> str:
    raw = key.encode()
    start = raw.find(b"{")
    if start >= 0:
        end = raw.find(b"}", start + 1)
        if end > start + 1:
            raw = raw[start + 1:end]
    slot = crc16(raw) % SLOTS
    return "s1" if slot <= 5460 else "s2" if slot <= 10922 else "s3"
