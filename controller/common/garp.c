#include "garp.h"
#include "errmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Ethernet header and ARP body, unpadded: the driver pads to 60 bytes. */
#define GARP_FRAME_LEN (sizeof(struct ether_header) + sizeof(struct ether_arp))
/* "gw0 (ifindex 3)", or "ifindex 7" for an index with no interface. */
#define GARP_IFDESC_MAX (IF_NAMESIZE + 32)

_Static_assert(sizeof(struct ether_header) == 14, "Ethernet header size");
_Static_assert(sizeof(struct ether_arp) == 28, "ARP over Ethernet size");
_Static_assert(GARP_MAC_LEN == ETH_ALEN, "MAC length");

static const uint8_t broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff };

/*
 * The announcement of RFC 5227 §2.3, in the request form keepalived sends
 * (vrrp_arp.c): ARP op 1 with sender and target protocol address both the
 * VIP, to the broadcast address. Requests update the caches of hosts that
 * ignore unsolicited replies. The target hardware address is "ignored and
 * SHOULD be set to all zeroes" (RFC 5227); keepalived writes ff:..:ff.
 */
static void build_frame(uint8_t *frame, const uint8_t mac[ETH_ALEN],
			uint32_t addr_be)
{
	struct ether_header eth;
	struct ether_arp arp;

	memcpy(eth.ether_dhost, broadcast, ETH_ALEN);
	memcpy(eth.ether_shost, mac, ETH_ALEN);
	eth.ether_type = htons(ETHERTYPE_ARP);

	arp.arp_hrd = htons(ARPHRD_ETHER);
	arp.arp_pro = htons(ETHERTYPE_IP);
	arp.arp_hln = ETH_ALEN;
	arp.arp_pln = sizeof(addr_be);
	arp.arp_op = htons(ARPOP_REQUEST);
	memcpy(arp.arp_sha, mac, ETH_ALEN);
	memcpy(arp.arp_spa, &addr_be, sizeof(addr_be));
	memset(arp.arp_tha, 0, ETH_ALEN);
	memcpy(arp.arp_tpa, &addr_be, sizeof(addr_be));

	memcpy(frame, &eth, sizeof(eth));
	memcpy(frame + sizeof(eth), &arp, sizeof(arp));
}

int garp_send(int ifindex, const uint8_t mac[GARP_MAC_LEN], uint32_t addr_be,
	      char *err, size_t errlen)
{
	uint8_t frame[GARP_FRAME_LEN];
	char ifdesc[GARP_IFDESC_MAX];
	/* Protocol 0 on socket and bind: the socket sends but never queues
	 * received frames, so unread ones cannot pile up. */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = ifindex };
	ssize_t n;
	int fd, r = 0;

	errmsg_iface(ifindex, ifdesc, sizeof(ifdesc));
	/* Index 0 would bind to every interface and fail only at sendto. */
	if (ifindex <= 0)
		return errmsg_fail(err, errlen, EINVAL,
			    "gratuitous ARP on %s: not an interface index",
			    ifdesc);
	build_frame(frame, mac, addr_be);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_fail(err, errlen, errno,
			    "gratuitous ARP on %s: socket(AF_PACKET): %s",
			    ifdesc, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		r = errmsg_fail(err, errlen, errno,
			 "gratuitous ARP on %s: bind(AF_PACKET): %s", ifdesc,
			 strerror(errno));
		goto out;
	}
	/* The destination names the frame's protocol for the kernel. */
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, broadcast, ETH_ALEN);
	do
		n = sendto(fd, frame, sizeof(frame), 0,
			   (struct sockaddr *)&sll, sizeof(sll));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		r = errmsg_fail(err, errlen, errno, "gratuitous ARP on %s: sendto: %s",
			 ifdesc, strerror(errno));
	else if ((size_t)n != sizeof(frame))
		r = errmsg_fail(err, errlen, EIO,
			 "gratuitous ARP on %s: sendto: sent %zd of %zu bytes",
			 ifdesc, n, sizeof(frame));
out:
	close(fd);
	return r;
}

int garp_iface_mac(int ifindex, uint8_t mac[GARP_MAC_LEN], char *err,
		   size_t errlen)
{
	struct ifreq ifr;
	int fd, r = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (ifindex <= 0)
		return errmsg_fail(err, errlen, EINVAL,
			    "ifindex %d: not an interface index", ifindex);
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return errmsg_fail(err, errlen, errno, "if_indextoname ifindex %d: %s",
			    ifindex, strerror(errno));
	/* Any socket answers interface ioctls; a datagram one is cheapest. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_fail(err, errlen, errno,
			    "hardware address of %s (ifindex %d): socket: %s",
			    ifr.ifr_name, ifindex, strerror(errno));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		r = errmsg_fail(err, errlen, errno,
			 "SIOCGIFHWADDR %s (ifindex %d): %s", ifr.ifr_name,
			 ifindex, strerror(errno));
		goto out;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		r = errmsg_fail(err, errlen, EAFNOSUPPORT,
			 "SIOCGIFHWADDR %s (ifindex %d): hardware type %u is "
			 "not Ethernet",
			 ifr.ifr_name, ifindex, ifr.ifr_hwaddr.sa_family);
		goto out;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
out:
	close(fd);
	return r;
}
