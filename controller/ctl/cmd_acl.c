/*
 * acl list | add | del: rules of rh_acl, with RH_CONFIG_ACL_ACTIVE kept in
 * step (abi.h: the program cannot count a trie, so whoever writes it says
 * whether it holds rules).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "table.h"

#define PREFIX_STR 24 /* "255.255.255.255/32" */
#define MAX_RULES RH_MAX_ACL_RULES

static const struct params_choice actions[] = {
	{ "allow", RH_ACL_ALLOW },
	{ "deny", RH_ACL_DENY },
	{ NULL, 0 },
};

const struct params_opt cmd_acl_add_params[] = {
	{ .name = "CIDR", .kind = PARAMS_PREFIX, .positional = true,
	  PARAMS_FIELD(struct cmd_acl_opts, prefix),
	  .help = "client prefix, A.B.C.D/LEN (a bare address is /32)" },
	{ .name = "ACTION", .kind = PARAMS_ENUM, .positional = true,
	  PARAMS_FIELD(struct cmd_acl_opts, action), .metavar = "allow or deny",
	  .help = "what happens to matching clients", .choices = actions },
	PARAMS_END,
};

const struct params_opt cmd_acl_del_params[] = {
	{ .name = "CIDR", .kind = PARAMS_PREFIX, .positional = true,
	  PARAMS_FIELD(struct cmd_acl_opts, prefix),
	  .help = "the prefix of the rule to delete" },
	PARAMS_END,
};

struct rule {
	struct rh_acl_key key;
	struct rh_acl_rule rule;
};

static const char *action_name(unsigned int a)
{
	return a == RH_ACL_ALLOW ? "allow" : a == RH_ACL_DENY ? "deny" : "?";
}

static const char *prefix_str(const struct rh_acl_key *k, char *buf,
			      size_t len)
{
	char ip[CTL_ADDR_MAX];

	snprintf(buf, len, "%s/%u", ctl_ip_str(k->addr, ip, sizeof(ip)),
		 k->prefixlen);
	return buf;
}

/* Rules into `out` (room for MAX_RULES); how many, or -errno. */
static long read_rules(const struct ctl *c, struct rule *out, char *err,
		       size_t errlen)
{
	int fd = c->dp.fds[DP_MAP_ACL];
	struct rh_acl_key key, prev_key;
	const struct rh_acl_key *prev = NULL;
	struct rh_acl_rule rule;
	long n = 0;

	while (n < MAX_RULES && bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (bpf_map_lookup_elem(fd, &key, &rule) == 0) {
			if (out) {
				out[n].key = key;
				out[n].rule = rule;
			}
			n++;
		}
		prev_key = key;
		prev = &prev_key;
	}
	if (n < MAX_RULES && errno != ENOENT) {
		snprintf(err, errlen, "read %s: %s", RH_MAP_ACL,
			 strerror(errno));
		return -errno;
	}
	return n;
}

long cmd_acl_count(const struct ctl *c, char *err, size_t errlen)
{
	return read_rules(c, NULL, err, errlen);
}

/*
 * The rule with exactly this prefix: a lookup in an LPM trie returns the
 * longest match instead (asking for 198.18.0.10/32 finds 198.18.0.0/24),
 * so the keys are walked. Returns 1 and fills *rule when found, 0 when
 * not, -errno with `err`; *count gets the number of rules.
 */
static int find_rule(const struct ctl *c, const struct rh_acl_key *key,
		     struct rh_acl_rule *rule, long *count, char *err,
		     size_t errlen)
{
	static struct rule rules[MAX_RULES];
	long n = read_rules(c, rules, err, errlen);

	if (n < 0)
		return (int)n;
	*count = n;
	for (long i = 0; i < n; i++)
		if (rules[i].key.prefixlen == key->prefixlen &&
		    rules[i].key.addr == key->addr) {
			*rule = rules[i].rule;
			return 1;
		}
	return 0;
}

static int by_prefix(const void *a, const void *b)
{
	const struct rh_acl_key *x = &((const struct rule *)a)->key,
				*y = &((const struct rule *)b)->key;

	if (x->addr != y->addr)
		return ntohl(x->addr) < ntohl(y->addr) ? -1 : 1;
	return x->prefixlen < y->prefixlen ? -1 : x->prefixlen > y->prefixlen;
}

int cmd_acl_list(struct ctl *c, const void *opts)
{
	static struct rule rules[MAX_RULES];
	static const struct table_col cols[] = {
		{ "PREFIX", false }, { "ACTION", false },
	};
	bool active = c->cfg.flags & RH_CONFIG_ACL_ACTIVE;
	char err[CTL_ERR_MAX], p[PREFIX_STR];
	struct table t;
	long n;
	int r = CTL_EXIT_OK;

	(void)opts;
	if ((n = read_rules(c, rules, err, sizeof(err))) < 0) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	qsort(rules, (size_t)n, sizeof(*rules), by_prefix);
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		json_kv_bool(&c->js, "acl_active", active);
		json_key(&c->js, "rules");
		json_array_begin(&c->js);
		for (long i = 0; i < n; i++) {
			json_object_begin(&c->js);
			json_kv_string(&c->js, "prefix",
				       prefix_str(&rules[i].key, p, sizeof(p)));
			json_kv_string(&c->js, "action",
				       action_name(rules[i].rule.action));
			json_object_end(&c->js);
		}
		json_array_end(&c->js);
		json_object_end(&c->js);
		return r;
	}
	table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	for (long i = 0; i < n && r == CTL_EXIT_OK; i++) {
		const char *row[] = { prefix_str(&rules[i].key, p, sizeof(p)),
				      action_name(rules[i].rule.action) };

		if (table_row(&t, row)) {
			ctl_error("out of memory");
			r = CTL_EXIT_ERROR;
		}
	}
	if (r == CTL_EXIT_OK) {
		printf("acl %s: %s\n", active ? "active" : "inactive",
		       active ? "clients that match no rule are dropped"
			      : "every client is allowed");
		if (n)
			table_print(&t, stdout);
	}
	table_free(&t);
	return r;
}

