/*
 * keyslot: which shard a key goes to under the configuration file's
 * distribution (DESIGN.md §3). It reads the file, not the maps: the maps
 * hold no distribution. Slots print the slot too; ketama has none.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "keyslot.h"

#define KEYSLOT_DEFAULT_CONFIG "/etc/redisha/redisha.conf"

const struct params_opt cmd_keyslot_params[] = {
	{ .name = "config", .short_opt = 'c', .kind = PARAMS_STRING,
	  PARAMS_FIELD(struct cmd_keyslot_opts, config), .metavar = "FILE",
	  .help = "the redisha configuration file" },
	{ .name = "KEY", .kind = PARAMS_STRING, .positional = true,
	  PARAMS_FIELD(struct cmd_keyslot_opts, key),
	  .help = "the key, as the client sends it" },
	PARAMS_END,
};

const struct cmd_keyslot_opts cmd_keyslot_defaults = {
	.config = KEYSLOT_DEFAULT_CONFIG,
};

int cmd_keyslot(struct ctl *c, const void *opts)
{
	/* ~80 KiB: static rather than on the stack; one command per run. */
	static struct config cfg;
	static struct keyslot_ring ring;
	const struct cmd_keyslot_opts *o = opts;
	char err[CONFIG_ERR_MAX];
	size_t len = strlen(o->key), shard;
	bool slots;
	int r;

	if (config_load(&cfg, o->config, err, sizeof(err))) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	slots = cfg.distribution == CONFIG_DIST_SLOTS;
	if (!slots && keyslot_ring_build(&ring, &cfg, err, sizeof(err))) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	r = keyslot_shard(&cfg, slots ? NULL : &ring, o->key, len, &shard);
	if (r) {
		ctl_error("%s: no shard for key '%s': %s", o->config, o->key,
			  strerror(-r));
		return CTL_EXIT_ERROR;
	}
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "key", o->key);
		json_kv_string(&c->js, "shard", cfg.shards[shard].name);
		json_key(&c->js, "slot");
		if (slots)
			json_uint(&c->js, keyslot_crc16(o->key, len));
		else
			json_null(&c->js);
		json_object_end(&c->js);
	} else if (slots) {
		printf("%s -> shard %s (slot %u)\n", o->key,
		       cfg.shards[shard].name, keyslot_crc16(o->key, len));
	} else {
		printf("%s -> shard %s\n", o->key, cfg.shards[shard].name);
	}
	return CTL_EXIT_OK;
}
