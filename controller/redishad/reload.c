#include "reload.h"

#include <stdio.h>
#include <string.h>

#include "datapath_setup.h"
#include "log.h"

/* Field by field: struct assignment need not copy padding. */
static bool vrrp_changed(const struct config_vrrp *a,
			 const struct config_vrrp *b)
{
	return a->enabled != b->enabled || a->vrid != b->vrid ||
	       a->priority != b->priority || a->advert_ms != b->advert_ms ||
	       a->preempt != b->preempt ||
	       a->track_sentinel_decrement != b->track_sentinel_decrement ||
	       a->npeers != b->npeers ||
	       memcmp(a->peers, b->peers, a->npeers * sizeof(a->peers[0]));
}

/* Whether `next` keeps everything a reload cannot change. */
static int compatible(const struct config *cur, const struct config *next,
		      char *err, size_t errlen)
{
	const char *what = NULL;

	if (strcmp(cur->instance, next->instance))
		what = "instance";
	else if (cur->ninterfaces != next->ninterfaces ||
		 memcmp(cur->interfaces, next->interfaces,
			sizeof(cur->interfaces)))
		what = "interface";
	else if (cur->xdp_mode != next->xdp_mode)
		what = "xdp-mode";
	else if (cur->snat_addr != next->snat_addr ||
		 cur->snat_port_min != next->snat_port_min ||
		 cur->snat_port_max != next->snat_port_max)
		what = "snat-address or snat-ports";
	else if (cur->has_metrics != next->has_metrics ||
		 cur->metrics.addr != next->metrics.addr ||
		 cur->metrics.port != next->metrics.port)
		what = "metrics";
	/* The election runs with the settings it started with: a new VRID
	 * or interval mid-run would be a different virtual router. */
	else if (vrrp_changed(&cur->vrrp, &next->vrrp))
		what = "vrrp, vrrp-peer or vrrp-track-sentinel";
	if (what) {
		snprintf(err, errlen, "%s changed: restart redishad to apply it",
			 what);
		return -1;
	}
	for (size_t i = 0; i < cur->nshards; i++) {
		if (i >= next->nshards ||
		    strcmp(cur->shards[i].name, next->shards[i].name)) {
			snprintf(err, errlen,
				 "shard %s removed or moved: shard ids are positions in the file, so shards can only be added at the end; restart redishad to remove or reorder",
				 cur->shards[i].name);
			return -1;
		}
	}
	return 0;
}

static bool sentinels_changed(const struct config *a, const struct config *b)
{
	return a->nsentinels != b->nsentinels ||
	       memcmp(a->sentinels, b->sentinels, sizeof(a->sentinels)) ||
	       a->reconcile_ms != b->reconcile_ms ||
	       a->sentinel_follow != b->sentinel_follow;
}

int reload_config(struct reload_target *t, char *err, size_t errlen)
{
	static struct config next; /* large: off the stack */
	uint32_t old_vips[RH_MAX_VIPS];
	size_t old_nvips = t->cfg->nvips, old_nshards = t->cfg->nshards;
	bool restart_watch;

	if (config_load(&next, t->cfg->path, err, errlen) ||
	    compatible(t->cfg, &next, err, errlen))
		return -1;
	restart_watch = sentinels_changed(t->cfg, &next);
	memcpy(old_vips, t->cfg->vips, sizeof(old_vips));
	if (restart_watch)
		sentinel_watch_stop(t->watch);
	*t->cfg = next;

	if (gateway_reload(t->gw, old_vips, old_nvips, err, errlen) ||
	    datapath_setup_services(t->dp, t->cfg, err, errlen))
		return -1;
	topology_add_shards(t->topo, t->cfg, old_nshards);
	if (restart_watch)
		sentinel_watch_start(t->watch, t->loop, t->topo, t->cfg);
	log_info("redishad", "configuration reloaded from %s%s", t->cfg->path,
		 restart_watch ? "; Sentinels reconnected" : "");
	return 0;
}
