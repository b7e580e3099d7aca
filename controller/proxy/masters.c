#include "masters.h"

#include <string.h>

#include "evloop.h"
#include "log.h"

void masters_init(struct masters *m, const struct config *cfg, bool is_static)
{
	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->is_static = is_static;
	for (int i = 0; i < DP_MAP_COUNT; i++)
		m->dp.fds[i] = -1;
	for (size_t i = 0; is_static && i < cfg->nshards; i++) {
		const struct config_shard *s = &cfg->shards[i];

		m->shard[i] = (struct master){
			.addr = s->master.addr,
			.port = s->master.port,
			.generation = 1,
			.up = true,
		};
	}
}

static bool open_pins(struct masters *m)
{
	char err[256];
	uint64_t now = evloop_now_ms();

	if (now < m->next_open_ms)
		return false;
	if (datapath_open_pinned(&m->dp, m->cfg->instance, err, sizeof(err))) {
		m->next_open_ms = now + MASTERS_REOPEN_MS;
		if (!m->warned)
			log_warn("masters", "%s; every shard is down until redishad pins its maps", err);
		m->warned = true;
		return false;
	}
	log_info("masters", "reading masters from %s", m->dp.pin_dir);
	m->warned = false;
	m->dp_open = true;
	return true;
}

/* The map's entry for shard `id` as the proxy uses it: an entry written
 * for another shard name (a controller with another config) is no
 * master. */
static struct master read_master(struct masters *m, uint32_t id, bool *lost)
{
	struct rh_shard s;
	char err[256];
	struct master out = { 0 };

	*lost = false;
	if (datapath_lookup(&m->dp, DP_MAP_SHARDS, &id, &s, err, sizeof(err))) {
		log_warn("masters", "%s; reopening the pins", err);
		*lost = true;
		return out;
	}
	if (s.name_hash != rh_shard_name_hash(m->cfg->shards[id].name))
		return out;
	out.addr = s.master_addr;
	out.port = s.master_port;
	out.generation = s.generation;
	out.up = s.state == RH_SHARD_UP;
	return out;
}

static bool same_master(const struct master *a, const struct master *b)
{
	return a->addr == b->addr && a->port == b->port &&
	       a->generation == b->generation && a->up == b->up;
}

/* Once a second: a redishad stopped with --cleanup and started again
 * pinned new maps, and the held ones are no longer written. */
static bool pins_replaced(struct masters *m, uint64_t now_ms)
{
	if (now_ms < m->next_pin_check_ms)
		return false;
	m->next_pin_check_ms = now_ms + MASTERS_REOPEN_MS;
	if (datapath_pin_current(&m->dp, DP_MAP_SHARDS))
		return false;
	log_warn("masters", "%s holds other maps now, or none; reopening",
		 m->dp.pin_dir);
	return true;
}

void masters_refresh(struct masters *m, void (*changed)(void *ctx, size_t shard),
		     void *ctx)
{
	bool lost = false, open;

	if (m->is_static)
		return;
	if (m->dp_open && pins_replaced(m, evloop_now_ms())) {
		datapath_close(&m->dp);
		m->dp_open = false;
		m->next_open_ms = 0;
	}
	/* Without the pins every shard is down until they come back. */
	open = m->dp_open || open_pins(m);
	for (uint32_t i = 0; i < m->cfg->nshards; i++) {
		struct master now = { 0 };

		if (open && !lost)
			now = read_master(m, i, &lost);
		if (!same_master(&now, &m->shard[i])) {
			m->shard[i] = now;
			changed(ctx, i);
		}
	}
	if (lost) {
		datapath_close(&m->dp);
		m->dp_open = false;
	}
}

void masters_close(struct masters *m)
{
	if (m->dp_open)
		datapath_close(&m->dp);
	m->dp_open = false;
}
