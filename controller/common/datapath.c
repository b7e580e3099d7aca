#include "datapath.h"
#include "errmsg.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <xdp/libxdp.h>

#include "redisha.skel.h"

const char *const datapath_map_names[DP_MAP_COUNT] = {
	[DP_MAP_CONFIG] = RH_MAP_CONFIG,   [DP_MAP_SERVICES] = RH_MAP_SERVICES,
	[DP_MAP_SHARDS] = RH_MAP_SHARDS,   [DP_MAP_ACL] = RH_MAP_ACL,
	[DP_MAP_FLOWS] = RH_MAP_FLOWS,	   [DP_MAP_STATS] = RH_MAP_STATS,
	[DP_MAP_VIPS] = RH_MAP_VIPS,	   [DP_MAP_IFACES] = RH_MAP_IFACES,
	[DP_MAP_TX_PORTS] = RH_MAP_TX_PORTS,
};

#define BPFFS "/sys/fs/bpf"

/* The XDP function's name: how a redisha program is told apart from
 * others on an interface (one redisha instance per interface). */
#define PROG_NAME "redisha_xdp"
/* libxdp's dispatcher runs at most this many programs. */
#define DISPATCHER_MAX_PROGS 10

/*
 * The devmap is not pinned: the kernel sets BPF_F_RDONLY_PROG on every
 * devmap it creates but refuses that flag at creation, so libbpf can never
 * match a pinned devmap to the object's definition. It only mirrors the
 * configured interfaces, so each load builds it anew; the program it
 * replaces keeps its own until then.
 */
static bool pinned(enum datapath_map m)
{
	return m != DP_MAP_TX_PORTS;
}

static void init(struct datapath *dp)
{
	memset(dp, 0, sizeof(*dp));
	dp->prog_fd = -1;
	for (int i = 0; i < DP_MAP_COUNT; i++)
		dp->fds[i] = -1;
}

static int set_pin_dir(struct datapath *dp, const char *instance, char *err,
		       size_t errlen)
{
	int n = snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s/%s",
			 RH_PIN_ROOT, instance);

	if (n < 0 || (size_t)n >= sizeof(dp->pin_dir))
		return errmsg_fail(err, errlen, ENAMETOOLONG,
			    "instance name too long: %s", instance);
	return 0;
}

/* bpffs is not mounted on every machine (xdp-veth-facts.md). */
static int mount_bpffs(char *err, size_t errlen)
{
	struct statfs st;

	if (statfs(BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, NULL))
		return errmsg_fail(err, errlen, errno, "mount bpffs on %s: %s", BPFFS,
			    strerror(errno));
	return 0;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return errmsg_fail(err, errlen, errno, "mkdir %s: %s", path,
			    strerror(errno));
	return 0;
}

/* The ABI version stored by whoever wrote rh_config (0: nobody yet). */
static int check_abi(const struct datapath *dp, char *err, size_t errlen)
{
	struct rh_config cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(dp->fds[DP_MAP_CONFIG], &zero, &cfg))
		return errmsg_fail(err, errlen, errno, "read %s/%s: %s", dp->pin_dir,
			    RH_MAP_CONFIG, strerror(errno));
	if (cfg.abi_version && cfg.abi_version != RH_ABI_VERSION)
		return errmsg_fail(err, errlen, EPROTO,
			    "%s holds maps of ABI version %u, this build uses %u: "
			    "stop the old redishad and remove the pins "
			    "(redishad --cleanup) before starting this one",
			    dp->pin_dir, cfg.abi_version, RH_ABI_VERSION);
	return 0;
}

/*
 * A second, unloaded instance of the program for libxdp, over the maps the
 * skeleton loaded. libxdp loads it as an extension of its dispatcher (or as
 * a plain XDP program if it falls back), which needs a program it loads
 * itself; the skeleton's own, loaded as XDP, is the one that replaces an
 * earlier redisha attached without the dispatcher (datapath_attach).
 */
