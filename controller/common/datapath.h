/*
 * datapath: the XDP program and its pinned maps, as userspace sees them.
 *
 * Maps are pinned under RH_PIN_ROOT/<instance>/<map name>. Loading reuses
 * pinned maps that are already there, so a new controller (or a reload)
 * takes over the flows, shards and counters of the one before it; tools
 * that only read or edit the maps open the pins. Functions return 0 or a
 * negative errno and, on failure, write the reason into `err`.
 */
#ifndef REDISHA_DATAPATH_H
#define REDISHA_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "redisha/abi.h"

enum datapath_map {
	DP_MAP_CONFIG,
	DP_MAP_SERVICES,
	DP_MAP_SHARDS,
	DP_MAP_ACL,
	DP_MAP_FLOWS,
	DP_MAP_STATS,
	DP_MAP_VIPS,
	DP_MAP_IFACES,
	DP_MAP_TX_PORTS,
	DP_MAP_COUNT
};

/* The abi.h name of each map, which is also its pin's file name. */
extern const char *const datapath_map_names[DP_MAP_COUNT];

#define DATAPATH_PIN_DIR_MAX 128

struct bpf_object;
struct xdp_program;

struct datapath {
	char pin_dir[DATAPATH_PIN_DIR_MAX];
	/* Set by datapath_load only: */
	struct redisha_bpf *skel;
	struct bpf_object *xdp_obj; /* the program again, for libxdp ... */
	struct xdp_program *xdp;    /* ... which attaches it */
	int prog_fd; /* the skeleton's program; -1 unless loaded */
	int fds[DP_MAP_COUNT];
};

/* How the program runs on one interface, as the kernel reports it after
 * datapath_attach. */
struct datapath_attachment {
	bool generic;	   /* generic XDP, else native */
	bool legacy;	   /* alone, not through libxdp's dispatcher */
	unsigned replaced; /* earlier redisha programs taken off */
};

/*
 * Load the XDP program for `instance`, reusing its pinned maps or pinning
 * new ones (bpffs is mounted when missing). Pinned maps of another ABI are
 * refused: their rh_config says which version wrote them.
 */
int datapath_load(struct datapath *dp, const char *instance, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

/* Open the pinned maps of `instance` without loading anything; the
 * devmap, which is not pinned, stays at -1. */
int datapath_open_pinned(struct datapath *dp, const char *instance, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

/* Whether `map`, as `dp` holds it, is still the one pinned: a redishad
 * stopped with --cleanup and started again pins new maps, and descriptors
 * of the old ones go on working on maps that nobody writes any more. */
bool datapath_pin_current(const struct datapath *dp, enum datapath_map map);

/* Close the descriptors; pins and attachments stay. */
void datapath_close(struct datapath *dp);

/*
 * Attach the loaded program to `ifindex` (of the caller's netns) through
 * libxdp's dispatcher, beside other programs there, then take earlier
 * redisha programs off (all on the same maps, so a restart drops nothing).
 * Without dispatcher support libxdp attaches the program alone; a lone
 * earlier redisha program is replaced in one call; any other lone program
 * is left alone and the attach fails (-EBUSY). Only one redisha instance
 * per interface: programs are told apart by name.
 */
int datapath_attach(const struct datapath *dp, int ifindex, bool generic,
		    struct datapath_attachment *got, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Take redisha's programs off `ifindex`, leaving others running; with
 * nothing else there the interface is left without XDP. */
int datapath_detach(int ifindex, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Whether a program this datapath loaded runs on `ifindex` (alone or in
 * libxdp's dispatcher); false also when the kernel cannot be asked (the
 * caller treats both as "not forwarding"). */
bool datapath_attached(const struct datapath *dp, int ifindex);

/* Remove the pins of `instance`; its maps die with their last user. */
int datapath_unpin(const char *instance, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* One element update (readers never see half an entry, DESIGN.md §6). */
int datapath_update(const struct datapath *dp, enum datapath_map map,
		    const void *key, const void *value, char *err,
		    size_t errlen) __attribute__((warn_unused_result));

int datapath_lookup(const struct datapath *dp, enum datapath_map map,
		    const void *key, void *value, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* CLOCK_MONOTONIC in nanoseconds: the clock of rh_config's heartbeat. */
unsigned long long datapath_now_ns(void);

#endif /* REDISHA_DATAPATH_H */
