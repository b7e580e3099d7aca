/*
 * statefile: redisha-ctl's reader of the state file redishad rewrites every
 * second (controller/redishad/state.h has the writer and the format):
 * shard names and ports, Sentinel reachability, failovers, redishad's pid.
 * The maps know none of these. Unknown records are skipped, so redishad
 * may add some without breaking an older redisha-ctl.
 */
#ifndef REDISHA_CTL_STATEFILE_H
#define REDISHA_CTL_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "redisha/abi.h"

#define STATEFILE_DIR "/run/redisha"
#define STATEFILE_VERSION 1
#define STATEFILE_MAX_SENTINELS 16 /* CONFIG_MAX_SENTINELS */
#define STATEFILE_ADDR_MAX 48	   /* "ip:port" and its NUL */

struct statefile_shard {
	unsigned int id; /* index into rh_shards */
	char name[RH_SHARD_NAME_MAX];
	unsigned int port; /* the shard's port on the VIPs */
};

struct statefile_sentinel {
	char addr[STATEFILE_ADDR_MAX];
	bool up;
};

struct statefile {
	long pid;
	long long updated; /* Unix seconds of the last rewrite */
	bool active;
	size_t nshards;
	struct statefile_shard shards[RH_MAX_SHARDS];
	size_t nsentinels;
	struct statefile_sentinel sentinels[STATEFILE_MAX_SENTINELS];
	unsigned long long failovers;
	/* redishad's VRRP election, when it runs one (has_vrrp) */
	bool has_vrrp;
	char vrrp_state[8];	       /* INIT, BACKUP, MASTER */
	unsigned int vrrp_priority;
	char vrrp_master[16];	       /* dotted quad, or "-" if unknown */
};

/* STATEFILE_DIR/<instance>.state into `path`. */
void statefile_path(const char *instance, char *path, size_t len);

/*
 * Read the state file of `instance`. Returns 0, -ENOENT when there is
 * none (redishad never ran, or stopped cleanly), or another negative errno
 * (-EINVAL for a malformed line, with its number) with `err` filled.
 */
int statefile_read(const char *instance, struct statefile *st, char *err,
		   size_t errlen) __attribute__((warn_unused_result));

/* The same from an open stream; `name` labels errors. */
int statefile_parse(FILE *f, const char *name, struct statefile *st,
		    char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Whether `pid` is a live (not zombie) redishad: a pid that a crashed
 * redishad left behind may since belong to another program. */
bool statefile_pid_alive(long pid);

/* The shard with map id `id`, or NULL. */
const struct statefile_shard *statefile_shard_by_id(const struct statefile *st,
						    unsigned int id);

/* The shard named `name`, or NULL. */
const struct statefile_shard *
statefile_shard_by_name(const struct statefile *st, const char *name);

/* Sentinels marked up. */
size_t statefile_sentinels_up(const struct statefile *st);

#endif /* REDISHA_CTL_STATEFILE_H */
