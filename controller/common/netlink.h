/*
 * netlink: IPv4 addresses of an interface, through rtnetlink (no `ip`).
 *
 * redishad holds each VIP as a local address on loopback (DESIGN.md §5).
 * Every call opens its own NETLINK_ROUTE socket, in the network namespace
 * of the calling thread, and closes it before returning; calls block until
 * the kernel answers (it may wait for the rtnl lock). Addresses are in
 * network byte order. Functions return 0 or a negative errno and, on
 * failure, write the failing call, the address, the interface and the
 * reason (the kernel's extended-ack text when it sent one) into `err`.
 */
#ifndef REDISHA_NETLINK_H
#define REDISHA_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Add `addr_be`/`prefixlen` to interface `ifindex` the way `ip addr add`
 * does: IFA_LOCAL and IFA_ADDRESS both set to the address, scope host for
 * 127.0.0.0/8 and global for anything else (iproute2's default_scope; a
 * global VIP on lo is what lets replies leave from it). The address being
 * there already, with the same prefix, is success: `*existed` (when not
 * NULL) says whether it was, so a restarted daemon can re-add its VIP and
 * log the difference. A prefix length above 32 or the address 0.0.0.0 is
 * -EINVAL.
 */
int nl_addr_add(int ifindex, uint32_t addr_be, uint8_t prefixlen,
		bool *existed, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Remove `addr_be`/`prefixlen` from interface `ifindex`. An address that
 * is not there is success; an interface that is not there is -ENODEV.
 */
int nl_addr_del(int ifindex, uint32_t addr_be, uint8_t prefixlen, char *err,
		size_t errlen) __attribute__((warn_unused_result));

/*
 * 1 if `addr_be` is a local address of interface `ifindex` (any prefix
 * length), 0 if not, or a negative errno: -ENODEV when there is no such
 * interface. Reads the kernel's address dump, filtered to the interface.
 */
int nl_addr_exists(int ifindex, uint32_t addr_be)
	__attribute__((warn_unused_result));

#endif /* REDISHA_NETLINK_H */
