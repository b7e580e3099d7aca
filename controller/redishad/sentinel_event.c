#include "sentinel_event.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 12
#define PAYLOAD_MAX 512 /* Sentinel's longest message is far shorter */

const char *const sentinel_event_channels[SE_COUNT] = {
#define SE_NAME(id, channel) channel,
	SENTINEL_EVENTS(SE_NAME)
#undef SE_NAME
};

int sentinel_addr_parse(const char *ip, const char *port,
			struct sentinel_addr *out)
{
	struct in_addr a;
	unsigned long p;
	char *end;

	/* Digits only: strtoul alone takes signs and leading blanks. */
	if (inet_pton(AF_INET, ip, &a) != 1 || !*port ||
	    strspn(port, "0123456789") != strlen(port))
		return -EINVAL;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || *end || p == 0 || p > 65535)
		return -EINVAL;
	out->ip = a.s_addr;
	out->port = htons((uint16_t)p);
	return 0;
}

const char *sentinel_addr_str(const struct sentinel_addr *a, char *buf,
			      size_t len)
{
	char ip[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, &a->ip, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, len, "%s:%u", ip, ntohs(a->port));
	return buf;
}

static int copy_word(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(dst, src, n + 1);
	return 0;
}

/*
 * Split on single spaces, as Sentinel writes them, into at most MAX_WORDS
 * words; returns their number, or -1 for an empty word (two spaces in a
 * row, a leading or trailing space), which Sentinel never sends.
 */
static int split(char *s, char **words)
{
	int n = 0;

	for (;;) {
		char *space = strchr(s, ' ');

		if (space)
			*space = '\0';
		if (!*s)
			return -1;
		if (n < MAX_WORDS) /* trailing detail (#quorum) is not needed */
			words[n++] = s;
		if (!space)
			return n;
		s = space + 1;
	}
}

static bool known_type(const char *type)
{
	return !strcmp(type, "master") || !strcmp(type, "slave") ||
	       !strcmp(type, "sentinel");
}

int sentinel_event_parse(const char *channel, const char *payload,
			 struct sentinel_event *ev)
{
	char buf[PAYLOAD_MAX], *w[MAX_WORDS];
	struct sentinel_addr master;
	int kind = -1, n;

	for (int i = 0; i < SE_COUNT; i++)
		if (!strcmp(channel, sentinel_event_channels[i]))
			kind = i;
	if (kind < 0 || strlen(payload) >= sizeof(buf))
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum sentinel_event_kind)kind;
	memcpy(buf, payload, strlen(payload) + 1);
	n = split(buf, w);

	/* <name> <old-ip> <old-port> <new-ip> <new-port> */
	if (kind == SE_SWITCH_MASTER)
		return n < 5 || copy_word(ev->master, sizeof(ev->master), w[0]) ||
			       sentinel_addr_parse(w[1], w[2], &ev->instance) ||
			       sentinel_addr_parse(w[3], w[4], &ev->new_master)
			       ? -EINVAL
			       : 0;

	/* <type> <name> <ip> <port> [@ <master> <master-ip> <master-port>] */
	if (n < 4 || !known_type(w[0]) ||
	    copy_word(ev->type, sizeof(ev->type), w[0]) ||
	    sentinel_addr_parse(w[2], w[3], &ev->instance))
		return -EINVAL;
	if (!strcmp(w[0], "master"))
		return copy_word(ev->master, sizeof(ev->master), w[1]);
	if (n < 8 || strcmp(w[4], "@") || sentinel_addr_parse(w[6], w[7], &master))
		return -EINVAL;
	return copy_word(ev->master, sizeof(ev->master), w[5]);
}

size_t sentinel_majority(const struct sentinel_addr *answers, size_t n,
			 struct sentinel_addr *winner)
{
	for (size_t i = 0; i < n; i++) {
		size_t agree = 0;

		for (size_t j = 0; j < n; j++)
			agree += answers[j].ip == answers[i].ip &&
				 answers[j].port == answers[i].port;
		if (agree * 2 > n) {
			*winner = answers[i];
			return agree;
		}
	}
	return 0;
}
