// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* ref_trivial.bpf.c: the bench's floor for any XDP program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ref_trivial(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
