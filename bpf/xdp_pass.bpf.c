// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * xdp_pass.bpf.c: passes every frame. The lab loads it on the switch-side
 * peer of each gateway veth: the kernel's veth driver only wakes a peer after
 * XDP_TX when that peer runs an XDP program (DESIGN.md §8).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
