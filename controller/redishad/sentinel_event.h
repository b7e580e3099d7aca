/*
 * sentinel_event: what Sentinel publishes, parsed, and the majority rule.
 * Pure functions on strings: no I/O, so every format and every piece of
 * garbage a Sentinel (or something posing as one) may send is unit-tested.
 */
#ifndef REDISHA_SENTINEL_EVENT_H
#define REDISHA_SENTINEL_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "redisha/abi.h"

#define SENTINEL_EVENTS(X)                                         \
	X(SE_SWITCH_MASTER, "+switch-master")                      \
	X(SE_SDOWN, "+sdown")                                      \
	X(SE_SDOWN_END, "-sdown")                                  \
	X(SE_ODOWN, "+odown")                                      \
	X(SE_ODOWN_END, "-odown")                                  \
	X(SE_SELECTED_SLAVE, "+selected-slave")                    \
	X(SE_SEND_SLAVEOF_NOONE, "+failover-state-send-slaveof-noone") \
	X(SE_PROMOTED_SLAVE, "+promoted-slave")                    \
	X(SE_FAILOVER_END, "+failover-end")                        \
	X(SE_CONVERT_TO_SLAVE, "+convert-to-slave")                \
	X(SE_CONFIG_UPDATE_FROM, "+config-update-from")            \
	X(SE_RESET_MASTER, "+reset-master")

enum sentinel_event_kind {
#define SE_ENUM(id, channel) id,
	SENTINEL_EVENTS(SE_ENUM)
#undef SE_ENUM
	SE_COUNT
};

/* The channel name of each kind, for SUBSCRIBE. */
extern const char *const sentinel_event_channels[SE_COUNT];

/* An IPv4 endpoint, both fields in network order. */
struct sentinel_addr {
	uint32_t ip;
	uint16_t port;
};

struct sentinel_event {
	enum sentinel_event_kind kind;
	char master[RH_SHARD_NAME_MAX]; /* the master (shard) concerned */
	/* The instance the event is about: a master, replica or Sentinel.
	 * For +switch-master: the old master. */
	char type[16]; /* "master", "slave", "sentinel"; "" for switch */
	struct sentinel_addr instance;
	struct sentinel_addr new_master; /* +switch-master only */
};

/*
 * Parse a message published on `channel`. Returns 0, or -EINVAL for an
 * unknown channel or a payload that is not in Sentinel's format (missing
 * fields, bad address or port, oversized name); `ev` is then unspecified.
 */
int sentinel_event_parse(const char *channel, const char *payload,
			 struct sentinel_event *ev)
	__attribute__((warn_unused_result));

/* "ip:port" of `a` into buf (INET_ADDRSTRLEN + 6 bytes suffice). */
const char *sentinel_addr_str(const struct sentinel_addr *a, char *buf,
			      size_t len);

/* Parse the two strings of a get-master-addr-by-name reply. */
int sentinel_addr_parse(const char *ip, const char *port,
			struct sentinel_addr *out)
	__attribute__((warn_unused_result));

/*
 * The address that more than half of the `n` answers name, or none:
 * returns the number of answers that agree on *winner, 0 without a
 * majority. Answers from Sentinels that did not reply are not passed in,
 * so this is a majority of the reachable Sentinels.
 */
size_t sentinel_majority(const struct sentinel_addr *answers, size_t n,
			 struct sentinel_addr *winner);

#endif /* REDISHA_SENTINEL_EVENT_H */