static int open_for_libxdp(struct datapath *dp, char *err, size_t errlen)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .prog_name = PROG_NAME);
	struct bpf_map *map;
	size_t size;
	const void *elf = redisha_bpf__elf_bytes(&size);
	long e;
	int r;

	dp->xdp_obj = bpf_object__open_mem(elf, size, NULL);
	if (!dp->xdp_obj)
		return errmsg_fail(err, errlen, errno, "open BPF object: %s",
				   strerror(errno));
	bpf_object__for_each_map(map, dp->xdp_obj) {
		int fd = bpf_map__fd(bpf_object__find_map_by_name(
			dp->skel->obj, bpf_map__name(map)));

		if ((r = bpf_map__reuse_fd(map, fd)))
			return errmsg_fail(err, errlen, -r, "share map %s: %s",
					   bpf_map__name(map), strerror(-r));
	}
	opts.obj = dp->xdp_obj;
	dp->xdp = xdp_program__create(&opts);
	if ((e = libxdp_get_error(dp->xdp))) {
		dp->xdp = NULL;
		return errmsg_fail(err, errlen, (int)-e, "libxdp program %s: %s",
				   PROG_NAME, strerror((int)-e));
	}
	return 0;
}

int datapath_load(struct datapath *dp, const char *instance, char *err,
		  size_t errlen)
{
	char path[DATAPATH_PIN_DIR_MAX + 32];
	struct bpf_map *map;
	int r;

	init(dp);
	if ((r = set_pin_dir(dp, instance, err, errlen)) ||
	    (r = mount_bpffs(err, errlen)) ||
	    (r = make_dir(RH_PIN_ROOT, err, errlen)) ||
	    (r = make_dir(dp->pin_dir, err, errlen)))
		return r;
	dp->skel = redisha_bpf__open();
	if (!dp->skel)
		return errmsg_fail(err, errlen, errno, "open BPF object: %s",
			    strerror(errno));
	/* libbpf reuses a pinned map whose definition matches, else fails.
	 * Only the ABI's maps are pinned, not internal ones like .rodata. */
	for (int i = 0; i < DP_MAP_COUNT; i++) {
		map = bpf_object__find_map_by_name(dp->skel->obj,
						   datapath_map_names[i]);
		if (map && !pinned(i))
			continue;
		if (!map) {
			r = errmsg_fail(err, errlen, ENOENT, "map %s missing",
				 datapath_map_names[i]);
			goto fail;
		}
		/* Cannot truncate: pin_dir is bounded, names are 15 bytes. */
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 datapath_map_names[i]);
		if ((r = bpf_map__set_pin_path(map, path))) {
			errmsg_fail(err, errlen, -r, "pin path %s: %s", path,
			     strerror(-r));
			goto fail;
		}
	}
	if ((r = redisha_bpf__load(dp->skel))) {
		errmsg_fail(err, errlen, -r,
		     "load the XDP program (pins in %s): %s; if the pins are "
		     "from another redisha version, remove them",
		     dp->pin_dir, strerror(-r));
		goto fail;
	}
	dp->prog_fd = bpf_program__fd(dp->skel->progs.redisha_xdp);
	for (int i = 0; i < DP_MAP_COUNT; i++)
		dp->fds[i] = bpf_map__fd(bpf_object__find_map_by_name(
			dp->skel->obj, datapath_map_names[i]));
	if ((r = check_abi(dp, err, errlen)) ||
	    (r = open_for_libxdp(dp, err, errlen)))
		goto fail;
	return 0;
fail:
	datapath_close(dp);
	return r;
}

int datapath_open_pinned(struct datapath *dp, const char *instance, char *err,
			 size_t errlen)
{
	char path[DATAPATH_PIN_DIR_MAX + 32];
	int r;

	init(dp);
	if ((r = set_pin_dir(dp, instance, err, errlen)))
		return r;
	for (int i = 0; i < DP_MAP_COUNT; i++) {
		if (!pinned(i))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
			 datapath_map_names[i]);
		dp->fds[i] = bpf_obj_get(path);
		if (dp->fds[i] < 0) {
			r = errmsg_fail(err, errlen, errno, "open %s: %s", path,
				 strerror(errno));
			datapath_close(dp);
			return r;
		}
	}
	if ((r = check_abi(dp, err, errlen)))
		datapath_close(dp);
	return r;
}

void datapath_close(struct datapath *dp)
{
	/* What libxdp attached stays: it pins the dispatcher's links. */
	xdp_program__close(dp->xdp);
	bpf_object__close(dp->xdp_obj);
	if (dp->skel) {
		/* The skeleton owns the map and program descriptors. */
		redisha_bpf__destroy(dp->skel);
	} else {
		for (int i = 0; i < DP_MAP_COUNT; i++)
			if (dp->fds[i] >= 0)
				close(dp->fds[i]);
	}
	init(dp);
}

