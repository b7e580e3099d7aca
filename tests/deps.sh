#!/usr/bin/env bash
# Installs every build and test dependency of redisha from Debian's apt.
# Idempotent: when everything is present it only checks and returns.
# Debian starts a package's service on install; a policy-rc.d that refuses
# every start keeps the fleet's own daemons (redis, sentinel, haproxy,
# keepalived, nutcracker) and prometheus from running outside the lab.
set -euo pipefail

packages=(
	make gcc clang llvm libbpf-dev libxdp-dev xdp-tools bpftool
	libhiredis-dev libelf-dev zlib1g-dev pkg-config linux-libc-dev
	libcmocka-dev
	redis-server redis-sentinel redis-tools nutcracker haproxy keepalived
	iproute2 ethtool procps iputils-ping arping
	nftables # test_vrrp: drops VRRP in one gateway to split the pair
	python3 python3-pytest python3-redis
	# vm-test/: qemu, the guest's initramfs (busybox, modprobe, depmod), xz
	qemu-system-x86 busybox-static kmod xz-utils
	prometheus # promtool: checks redishad's metrics exposition
)

# Debian's init scripts and the pid files they write.
services=(
	"redis-server:/run/redis/redis-server.pid"
	"redis-sentinel:/run/sentinel/redis-sentinel.pid"
	"haproxy:/run/haproxy.pid"
	"keepalived:/run/keepalived.pid"
	"nutcracker:/run/nutcracker/nutcracker.pid"
	"prometheus:/run/prometheus/prometheus.pid"
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$p")
done

if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}"
	policy=/usr/sbin/policy-rc.d
	own_policy=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\n# redisha deps: no service starts during install\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		own_policy=1
	fi
	trap '[[ $own_policy == 1 ]] && rm -f "$policy"' EXIT
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "deps: all ${#packages[@]} packages present"
fi

# Check that no packaged service was left running; stop it if one was.
for entry in "${services[@]}"; do
	name=${entry%%:*}
	pidfile=${entry#*:}
	[[ -s $pidfile ]] || continue
	pid=$(<"$pidfile")
	if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
		echo "deps: Debian's $name service is running (pid $pid); stopping it" >&2
		kill "$pid"
	fi
done
