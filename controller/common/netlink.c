#include "netlink.h"
#include "errmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * Receive buffer. The kernel sizes dump chunks to the reader's last
 * receive buffer (netlink_dump, at least NLMSG_GOODSIZE <= 8 KiB), and our
 * acks are small: NETLINK_CAP_ACK leaves out the echoed request. Anything
 * larger is reported as -EMSGSIZE, never read in part.
 */
#define NL_BUF_SIZE 8192
/* Room for the attributes of one request: IFA_LOCAL and IFA_ADDRESS. */
#define NL_REQ_ATTRS 32
/* Every call has a socket of its own, so one sequence number will do. */
#define NL_SEQ 1
/* A dump that raced an address change (NLM_F_DUMP_INTR) is read again. */
#define NL_DUMP_TRIES 3
/* "lo (ifindex 1)", or "ifindex 7" for an index with no interface. */
#define NL_IFDESC_MAX (IF_NAMESIZE + 32)
/* "RTM_NEWADDR 198.18.0.100/32 on <ifdesc>" */
#define NL_WHAT_MAX (NL_IFDESC_MAX + 64)

struct addr_req {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[NL_REQ_ATTRS];
};

/* "<call> <addr>/<prefixlen> on <interface>", the subject of each error. */
static void describe_req(const char *call, int ifindex, uint32_t addr_be,
			 uint8_t prefixlen, char *buf, size_t len)
{
	char ifdesc[NL_IFDESC_MAX], ip[INET_ADDRSTRLEN];

	errmsg_iface(ifindex, ifdesc, sizeof(ifdesc));
	/* inet_ntop cannot fail on AF_INET with a buffer this size. */
	inet_ntop(AF_INET, &addr_be, ip, sizeof(ip));
	snprintf(buf, len, "%s %s/%u on %s", call, ip, prefixlen, ifdesc);
}

/* Append one attribute; -EMSGSIZE if the request has no room left. */
static int put_attr(struct addr_req *req, unsigned short type,
		    const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct rtattr *rta = (struct rtattr *)((char *)req + off);

	if (off + RTA_SPACE(len) > sizeof(*req))
		return -EMSGSIZE;
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

/*
 * A NETLINK_ROUTE socket in the caller's namespace, or a negative errno
 * with `err` filled. Extended acks give the kernel's reason as text; strict
 * checking makes the kernel filter dumps by ifa_index (Linux 4.20+) and
 * refuse an unknown one instead of returning everything.
 */
static int open_socket(const char *what, char *err, size_t errlen)
{
	static const int opts[] = { NETLINK_CAP_ACK, NETLINK_EXT_ACK,
				    NETLINK_GET_STRICT_CHK };
	static const char *const names[] = { "NETLINK_CAP_ACK",
					     "NETLINK_EXT_ACK",
					     "NETLINK_GET_STRICT_CHK" };
	int one = 1, fd, r;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return errmsg_fail(err, errlen, errno,
			    "%s: socket(AF_NETLINK, NETLINK_ROUTE): %s", what,
			    strerror(errno));
	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++) {
		if (setsockopt(fd, SOL_NETLINK, opts[i], &one, sizeof(one))) {
			r = errmsg_fail(err, errlen, errno, "%s: setsockopt(%s): %s",
				 what, names[i], strerror(errno));
			close(fd);
			return r;
		}
	}
	return fd;
}

static int send_req(int fd, const struct addr_req *req, const char *what,
		    char *err, size_t errlen)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(fd, req, req->nh.nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errmsg_fail(err, errlen, errno, "%s: sendto: %s", what,
			    strerror(errno));
	/* Netlink datagrams go whole or not at all. */
	if ((size_t)n != req->nh.nlmsg_len)
		return errmsg_fail(err, errlen, EIO,
			    "%s: sendto: sent %zd of %u bytes", what, n,
			    req->nh.nlmsg_len);
	return 0;
}

/*
 * Read one datagram from the kernel into `buf` (NL_BUF_SIZE bytes): its
 * length, or a negative errno with `err` filled. Datagrams from other
 * sockets (only a CAP_NET_ADMIN process can send them) are skipped.
 */
static ssize_t recv_msg(int fd, void *buf, const char *what, char *err,
			size_t errlen)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = buf, .iov_len = NL_BUF_SIZE };
	struct msghdr msg = { .msg_name = &from, .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		msg.msg_namelen = sizeof(from);
		n = recvmsg(fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errmsg_fail(err, errlen, errno, "%s: recvmsg: %s", what,
				    strerror(errno));
		if (msg.msg_flags & MSG_TRUNC)
			return errmsg_fail(err, errlen, EMSGSIZE,
				    "%s: recvmsg: reply larger than %d bytes",
				    what, NL_BUF_SIZE);
		if (from.nl_pid == 0)
			return n;
	}
}