static bool ours(const struct xdp_program *prog)
{
	return prog && !strcmp(xdp_program__name(prog), PROG_NAME);
}

/* What runs on `ifindex`: *mp is NULL when nothing does. */
static int query(int ifindex, struct xdp_multiprog **mp, char *err,
		 size_t errlen)
{
	char name[IF_NAMESIZE + 32];
	long e;

	*mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!(e = libxdp_get_error(*mp)))
		return 0;
	*mp = NULL;
	if (e == -ENOENT)
		return 0;
	errmsg_iface(ifindex, name, sizeof(name));
	return errmsg_fail(err, errlen, (int)-e, "query XDP on %s: %s", name,
			   strerror((int)-e));
}

/*
 * Take the redisha programs other than the one with id `keep` (0: all) off
 * `ifindex`, in one atomic swap of libxdp's dispatcher (or of the single
 * program); other programs keep running. *n says how many went.
 */
static int detach_ours(int ifindex, __u32 keep, unsigned *n, char *err,
		       size_t errlen)
{
	struct xdp_program *progs[DISPATCHER_MAX_PROGS], *p = NULL;
	struct xdp_multiprog *mp;
	char name[IF_NAMESIZE + 32];
	int r;

	*n = 0;
	if ((r = query(ifindex, &mp, err, errlen)) || !mp)
		return r;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (ours(p) && xdp_program__id(p) != keep) {
			*n = 1;
			r = xdp_multiprog__detach(mp);
		}
	} else {
		while ((p = xdp_multiprog__next_prog(p, mp)))
			if (ours(p) && xdp_program__id(p) != keep &&
			    *n < DISPATCHER_MAX_PROGS)
				progs[(*n)++] = p;
		if (*n)
			r = xdp_program__detach_multi(progs, *n, ifindex,
						      XDP_MODE_UNSPEC, 0);
	}
	xdp_multiprog__close(mp);
	if (r) {
		errmsg_iface(ifindex, name, sizeof(name));
		return errmsg_fail(err, errlen, -r,
				   "detach the XDP program from %s: %s", name,
				   strerror(-r));
	}
	return 0;
}

/*
 * The skeleton's program in place of `old`, an earlier redisha attached
 * without the dispatcher (the kernel had none, or that redisha predates
 * libxdp): libxdp cannot add a program beside it, and one netlink call
 * swapping the two leaves no moment without a program.
 */
static int replace_single(const struct datapath *dp, int ifindex,
			  bool generic, const struct xdp_program *old)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts,
		    .old_prog_fd = xdp_program__fd(old));
	__u32 flags = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;

	return bpf_xdp_attach(ifindex, dp->prog_fd, flags | XDP_FLAGS_REPLACE,
			      &opts);
}

int datapath_attach(const struct datapath *dp, int ifindex, bool generic,
		    struct datapath_attachment *got, char *err, size_t errlen)
{
	struct xdp_program *single = NULL;
	struct xdp_multiprog *mp;
	char name[IF_NAMESIZE + 32];
	int r;

	memset(got, 0, sizeof(*got));
	errmsg_iface(ifindex, name, sizeof(name));
	if ((r = query(ifindex, &mp, err, errlen)))
		return r;
	if (mp && xdp_multiprog__is_legacy(mp))
		single = xdp_multiprog__main_prog(mp);
	if (single && !ours(single))
		r = errmsg_fail(err, errlen, EBUSY,
				"%s runs XDP program %s (id %u) without libxdp's "
				"dispatcher: unload it, or load it with "
				"xdp-loader so that both can run", name,
				xdp_program__name(single),
				xdp_program__id(single));
	/* Otherwise libxdp adds the program to the dispatcher, beside an
	 * earlier redisha program that keeps running first (on the same
	 * maps) until detach_ours takes it off; or, without a dispatcher,
	 * attaches it alone. */
	else if ((r = single ? replace_single(dp, ifindex, generic, single)
			     : xdp_program__attach(dp->xdp, ifindex,
						   generic ? XDP_MODE_SKB
							   : XDP_MODE_NATIVE,
						   0)))
		r = errmsg_fail(err, errlen, -r, "attach XDP (%s) to %s: %s",
				generic ? "generic" : "native", name,
				strerror(-r));
	got->replaced = single && !r;
	xdp_multiprog__close(mp);
	if (r)
		return r;
	/* What runs now, as the kernel reports it. */
	if ((r = query(ifindex, &mp, err, errlen)))
		return r;
	if (!mp)
		return errmsg_fail(err, errlen, ENOENT,
				   "attach XDP to %s: nothing attached", name);
	got->legacy = xdp_multiprog__is_legacy(mp);
	got->generic = xdp_multiprog__attach_mode(mp) == XDP_MODE_SKB;
	xdp_multiprog__close(mp);
	if (got->legacy)
		return 0;
	return detach_ours(ifindex, xdp_program__id(dp->xdp), &got->replaced,
			   err, errlen);
}

