/*
 * request: one client command on its way through the proxy — its
 * fragments (the sub-requests sent to backends: one for a single-shard
 * command, one per shard for a split or a fan-out), and the reply made of
 * theirs once all are in (route.h's merge rules). A request stays in its
 * client's queue until its reply is written in order; if the client goes
 * first, the request is orphaned and freed by its last fragment.
 */
#ifndef REDISHA_REQUEST_H
#define REDISHA_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "route.h"

struct request;
struct client;

struct fragment {
	struct request *req;
	struct fragment *next; /* in its backend's queue */
	struct buf reply;
	bool done;
	uint64_t sent_ms; /* when it went to its backend: the reply timeout */
	/* proxy-wait-replicas: a WAIT follows the command; its reply is due
	 * after the command's, which waits in `reply` meanwhile */
	bool wait_due;
	bool command_replied;
};

struct request {
	struct request *next; /* in the client's queue */
	struct client *client; /* NULL once orphaned */
	enum route_merge merge;
	bool wait; /* a write: each fragment followed by WAIT */
	size_t nfrags, pending;
	bool done;
	struct buf reply; /* the whole reply, once done */
	/* MERGE_ARRAY: for each key in request order, its fragment */
	uint32_t *key_frag;
	size_t nkeys;
	size_t shard, nshards; /* MERGE_SCAN: the shard scanned, of how many */
	size_t pick;	       /* MERGE_ANY: the fragment to look at first */
	int cmd;	       /* for stats: index in command_table, or -1 */
	uint64_t start_us;     /* when it was read */
	struct fragment frags[];
};

/* A request with `nfrags` fragments (0: answered at once by the proxy)
 * and room for `nkeys` key slots (MERGE_ARRAY). NULL when out of memory. */
struct request *request_new(struct client *c, enum route_merge merge,
			    size_t nfrags, size_t nkeys);

/* A fragment's reply is in frag->reply (or an error was put there):
 * counts it, and when it was the last, merges the request's reply.
 * Returns true when the request just became done. */
bool request_fragment_done(struct fragment *frag);

/* The request will never reach a backend: its reply is this error. */
int request_fail(struct request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));

void request_free(struct request *req);

/* Free the requests this thread keeps for reuse (at its end). */
void request_cache_clear(void);

#endif /* REDISHA_REQUEST_H */