/*
 * The kernel's extended-ack text in an NLMSG_ERROR message, or "" if it
 * sent none. `nh` has already been checked to hold a struct nlmsgerr.
 */
static const char *ext_ack_msg(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *nla;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	/* Without NLM_F_CAPPED the kernel echoed our whole request first. */
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= nh->nlmsg_len) {
		nla = (const struct nlattr *)((const char *)nh + off);
		if (nla->nla_len < NLA_HDRLEN ||
		    off + nla->nla_len > nh->nlmsg_len)
			break;
		if (nla->nla_type == NLMSGERR_ATTR_MSG &&
		    nla->nla_len > NLA_HDRLEN &&
		    ((const char *)nla)[nla->nla_len - 1] == '\0')
			return (const char *)nla + NLA_HDRLEN;
		off += NLA_ALIGN(nla->nla_len);
	}
	return "";
}

/*
 * The outcome carried by an NLMSG_ERROR message: 0 for an ack, 1 when the
 * kernel refused with `tolerated` (an errno the caller counts as done),
 * else a negative errno with `err` filled.
 */
static int read_ack(const struct nlmsghdr *nh, int tolerated,
		    const char *what, char *err, size_t errlen)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	const char *text;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return errmsg_fail(err, errlen, EBADMSG, "%s: short NLMSG_ERROR",
			    what);
	if (e->error == 0)
		return 0;
	if (e->error > 0 || e->error < -4095)
		return errmsg_fail(err, errlen, EBADMSG,
			    "%s: NLMSG_ERROR with error %d", what, e->error);
	if (-e->error == tolerated)
		return 1;
	text = ext_ack_msg(nh);
	return errmsg_fail(err, errlen, -e->error, "%s: %s%s%s", what,
		    strerror(-e->error), *text ? ": " : "", text);
}

/*
 * Send `req` (which asks for an ack) and read the ack: 0, 1 for the
 * `tolerated` errno, or a negative errno with `err` filled.
 */
static int transact(struct addr_req *req, int tolerated, const char *what,
		    char *err, size_t errlen)
{
	_Alignas(struct nlmsghdr) char buf[NL_BUF_SIZE];
	struct nlmsghdr *nh;
	int len;
	ssize_t n;
	int fd, r;

	fd = open_socket(what, err, errlen);
	if (fd < 0)
		return fd;
	r = send_req(fd, req, what, err, errlen);
	/* Only the ack comes back (no NLM_F_ECHO), but read until it does. */
	while (!r) {
		n = recv_msg(fd, buf, what, err, errlen);
		if (n < 0) {
			r = (int)n;
			break;
		}
		len = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq == NL_SEQ &&
			    nh->nlmsg_type == NLMSG_ERROR) {
				r = read_ack(nh, tolerated, what, err, errlen);
				goto out;
			}
		}
	}
out:
	close(fd);
	return r;
}

static int build_addr_req(struct addr_req *req, uint16_t type, uint16_t flags,
			  int ifindex, uint32_t addr_be, uint8_t prefixlen)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(req->ifa));
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = flags;
	req->nh.nlmsg_seq = NL_SEQ;
	req->ifa.ifa_family = AF_INET;
	req->ifa.ifa_prefixlen = prefixlen;
	req->ifa.ifa_index = (uint32_t)ifindex;
	/* iproute2's default_scope: host only for 127.0.0.0/8. The kernel
	 * ignores the scope of a delete, `ip` sends the same value anyway. */
	req->ifa.ifa_scope = (ntohl(addr_be) >> 24) == 127 ? RT_SCOPE_HOST :
							      RT_SCOPE_UNIVERSE;
	/* Without a peer, IFA_ADDRESS is the address itself, as `ip` sends
	 * it; the kernel matches both when deleting. */
	if (put_attr(req, IFA_LOCAL, &addr_be, sizeof(addr_be)) ||
	    put_attr(req, IFA_ADDRESS, &addr_be, sizeof(addr_be)))
		return -EMSGSIZE;
	return 0;
}

