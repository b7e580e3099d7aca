/*
 * garp: gratuitous ARP for a VIP, sent by redishad on becoming active
 * (DESIGN.md §5) so that neighbours and switches move the VIP to us.
 *
 * Everything acts in the network namespace of the calling thread and needs
 * CAP_NET_RAW. Addresses are in network byte order. Functions return 0 or
 * a negative errno and, on failure, write the failing call, the interface
 * and the reason into `err`.
 */
#ifndef REDISHA_GARP_H
#define REDISHA_GARP_H

#include <stddef.h>
#include <stdint.h>

#define GARP_MAC_LEN 6

/*
 * Send one gratuitous ARP announcing `addr_be` at `mac` out of interface
 * `ifindex` (an Ethernet interface: the front one, not lo where the VIP
 * lives). Opens and closes its own socket; does not block beyond the send.
 * An interface that is down is -ENETDOWN, but a frame lost after the send
 * (a full queue, no carrier) is not reported: the caller sends a burst.
 */
int garp_send(int ifindex, const uint8_t mac[GARP_MAC_LEN], uint32_t addr_be,
	      char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * The Ethernet address of interface `ifindex` into `mac`. An interface
 * that is not Ethernet (lo, a tunnel) is -EAFNOSUPPORT. The index is
 * turned into a name and the name queried, so a rename in between can
 * answer for another interface; call it when the interface is configured.
 */
int garp_iface_mac(int ifindex, uint8_t mac[GARP_MAC_LEN], char *err,
		   size_t errlen) __attribute__((warn_unused_result));

#endif /* REDISHA_GARP_H */
