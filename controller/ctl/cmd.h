/*
 * cmd: redisha-ctl's commands. Each cmd_*.c holds one group: its options
 * struct, its option table (params.h, which also makes its --help), its
 * defaults and its entry points. Entry points take the opened context
 * (ctl.h) and their options, print a table or one JSON object on stdout,
 * and return the exit status (enum ctl_exit; Nagios codes for check).
 * main.c binds them to command names.
 */
#ifndef REDISHA_CTL_CMD_H
#define REDISHA_CTL_CMD_H

#include "ctl.h"
#include "params.h"

/* cmd_status.c */
int cmd_status(struct ctl *c, const void *opts);

/* cmd_show.c: shards, services. */
int cmd_show_shards(struct ctl *c, const void *opts);
int cmd_show_services(struct ctl *c, const void *opts);

/* cmd_flows.c */
struct cmd_flows_opts {
	unsigned long limit;
	const char *shard;
};
extern const struct params_opt cmd_flows_params[];
extern const struct cmd_flows_opts cmd_flows_defaults;
int cmd_flows(struct ctl *c, const void *opts);

/* Counts over rh_flows: connections are live forward entries. */
struct cmd_flows_tally {
	unsigned long entries, connections;
};
int cmd_flows_tally(const struct ctl *c, struct cmd_flows_tally *t,
		    char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* cmd_stats.c */
struct cmd_stats_opts {
	unsigned long watch; /* seconds between rates; 0: print once */
};
extern const struct params_opt cmd_stats_params[];
extern const struct cmd_stats_opts cmd_stats_defaults;
int cmd_stats(struct ctl *c, const void *opts);

/* cmd_acl.c: acl list, acl add, acl del. */
struct cmd_acl_opts {
	struct params_prefix prefix;
	unsigned int action; /* enum rh_acl_action */
};
extern const struct params_opt cmd_acl_add_params[];
extern const struct params_opt cmd_acl_del_params[];
int cmd_acl_list(struct ctl *c, const void *opts);
int cmd_acl_add(struct ctl *c, const void *opts);
int cmd_acl_del(struct ctl *c, const void *opts);
/* The number of rules in rh_acl, or -errno with `err`. */
long cmd_acl_count(const struct ctl *c, char *err, size_t errlen);

/* cmd_master.c: set-master. */
struct cmd_master_opts {
	const char *shard;
	struct params_endpoint master;
};
extern const struct params_opt cmd_master_params[];
int cmd_master_set(struct ctl *c, const void *opts);

/* cmd_keyslot.c: reads the configuration file, not the maps. */
struct cmd_keyslot_opts {
	const char *config;
	const char *key;
};
extern const struct params_opt cmd_keyslot_params[];
extern const struct cmd_keyslot_opts cmd_keyslot_defaults;
int cmd_keyslot(struct ctl *c, const void *opts);

/* cmd_check.c: opens the maps itself, since no maps is an answer. */
int cmd_check(struct ctl *c, const void *opts);

#endif /* REDISHA_CTL_CMD_H */