/*
 * Set or clear RH_CONFIG_ACL_ACTIVE: rh_config read, changed and written
 * back as one element, so readers never see half of it.
 */
static int set_acl_active(struct ctl *c, bool on, char *err, size_t errlen)
{
	__u32 zero = 0;
	int r;

	if ((r = ctl_read_config(c, err, errlen)))
		return r;
	if (!!(c->cfg.flags & RH_CONFIG_ACL_ACTIVE) == on)
		return 0;
	if (on)
		c->cfg.flags |= RH_CONFIG_ACL_ACTIVE;
	else
		c->cfg.flags &= ~RH_CONFIG_ACL_ACTIVE;
	return datapath_update(&c->dp, DP_MAP_CONFIG, &zero, &c->cfg, err,
			       errlen);
}

static void report(struct ctl *c, const char *verb, const char *prefix,
		   unsigned int action, const char *previous, long rules)
{
	bool active = c->cfg.flags & RH_CONFIG_ACL_ACTIVE;

	ctl_audit("instance %s: acl %s %s %s%s%s", c->instance, prefix,
		  action_name(action), verb, previous ? ", was " : "",
		  previous ? previous : "");
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		json_kv_string(&c->js, "prefix", prefix);
		json_kv_string(&c->js, "action", action_name(action));
		json_kv_string(&c->js, "result", verb);
		json_kv_string(&c->js, "previous", previous);
		json_kv_uint(&c->js, "rules", (unsigned long long)rules);
		json_kv_bool(&c->js, "acl_active", active);
		json_object_end(&c->js);
		return;
	}
	printf("acl: %s %s %s%s%s (%ld rule%s, acl %s)\n", prefix,
	       action_name(action), verb, previous ? ", was " : "",
	       previous ? previous : "", rules, rules == 1 ? "" : "s",
	       active ? "active" : "inactive");
}

int cmd_acl_add(struct ctl *c, const void *opts)
{
	const struct cmd_acl_opts *o = opts;
	struct rh_acl_key key = { .prefixlen = o->prefix.len,
				  .addr = o->prefix.addr };
	struct rh_acl_rule rule = { .action = o->action }, old;
	char err[CTL_ERR_MAX], p[PREFIX_STR];
	long before;
	int existed;

	prefix_str(&key, p, sizeof(p));
	if ((existed = find_rule(c, &key, &old, &before, err, sizeof(err))) < 0)
		goto fail;
	/* The rule first, then the flag: the flag over an empty trie would
	 * drop every client. */
	if (datapath_update(&c->dp, DP_MAP_ACL, &key, &rule, err,
			    sizeof(err)) ||
	    set_acl_active(c, true, err, sizeof(err)))
		goto fail;
	report(c, existed ? "changed" : "added", p, o->action,
	       existed ? action_name(old.action) : NULL,
	       before + !existed);
	if (before == 0 && key.prefixlen != 0 && !c->json)
		fprintf(stderr,
			"%s: note: the ACL was empty: clients that match no "
			"rule are now dropped (acl add 0.0.0.0/0 allow lets "
			"them through)\n",
			CTL_NAME);
	return CTL_EXIT_OK;
fail:
	ctl_error("acl add %s: %s", p, err);
	return CTL_EXIT_ERROR;
}

int cmd_acl_del(struct ctl *c, const void *opts)
{
	const struct cmd_acl_opts *o = opts;
	struct rh_acl_key key = { .prefixlen = o->prefix.len,
				  .addr = o->prefix.addr };
	char err[CTL_ERR_MAX], p[PREFIX_STR];
	struct rh_acl_rule old;
	long before;
	int found;

	prefix_str(&key, p, sizeof(p));
	if ((found = find_rule(c, &key, &old, &before, err, sizeof(err))) < 0)
		goto fail;
	if (!found) {
		ctl_error("acl del %s: no such rule (see redisha-ctl acl list)",
			  p);
		return CTL_EXIT_ERROR;
	}
	/* The last rule: clear the flag first, so no moment has the flag
	 * over an empty trie (which drops everyone). */
	if (before == 1 && set_acl_active(c, false, err, sizeof(err)))
		goto fail;
	if (bpf_map_delete_elem(c->dp.fds[DP_MAP_ACL], &key) &&
	    errno != ENOENT) {
		snprintf(err, sizeof(err), "delete from %s: %s", RH_MAP_ACL,
			 strerror(errno));
		goto fail;
	}
	report(c, "deleted", p, old.action, NULL, before - 1);
	return CTL_EXIT_OK;
fail:
	ctl_error("acl del %s: %s", p, err);
	return CTL_EXIT_ERROR;
}
