/*
 * ctl: what every redisha-ctl command shares. The pinned maps of one
 * instance, redishad's state file (names, Sentinels) and whether redishad
 * is alive, lookups that name shards, and the one way errors are printed.
 * The maps are the truth for topology; the state file only adds names, so
 * every command still works, with shard ids, while redishad is down.
 */
#ifndef REDISHA_CTL_CTL_H
#define REDISHA_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath.h"
#include "json.h"
#include "statefile.h"

#define CTL_NAME "redisha-ctl"
#define CTL_ERR_MAX 512
#define CTL_ADDR_MAX 24 /* "255.255.255.255:65535" and its NUL */

/* Exit statuses of every command but check (Nagios codes, cmd_check.c). */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_ERROR = 1,
	CTL_EXIT_USAGE = 2,
};

struct ctl {
	const char *instance;
	bool json;
	struct json js; /* on stdout, for --json */
	struct datapath dp;
	bool dp_open;
	struct rh_config cfg; /* read when the maps were opened */
	struct statefile st;
	bool running;	       /* the state file names a live redishad */
	char why_not[CTL_ERR_MAX]; /* when !running: the reason, for people */
};

/* Global options, before or after the command. */
struct ctl_globals {
	const char *instance;
	bool json, help;
};

/* "redisha-ctl: <message>" on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A change made to the maps, for the record: a syslog line (LOG_NOTICE,
 * ident redisha-ctl, with the invoking user). */
void ctl_audit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether `name` may name an instance (the config's rule: letters,
 * digits, '.', '_', '-', not "." or ".."); the reason in `err`. */
bool ctl_instance_valid(const char *name, char *err, size_t errlen);

/*
 * Open the pinned maps of c->instance and read rh_config. On failure
 * `err` holds a message for the operator: no pins (-ENOENT), not root
 * (-EPERM), maps of another ABI (-EPROTO), or the call that failed.
 */
int ctl_open(struct ctl *c, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Read the state file and check redishad's pid. Never fails: c->running
 * says whether names are known, c->why_not why they are not. */
void ctl_load_state(struct ctl *c);

void ctl_close(struct ctl *c);

/* Re-read rh_config into c->cfg. */
int ctl_read_config(struct ctl *c, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The shard's name while redishad runs, else NULL. */
const char *ctl_shard_name(const struct ctl *c, unsigned int id);

/* The name (not copied), or the id as text in `buf` when the name is
 * unknown. */
const char *ctl_shard_label(const struct ctl *c, unsigned int id, char *buf,
			    size_t len);

/*
 * The shard ids in use, sorted: those the services point at and those the
 * state file names. Returns how many (at most RH_MAX_SHARDS) or -errno.
 */
int ctl_shard_ids(const struct ctl *c, uint32_t *ids, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

/* A shard argument, a name (needs redishad's state file) or an id in
 * use, to its id; the reason in `err` when it names none. */
int ctl_shard_resolve(const struct ctl *c, const char *arg, uint32_t *id,
		      char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The "redishad" member of JSON output: {running, pid, reason}. */
void ctl_json_redishad(struct ctl *c);

/* "a.b.c.d" and "a.b.c.d:port" of network-order values. */
const char *ctl_ip_str(uint32_t addr, char *buf, size_t len);
const char *ctl_endpoint_str(uint32_t addr, uint16_t port, char *buf,
			     size_t len);

/* Seconds from a CLOCK_MONOTONIC ns stamp to now; never negative. */
double ctl_age_s(unsigned long long then_ns);

/* enum rh_shard_state as the CLI prints it. */
const char *ctl_shard_state_name(unsigned int state);

#endif /* REDISHA_CTL_CTL_H */