static int change_addr(uint16_t type, uint16_t flags, int tolerated,
		       int ifindex, uint32_t addr_be, uint8_t prefixlen,
		       char *err, size_t errlen)
{
	const char *call = type == RTM_NEWADDR ? "RTM_NEWADDR" : "RTM_DELADDR";
	char what[NL_WHAT_MAX];
	struct addr_req req;

	describe_req(call, ifindex, addr_be, prefixlen, what, sizeof(what));
	if (prefixlen > 32)
		return errmsg_fail(err, errlen, EINVAL,
			    "%s: prefix length above 32", what);
	/* The kernel acks 0.0.0.0 and adds nothing (__inet_insert_ifa). */
	if (!addr_be)
		return errmsg_fail(err, errlen, EINVAL, "%s: not an address", what);
	if (build_addr_req(&req, type, flags, ifindex, addr_be, prefixlen))
		return errmsg_fail(err, errlen, EMSGSIZE, "%s: request too large",
			    what);
	return transact(&req, tolerated, what, err, errlen);
}

int nl_addr_add(int ifindex, uint32_t addr_be, uint8_t prefixlen,
		bool *existed, char *err, size_t errlen)
{
	/* NLM_F_EXCL makes an existing address an EEXIST, which we count as
	 * done: without it the kernel would also answer 0, and we could not
	 * tell the caller it was already there. */
	int r = change_addr(RTM_NEWADDR,
			    NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
				    NLM_F_EXCL,
			    EEXIST, ifindex, addr_be, prefixlen, err, errlen);

	if (r < 0)
		return r;
	if (existed)
		*existed = r == 1;
	return 0;
}

int nl_addr_del(int ifindex, uint32_t addr_be, uint8_t prefixlen, char *err,
		size_t errlen)
{
	/* EADDRNOTAVAIL: the interface exists, the address is not on it. */
	int r = change_addr(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK,
			    EADDRNOTAVAIL, ifindex, addr_be, prefixlen, err,
			    errlen);

	return r < 0 ? r : 0;
}

/* 1 if `nh` (an RTM_NEWADDR) is `addr_be` on `ifindex`, else 0. */
static int addr_matches(const struct nlmsghdr *nh, int ifindex,
			uint32_t addr_be)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET || ifa->ifa_index != (uint32_t)ifindex)
		return 0;
	len = (int)IFA_PAYLOAD(nh);
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		/* IFA_LOCAL is ours; IFA_ADDRESS is the peer on a p2p link. */
		if (rta->rta_type == IFA_LOCAL &&
		    RTA_PAYLOAD(rta) == sizeof(addr_be) &&
		    !memcmp(RTA_DATA(rta), &addr_be, sizeof(addr_be)))
			return 1;
	}
	return 0;
}

/*
 * One RTM_GETADDR dump: 1 or 0 as nl_addr_exists, -EINTR if the address
 * list changed while the kernel was dumping it, or another negative errno.
 */
static int dump_once(int ifindex, uint32_t addr_be)
{
	_Alignas(struct nlmsghdr) char buf[NL_BUF_SIZE];
	struct addr_req req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
			.nlmsg_type = RTM_GETADDR,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = NL_SEQ },
		/* Strict checking wants every other ifaddrmsg field zero. */
		.ifa = { .ifa_family = AF_INET,
			 .ifa_index = (uint32_t)ifindex },
	};
	int fd, r, found = 0, intr = 0;
	struct nlmsghdr *nh;
	int len;
	ssize_t n;

	fd = open_socket("RTM_GETADDR", NULL, 0);
	if (fd < 0)
		return fd;
	r = send_req(fd, &req, "RTM_GETADDR", NULL, 0);
	while (!r) {
		n = recv_msg(fd, buf, "RTM_GETADDR", NULL, 0);
		if (n < 0) {
			r = (int)n;
			break;
		}
		len = (int)n;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != NL_SEQ)
				continue;
			if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				r = read_ack(nh, 0, "RTM_GETADDR", NULL, 0);
				r = r < 0 ? r : -EBADMSG;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				/* The dump's own error, such as -ENODEV for
				 * an unknown ifa_index, rides in NLMSG_DONE. */
				if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&r, NLMSG_DATA(nh), sizeof(r));
				r = r < 0 ? r : intr ? -EINTR : found;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWADDR &&
			    addr_matches(nh, ifindex, addr_be))
				found = 1;
		}
	}
out:
	close(fd);
	return r;
}

int nl_addr_exists(int ifindex, uint32_t addr_be)
{
	int r = -EINTR;

	for (int i = 0; i < NL_DUMP_TRIES && r == -EINTR; i++)
		r = dump_once(ifindex, addr_be);
	return r;
}
