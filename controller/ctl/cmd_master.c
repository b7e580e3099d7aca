/*
 * set-master: an operator's override of a shard's master, for when
 * Sentinel cannot decide (no quorum, a split) or redishad is down. The new
 * generation resets the flows to the old master, as a failover does.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "cmd.h"

const struct params_opt cmd_master_params[] = {
	{ .name = "SHARD", .kind = PARAMS_STRING, .positional = true,
	  PARAMS_FIELD(struct cmd_master_opts, shard),
	  .help = "shard name (needs a running redishad) or id" },
	{ .name = "IP:PORT", .kind = PARAMS_ENDPOINT, .positional = true,
	  PARAMS_FIELD(struct cmd_master_opts, master),
	  .help = "the new master" },
	PARAMS_END,
};

static void print_json(struct ctl *c, uint32_t id, const struct rh_shard *old,
		       const struct rh_shard *next)
{
	const struct rh_shard *s[] = { old, next };
	const char *names[] = { "old", "new" };
	struct json *j = &c->js;
	char ep[CTL_ADDR_MAX];

	json_object_begin(j);
	json_kv_string(j, "instance", c->instance);
	json_kv_uint(j, "shard_id", id);
	json_kv_string(j, "shard", ctl_shard_name(c, id));
	for (int i = 0; i < 2; i++) {
		bool has = s[i]->state != RH_SHARD_NO_MASTER;

		json_key(j, names[i]);
		json_object_begin(j);
		json_kv_string(j, "master",
			       has ? ctl_endpoint_str(s[i]->master_addr,
						      s[i]->master_port, ep,
						      sizeof(ep))
				   : NULL);
		json_kv_string(j, "state", ctl_shard_state_name(s[i]->state));
		json_kv_uint(j, "generation", s[i]->generation);
		json_object_end(j);
	}
	json_object_end(j);
}

int cmd_master_set(struct ctl *c, const void *opts)
{
	const struct cmd_master_opts *o = opts;
	char err[CTL_ERR_MAX], from[CTL_ADDR_MAX], to[CTL_ADDR_MAX], id_s[12];
	struct rh_shard old, next;
	const char *label;
	uint32_t id;

	if (ctl_shard_resolve(c, o->shard, &id, err, sizeof(err))) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	label = ctl_shard_label(c, id, id_s, sizeof(id_s));
	if (datapath_lookup(&c->dp, DP_MAP_SHARDS, &id, &old, err,
			    sizeof(err))) {
		ctl_error("shard %s: %s", label, err);
		return CTL_EXIT_ERROR;
	}
	next = (struct rh_shard){
		.master_addr = o->master.addr,
		.master_port = o->master.port,
		.state = RH_SHARD_UP,
		.generation = old.generation + 1,
		/* Kept: a redishad that starts later inherits this master only
		 * when the entry carries its shard's name (abi.h). */
		.name_hash = old.name_hash,
	};
	if (!next.name_hash && ctl_shard_name(c, id))
		next.name_hash = rh_shard_name_hash(ctl_shard_name(c, id));
	if (datapath_update(&c->dp, DP_MAP_SHARDS, &id, &next, err,
			    sizeof(err))) {
		ctl_error("shard %s: %s", label, err);
		return CTL_EXIT_ERROR;
	}
	if (old.state == RH_SHARD_NO_MASTER)
		snprintf(from, sizeof(from), "none");
	else
		ctl_endpoint_str(old.master_addr, old.master_port, from,
				 sizeof(from));
	ctl_endpoint_str(next.master_addr, next.master_port, to, sizeof(to));
	ctl_audit("instance %s: shard %s (id %u): master %s -> %s, generation "
		  "%u -> %u (manual override)",
		  c->instance, label, id, from, to, old.generation,
		  next.generation);
	if (c->json)
		print_json(c, id, &old, &next);
	else
		printf("shard %s (id %u): master %s -> %s, generation %u -> %u "
		       "(manual override)\n",
		       label, id, from, to, old.generation, next.generation);
	if (c->running && !c->json)
		fprintf(stderr,
			"%s: note: redishad (pid %ld) still follows Sentinel: "
			"its next master change for this shard replaces this "
			"one\n",
			CTL_NAME, c->st.pid);
	return CTL_EXIT_OK;
}
