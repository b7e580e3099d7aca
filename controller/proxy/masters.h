/*
 * masters: where each shard's master is, as redisha-proxy sees it — read
 * from the pinned rh_shards map that redishad writes (DESIGN.md §4: the
 * maps are the one source of truth), or, with --static-topology, from the
 * `master` option of each shard in the config. Each worker thread keeps
 * its own copy and refreshes it every MASTERS_POLL_MS.
 */
#ifndef REDISHA_MASTERS_H
#define REDISHA_MASTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "datapath.h"

#define MASTERS_POLL_MS 10
#define MASTERS_REOPEN_MS 1000 /* retry opening, or check, the pins this often */

struct master {
	uint32_t addr;	     /* network order */
	uint16_t port;	     /* network order */
	uint32_t generation; /* rh_shard.generation; 0: none known */
	bool up;	     /* a master to send to */
};

struct masters {
	const struct config *cfg;
	bool is_static;
	struct datapath dp;
	bool dp_open;
	uint64_t next_open_ms;
	uint64_t next_pin_check_ms; /* datapath_pin_current, once a second */
	bool warned; /* the missing pins were logged once */
	struct master shard[RH_MAX_SHARDS];
};

/*
 * Start with `cfg`'s shards. Static: from each shard's `master` (every
 * shard has one: main.c checks it). Pinned: the pins may not exist yet
 * (redishad not started): shards stay down until they do.
 */
void masters_init(struct masters *m, const struct config *cfg, bool is_static);

/* Re-read the map; call changed(ctx, shard) for every shard whose master,
 * generation or state differs from the last read. */
void masters_refresh(struct masters *m, void (*changed)(void *ctx, size_t shard),
		     void *ctx);

void masters_close(struct masters *m);

#endif /* REDISHA_MASTERS_H */