int datapath_detach(int ifindex, char *err, size_t errlen)
{
	unsigned n;

	return detach_ours(ifindex, 0, &n, err, errlen);
}

/* The kernel's id of a program, 0 if it cannot be read. */
static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/* Whether `prog` is one of the two copies `dp` loaded: libxdp's (through
 * the dispatcher, or alone where it has none) or the skeleton's (which
 * replace_single attaches). */
static bool loaded_here(const struct datapath *dp,
			const struct xdp_program *prog)
{
	__u32 id = prog ? xdp_program__id(prog) : 0;

	return id && (id == xdp_program__id(dp->xdp) ||
		      id == prog_id(dp->prog_fd));
}

bool datapath_attached(const struct datapath *dp, int ifindex)
{
	struct xdp_program *p = NULL;
	struct xdp_multiprog *mp;
	char err[256];
	bool found = false;

	if (!dp->xdp || query(ifindex, &mp, err, sizeof(err)) || !mp)
		return false;
	if (xdp_multiprog__is_legacy(mp))
		found = loaded_here(dp, xdp_multiprog__main_prog(mp));
	else
		while (!found && (p = xdp_multiprog__next_prog(p, mp)))
			found = loaded_here(dp, p);
	xdp_multiprog__close(mp);
	return found;
}

/* The kernel's id of a map, 0 if it cannot be read. */
static __u32 map_id(int fd)
{
	struct bpf_map_info info = {0};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

bool datapath_pin_current(const struct datapath *dp, enum datapath_map map)
{
	char path[DATAPATH_PIN_DIR_MAX + 32];
	__u32 held = dp->fds[map] >= 0 ? map_id(dp->fds[map]) : 0;
	int fd;
	bool same;

	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir,
		 datapath_map_names[map]);
	if (!held || (fd = bpf_obj_get(path)) < 0)
		return false;
	same = map_id(fd) == held;
	close(fd);
	return same;
}

int datapath_unpin(const char *instance, char *err, size_t errlen)
{
	struct datapath dp;
	char path[DATAPATH_PIN_DIR_MAX + 32];
	int r;

	init(&dp);
	if ((r = set_pin_dir(&dp, instance, err, errlen)))
		return r;
	for (int i = 0; i < DP_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dp.pin_dir,
			 datapath_map_names[i]);
		if (pinned(i) && unlink(path) && errno != ENOENT)
			return errmsg_fail(err, errlen, errno, "unlink %s: %s", path,
				    strerror(errno));
	}
	if (rmdir(dp.pin_dir) && errno != ENOENT)
		return errmsg_fail(err, errlen, errno, "rmdir %s: %s", dp.pin_dir,
			    strerror(errno));
	return 0;
}

int datapath_update(const struct datapath *dp, enum datapath_map map,
		    const void *key, const void *value, char *err,
		    size_t errlen)
{
	if (bpf_map_update_elem(dp->fds[map], key, value, BPF_ANY))
		return errmsg_fail(err, errlen, errno, "update %s: %s",
			    datapath_map_names[map], strerror(errno));
	return 0;
}

int datapath_lookup(const struct datapath *dp, enum datapath_map map,
		    const void *key, void *value, char *err, size_t errlen)
{
	if (bpf_map_lookup_elem(dp->fds[map], key, value))
		return errmsg_fail(err, errlen, errno, "lookup %s: %s",
			    datapath_map_names[map], strerror(errno));
	return 0;
}

unsigned long long datapath_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull +
	       (unsigned long long)ts.tv_nsec;
}
