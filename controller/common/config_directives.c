/*
 * config_directives: the directive table and its handlers, each turning the
 * words of one line into fields of struct config (docs/configuration.md,
 * "Directives"); the contracts are in config_directives.h.
 *
 * A row names a directive, its syntax and arity and its handler. Most
 * directives set one field from one word: their row says which field (an
 * offset into struct config), what kind of value and its limits, and
 * handle_value() serves them all, in the manner of xdp-tools'
 * DEFINE_OPTION. The others have a handler of their own. Words are converted
 * by the config_lex value readers, so every error reads "file:line: reason".
 */
#include "config_directives.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* The end of `member` in `type`: how many leading bytes identify an item. */
#define KEY_END(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* What handle_value() makes of a directive's one word. */
enum value_kind {
	VALUE_CUSTOM = 0, /* none: the directive has a handler of its own */
	VALUE_KEYWORD,	  /* one of `names`, stored as its index (an enum) */
	VALUE_YES_NO,	  /* yes|no into a bool */
	VALUE_NUMBER,	  /* min..max into a uint32_t */
	VALUE_PORT,	  /* 1..65535 into a uint16_t, host order */
	VALUE_ADDRESS,	  /* a host address into a uint32_t, network order */
};

struct config_directive {
	const char *name; /* also WHAT in handle_value()'s errors */
	const char *syntax; /* shown with every argument error */
	int min_args, max_args; /* words after the name */
	bool repeatable;
	/* argv[0] is the name as written; argv ends with NULL. */
	int (*handle)(struct config_parser *p, char **argv);
	/* For handle_value(): the field it sets and what may go there. */
	enum value_kind kind;
	size_t offset; /* into struct config */
	uint32_t min, max; /* VALUE_NUMBER */
	const char *const *names; /* VALUE_KEYWORD, VALUE_YES_NO */
	size_t nnames;
};

/* Keywords, indexed by the enum they stand for. */
static const char *const xdp_mode_names[] = {
	[CONFIG_XDP_NATIVE] = "native",
	[CONFIG_XDP_GENERIC] = "generic",
};
static const char *const distribution_names[] = {
	[CONFIG_DIST_SLOTS] = "slots",
	[CONFIG_DIST_KETAMA] = "ketama",
	[CONFIG_DIST_MODULA] = "modula",
};
static const char *const hash_names[] = {
	[CONFIG_HASH_FNV1A_64] = "fnv1a_64",
	[CONFIG_HASH_FNV1_64] = "fnv1_64",
	[CONFIG_HASH_FNV1A_32] = "fnv1a_32",
	[CONFIG_HASH_FNV1_32] = "fnv1_32",
	[CONFIG_HASH_MD5] = "md5",
	[CONFIG_HASH_CRC16] = "crc16",
	[CONFIG_HASH_CRC32] = "crc32",
	[CONFIG_HASH_CRC32A] = "crc32a",
	[CONFIG_HASH_HSIEH] = "hsieh",
	[CONFIG_HASH_MURMUR] = "murmur",
	[CONFIG_HASH_JENKINS] = "jenkins",
	[CONFIG_HASH_ONE_AT_A_TIME] = "one_at_a_time",
};
_Static_assert(ARRAY_SIZE(hash_names) == CONFIG_HASH_ONE_AT_A_TIME + 1,
	       "a name for every enum config_hash");
static const char *const follow_names[] = {
	[CONFIG_FOLLOW_SWITCH_MASTER] = "switch-master",
	[CONFIG_FOLLOW_PROMOTED] = "promoted",
};
static const char *const role_names[] = {
	[CONFIG_ROLE_ACTIVE] = "active",
	[CONFIG_ROLE_BACKUP] = "backup",
};
static const char *const log_level_names[] = {
	[CONFIG_LOG_DEBUG] = "debug",
	[CONFIG_LOG_INFO] = "info",
	[CONFIG_LOG_WARNING] = "warning",
	[CONFIG_LOG_ERROR] = "error",
};
static const char *const yes_no_names[] = { [false] = "no", [true] = "yes" };

static int fail_arity(const struct config_parser *p)
{
	return config_lex_fail(&p->lex, "wrong number of arguments (syntax: %s)",
			       p->directive->syntax);
}

/* `word` is where the line leaves the syntax; the arity check leaves one. */
static int fail_syntax(const struct config_parser *p, const char *word)
{
	return config_lex_fail(&p->lex, "unexpected '%s' (syntax: %s)", word,
			       p->directive->syntax);
}

/*
 * The directives whose table entry names a field: convert argv[1] as the
 * entry's kind says and store it there. The entry macros below have checked
 * at compile time that the field has the type stored for that kind.
 */
static int handle_value(struct config_parser *p, char **argv)
{
	const struct config_directive *d = p->directive;
	const struct config_lex *lx = &p->lex;
	char *field = (char *)p->cfg + d->offset;
	int v;

	switch (d->kind) {
	case VALUE_NUMBER:
		return config_lex_number(lx, d->name, argv[1], d->min, d->max,
					 (uint32_t *)field);
	case VALUE_PORT:
		return config_lex_port(lx, d->name, argv[1], (uint16_t *)field);
	case VALUE_ADDRESS:
		return config_lex_addr(lx, d->name, argv[1], strlen(argv[1]),
				       true, (uint32_t *)field);
	case VALUE_KEYWORD:
	case VALUE_YES_NO:
		v = config_lex_keyword(lx, d->name, argv[1], d->names,
				       d->nnames);
		if (v < 0)
			return v;
		if (d->kind == VALUE_YES_NO)
			*(bool *)field = v;
		else
			*(unsigned int *)field = (unsigned int)v;
		return 0;
	case VALUE_CUSTOM:
		break;
	}
	/* Only a table entry without a kind gets here: a bug, not bad input. */
	return config_lex_fail(lx, "%s: no value kind", d->name);
}

static int handle_instance(struct config_parser *p, char **argv)
{
	int r = config_lex_name(&p->lex, "instance", argv[1],
				CONFIG_INSTANCE_MAX - 1,
				config_lex_is_name_char);

	if (!r)
		memcpy(p->cfg->instance, argv[1], strlen(argv[1]) + 1);
	return r;
}

static int handle_interface(struct config_parser *p, char **argv)
{
	struct config *cfg = p->cfg;

	for (char **arg = argv + 1; *arg; arg++) {
		char name[CONFIG_IFNAME_MAX] = { 0 };
		int r = config_lex_name(&p->lex, "interface", *arg,
					CONFIG_IFNAME_MAX - 1,
					config_lex_is_ifname_char);

		if (r)
			return r;
		memcpy(name, *arg, strlen(*arg));
		r = config_lex_append_unique(
			&p->lex,
			CONFIG_LEX_LIST(cfg->interfaces, cfg->ninterfaces,
					p->interface_lines, CONFIG_IFNAME_MAX,
					"interface", "interfaces"),
			name, *arg);
		if (r)
			return r;
	}
	return 0;
}

static int handle_vip(struct config_parser *p, char **argv)
{
	struct config *cfg = p->cfg;

	return config_lex_add_address(&p->lex,
				      CONFIG_LEX_LIST(cfg->vips, cfg->nvips,
						      p->vip_lines,
						      sizeof(cfg->vips[0]),
						      "vip", "vips"),
				      argv[1]);
}

/* shard NAME port PORT [weight N] [slots FIRST-LAST], keywords in order. */
static int handle_shard(struct config_parser *p, char **argv)
{
	const struct config_lex *lx = &p->lex;
	struct config *cfg = p->cfg;
	struct config_shard s = { .weight = 1, .line = lx->line };
	char **arg = argv + 2;
	const char *port, *weight, *slots, *master;
	int r;

	r = config_lex_name(lx, "shard", argv[1], RH_SHARD_NAME_MAX - 1,
			    config_lex_is_name_char);
	if (r)
		return r;
	memcpy(s.name, argv[1], strlen(argv[1]) + 1);
	port = config_lex_take_option(&arg, "port");
	if (!port)
		return fail_syntax(p, *arg);
	r = config_lex_port(lx, "shard port", port, &s.port);
	if (r)
		return r;
	weight = config_lex_take_option(&arg, "weight");
	if (weight) {
		r = config_lex_number(lx, "shard weight", weight, 1, 1000000,
				      &s.weight);
		if (r)
			return r;
	}
	slots = config_lex_take_option(&arg, "slots");
	if (slots) {
		uint32_t first, last;

		r = config_lex_range(lx, "shard slots", slots, 0,
				     CONFIG_SLOTS - 1, &first, &last);
		if (r)
			return r;
		s.has_slots = true;
		s.slot_first = (uint16_t)first;
		s.slot_last = (uint16_t)last;
	}
	master = config_lex_take_option(&arg, "master");
	if (master) {
		r = config_lex_endpoint(lx, "shard master", master, true,
					&s.master);
		if (r)
			return r;
		s.has_master = true;
	}
	if (*arg)
		return fail_syntax(p, *arg);

	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *o = &cfg->shards[i];

		if (!strcmp(o->name, s.name))
			return config_lex_fail(lx, "duplicate shard '%s' (first on line %d)",
					       s.name, o->line);
		if (o->port == s.port)
			return config_lex_fail(lx, "shard '%s' port %u already used by shard '%s' (line %d)",
					       s.name, s.port, o->name,
					       o->line);
	}
	if (cfg->nshards == ARRAY_SIZE(cfg->shards))
		return config_lex_fail(lx, "too many shards (at most %zu)",
				       ARRAY_SIZE(cfg->shards));
	cfg->shards[cfg->nshards++] = s;
	return 0;
}

static int handle_distribution(struct config_parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	int d = config_lex_keyword(&p->lex, "distribution", argv[1],
				   distribution_names,
				   ARRAY_SIZE(distribution_names));
	char what[32];
	int h;

	if (d < 0)
		return d;
	/* ketama and modula take a hash; slots has none. */
	if ((d != CONFIG_DIST_SLOTS) != (argv[2] != NULL))
		return fail_arity(p);
	cfg->distribution = d;
	if (!argv[2])
		return 0;
	snprintf(what, sizeof(what), "%s hash", distribution_names[d]);
	h = config_lex_keyword(&p->lex, what, argv[2], hash_names,
			       ARRAY_SIZE(hash_names));
	if (h < 0)
		return h;
	cfg->hash = h;
	return 0;
}

/* hash-tag XY, as nutcracker.yml's hash_tag: "XY" (any two characters). */
static int handle_hash_tag(struct config_parser *p, char **argv)
{
	size_t len = strlen(argv[1]);

	if (len != CONFIG_HASH_TAG_LEN)
		return config_lex_fail(&p->lex, "hash-tag '%s': expected two characters, such as \"{}\"",
				       argv[1]);
	memcpy(p->cfg->hash_tag, argv[1], len + 1);
	return 0;
}

static int handle_sentinel(struct config_parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	struct config_endpoint ep = { 0 };
	int r = config_lex_endpoint(&p->lex, "sentinel", argv[1], true, &ep);

	if (r)
		return r;
	return config_lex_append_unique(
		&p->lex,
		CONFIG_LEX_LIST(cfg->sentinels, cfg->nsentinels,
				p->sentinel_lines,
				KEY_END(struct config_endpoint, port),
				"sentinel", "sentinels"),
		&ep, argv[1]);
}

/* allow and deny: an LPM-trie key, A.B.C.D/LEN, or a bare address for /32. */
static int handle_acl(struct config_parser *p, char **argv)
{
	const struct config_lex *lx = &p->lex;
	struct config *cfg = p->cfg;
	const char *what = p->directive->name, *s = argv[1];
	const char *slash = strchr(s, '/');
	struct config_prefix rule = { 0 };
	uint32_t len = 32, mask;
	int r;

	r = config_lex_addr(lx, what, s,
			    slash ? (size_t)(slash - s) : strlen(s), false,
			    &rule.addr);
	if (r)
		return r;
	if (slash) {
		r = config_lex_number(lx, "prefix length", slash + 1, 0, 32,
				      &len);
		if (r)
			return r;
	}
	mask = len ? htonl(UINT32_MAX << (32 - len)) : 0;
	if (rule.addr & ~mask) {
		uint32_t net = ntohl(rule.addr & mask);

		return config_lex_fail(lx, "%s '%s': host bits set (did you mean %u.%u.%u.%u/%u?)",
				       what, s, net >> 24, (net >> 16) & 0xff,
				       (net >> 8) & 0xff, net & 0xff, len);
	}
	rule.len = (uint8_t)len;
	rule.action = strcmp(what, "deny") ? RH_ACL_ALLOW : RH_ACL_DENY;
	/* The key ends before the action: allow X and deny X clash. */
	return config_lex_append_unique(
		lx,
		CONFIG_LEX_LIST(cfg->acl, cfg->nacl, p->acl_lines,
				KEY_END(struct config_prefix, len), "prefix",
				"allow/deny rules"),
		&rule, s);
}

static int handle_snat_ports(struct config_parser *p, char **argv)
{
	uint32_t low, high;
	/* Below 1024 a rewritten source port would look privileged. */
	int r = config_lex_range(&p->lex, "snat-ports", argv[1], 1024,
				 CONFIG_LEX_PORT_MAX, &low, &high);

	if (r)
		return r;
	p->cfg->snat_port_min = (uint16_t)low;
	p->cfg->snat_port_max = (uint16_t)high;
	return 0;
}

static int handle_garp(struct config_parser *p, char **argv)
{
	int r = config_lex_number(&p->lex, "garp count", argv[1], 0, 100,
				  &p->cfg->garp_count);

	if (r)
		return r;
	return config_lex_number(&p->lex, "garp interval", argv[2], 10, 10000,
				 &p->cfg->garp_interval_ms);
}

/* vrrp vrid N priority P advert-ms M [nopreempt], keywords in that order. */
static int handle_vrrp(struct config_parser *p, char **argv)
{
	const struct config_lex *lx = &p->lex;
	struct config_vrrp *v = &p->cfg->vrrp;
	char **arg = argv + 1;
	const char *vrid, *priority, *advert;
	uint32_t id, prio, ms;
	int r;

	vrid = config_lex_take_option(&arg, "vrid");
	priority = vrid ? config_lex_take_option(&arg, "priority") : NULL;
	advert = priority ? config_lex_take_option(&arg, "advert-ms") : NULL;
	if (!advert)
		return fail_syntax(p, *arg);
	if (*arg && strcasecmp(*arg, "nopreempt"))
		return fail_syntax(p, *arg);
	r = config_lex_number(lx, "vrrp vrid", vrid, 1, 255, &id);
	if (r)
		return r;
	r = config_lex_number(lx, "vrrp priority", priority, 1, 255, &prio);
	if (r)
		return r;
	/* RFC 5798 carries the interval in 12 bits of centiseconds. */
	r = config_lex_number(lx, "vrrp advert-ms", advert, 10, 40950, &ms);
	if (r)
		return r;
	if (ms % 10)
		return config_lex_fail(lx, "vrrp advert-ms '%s': not a multiple of 10 (VRRP counts centiseconds)",
				       advert);
	v->enabled = true;
	v->vrid = (uint8_t)id;
	v->priority = (uint8_t)prio;
	v->advert_ms = ms;
	v->preempt = !*arg;
	return 0;
}

static int handle_vrrp_peer(struct config_parser *p, char **argv)
{
	struct config_vrrp *v = &p->cfg->vrrp;

	return config_lex_add_address(&p->lex,
				      CONFIG_LEX_LIST(v->peers, v->npeers,
						      p->peer_lines,
						      sizeof(v->peers[0]),
						      "vrrp-peer",
						      "vrrp-peers"),
				      argv[1]);
}

/* The secret never appears in an error message. */
/* A password or user name (`noun`) into `out` (room for `size` bytes with
 * its NUL). Errors never show the secret. */
static int copy_secret(struct config_parser *p, const char *what,
		       const char *noun, const char *s, char *out, size_t size)
{
	size_t len = strlen(s);

	if (!len)
		return config_lex_fail(&p->lex, "%s: empty %s", what, noun);
	if (len >= size)
		return config_lex_fail(&p->lex, "%s: longer than %zu bytes", what,
				       size - 1);
	memcpy(out, s, len + 1);
	return 0;
}

static int handle_requirepass(struct config_parser *p, char **argv)
{
	return copy_secret(p, "requirepass", "password", argv[1], p->cfg->requirepass,
			   sizeof(p->cfg->requirepass));
}

static int handle_masteruser(struct config_parser *p, char **argv)
{
	return copy_secret(p, "masteruser", "name", argv[1], p->cfg->masteruser,
			   sizeof(p->cfg->masteruser));
}

static int handle_masterauth(struct config_parser *p, char **argv)
{
	return copy_secret(p, "masterauth", "password", argv[1], p->cfg->masterauth,
			   sizeof(p->cfg->masterauth));
}

/* user NAME on|off >PASSWORD: the part of Redis's ACL rules the proxy
 * knows (a user that may run every command, with one password). */
static int handle_user(struct config_parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	struct config_user u = { .line = p->lex.line };
	int r;

	if ((r = copy_secret(p, "user", "name", argv[1], u.name, sizeof(u.name))))
		return r;
	if (!strcasecmp(argv[2], "on"))
		u.on = true;
	else if (strcasecmp(argv[2], "off"))
		return fail_syntax(p, argv[2]);
	if (argv[3][0] != '>')
		return fail_syntax(p, argv[3]);
	if ((r = copy_secret(p, "user", "password", argv[3] + 1, u.password,
			     sizeof(u.password))))
		return r;
	for (size_t i = 0; i < cfg->nusers; i++)
		if (!strcmp(cfg->users[i].name, u.name))
			return config_lex_fail(&p->lex, "duplicate user '%s' (first on line %d)",
					       u.name, cfg->users[i].line);
	if (!strcmp(u.name, "default"))
		return config_lex_fail(&p->lex, "user 'default': give its password with requirepass");
	if (cfg->nusers == ARRAY_SIZE(cfg->users))
		return config_lex_fail(&p->lex, "too many users (at most %zu)",
				       ARRAY_SIZE(cfg->users));
	cfg->users[cfg->nusers++] = u;
	return 0;
}

/* Any address, 0.0.0.0 included: the metrics server binds to it. */
static int handle_proxy_listen(struct config_parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	struct config_endpoint ep = { 0 };
	int r = config_lex_endpoint(&p->lex, "proxy-listen", argv[1], false,
				    &ep);

	if (r)
		return r;
	return config_lex_append_unique(
		&p->lex,
		CONFIG_LEX_LIST(cfg->proxy_listen, cfg->nproxy_listen,
				p->listen_lines,
				KEY_END(struct config_endpoint, port),
				"proxy-listen", "proxy-listen addresses"),
		&ep, argv[1]);
}

/* proxy-wait-replicas N TIMEOUT_MS: every write followed by WAIT N. */
static int handle_wait_replicas(struct config_parser *p, char **argv)
{
	const struct config_lex *lx = &p->lex;
	int r = config_lex_number(lx, "proxy-wait-replicas", argv[1], 0, 64,
				  &p->cfg->proxy_wait_replicas);

	return r ?: config_lex_number(lx, "proxy-wait-replicas timeout",
				      argv[2], 1, 3600000,
				      &p->cfg->proxy_wait_timeout_ms);
}

static int handle_metrics(struct config_parser *p, char **argv)
{
	int r = config_lex_endpoint(&p->lex, "metrics", argv[1], false,
				    &p->cfg->metrics);

	if (!r)
		p->cfg->has_metrics = true;
	return r;
}

/* A directive with a handler of its own. */
#define CUSTOM(name_, syntax_, min_, max_, repeatable_, handle_)           \
	{ .name = (name_), .syntax = (syntax_), .min_args = (min_),        \
	  .max_args = (max_), .repeatable = (repeatable_),                 \
	  .handle = (handle_) }

/*
 * "NAME VALUE", once, into field `f` of struct config through handle_value().
 * The offset compiles only if the field has `type`, the type handle_value()
 * stores for `kind_`, so no entry can write past its field.
 */
#define VALUE(name_, syntax_, kind_, f, type, ...)                         \
	{ .name = (name_), .syntax = (syntax_), .min_args = 1,             \
	  .max_args = 1, .handle = handle_value, .kind = (kind_),          \
	  .offset = _Generic(((struct config *)0)->f,                      \
			     type: offsetof(struct config, f)),            \
	  __VA_ARGS__ }
/*
 * A keyword stored as its index. GCC and Clang give an enum without negative
 * values the type unsigned int, so an enum field matches and any other type
 * (a bool, or an enum built with -fshort-enums) fails to compile.
 */
#define KEYWORD(name_, syntax_, f, names_)                                 \
	VALUE(name_, syntax_, VALUE_KEYWORD, f, unsigned int,              \
	      .names = (names_), .nnames = ARRAY_SIZE(names_))
#define YES_NO(name_, syntax_, f)                                          \
	VALUE(name_, syntax_, VALUE_YES_NO, f, bool, .names = yes_no_names, \
	      .nnames = ARRAY_SIZE(yes_no_names))
#define NUMBER(name_, syntax_, f, min_, max_)                              \
	VALUE(name_, syntax_, VALUE_NUMBER, f, uint32_t, .min = (min_),    \
	      .max = (max_))
#define PORT(name_, syntax_, f) VALUE(name_, syntax_, VALUE_PORT, f, uint16_t)
#define ADDRESS(name_, syntax_, f)                                         \
	VALUE(name_, syntax_, VALUE_ADDRESS, f, uint32_t)

/* docs/configuration.md describes each of these; keep it in step. */
static const struct config_directive directives[] = {
	CUSTOM("instance", "instance NAME", 1, 1, false, handle_instance),
	CUSTOM("interface", "interface IFNAME [IFNAME...]", 1,
	       CONFIG_LEX_ARGS_MAX - 1, true, handle_interface),
	KEYWORD("xdp-mode", "xdp-mode native|generic", xdp_mode,
		xdp_mode_names),
	CUSTOM("vip", "vip ADDR", 1, 1, true, handle_vip),
	PORT("proxy-port", "proxy-port PORT", proxy_port),
	CUSTOM("shard", "shard NAME port PORT [weight N] [slots FIRST-LAST] [master ADDR:PORT]",
	       3, 9, true, handle_shard),
	CUSTOM("distribution", "distribution slots|ketama HASH|modula HASH", 1,
	       2, false, handle_distribution),
	CUSTOM("hash-tag", "hash-tag XY", 1, 1, false, handle_hash_tag),
	CUSTOM("sentinel", "sentinel ADDR:PORT", 1, 1, true, handle_sentinel),
	KEYWORD("sentinel-follow", "sentinel-follow switch-master|promoted",
		sentinel_follow, follow_names),
	NUMBER("reconcile-ms", "reconcile-ms N", reconcile_ms, 10, 3600000),
	CUSTOM("allow", "allow CIDR", 1, 1, true, handle_acl),
	CUSTOM("deny", "deny CIDR", 1, 1, true, handle_acl),
	ADDRESS("snat-address", "snat-address ADDR", snat_addr),
	CUSTOM("snat-ports", "snat-ports LOW-HIGH", 1, 1, false,
	       handle_snat_ports),
	NUMBER("flow-timeout-ms", "flow-timeout-ms N", flow_timeout_ms, 100,
	       86400000),
	NUMBER("closing-timeout-ms", "closing-timeout-ms N",
	       closing_timeout_ms, 100, 86400000),
	KEYWORD("role", "role active|backup", role, role_names),
	NUMBER("deadman-ms", "deadman-ms N", deadman_ms, 50, 60000),
	CUSTOM("garp", "garp COUNT INTERVAL_MS", 2, 2, false, handle_garp),
	CUSTOM("vrrp", "vrrp vrid N priority P advert-ms M [nopreempt]", 6, 7,
	       false, handle_vrrp),
	CUSTOM("vrrp-peer", "vrrp-peer ADDR", 1, 1, true, handle_vrrp_peer),
	NUMBER("vrrp-track-sentinel", "vrrp-track-sentinel DECREMENT",
	       vrrp.track_sentinel_decrement, 1, 254),
	CUSTOM("proxy-listen", "proxy-listen ADDR:PORT", 1, 1, true,
	       handle_proxy_listen),
	NUMBER("proxy-threads", "proxy-threads N", proxy_threads, 0, 64),
	NUMBER("proxy-server-connections", "proxy-server-connections N",
	       proxy_server_connections, 1, 64),
	NUMBER("proxy-max-clients", "proxy-max-clients N", proxy_max_clients,
	       1, 1000000),
	NUMBER("proxy-connect-timeout-ms", "proxy-connect-timeout-ms N",
	       proxy_connect_timeout_ms, 10, 60000),
	NUMBER("proxy-timeout-ms", "proxy-timeout-ms N", proxy_timeout_ms, 0,
	       3600000),
	NUMBER("proxy-client-timeout", "proxy-client-timeout SECONDS",
	       proxy_client_timeout, 0, 31536000),
	NUMBER("proxy-client-output-limit", "proxy-client-output-limit BYTES",
	       proxy_client_output_limit, 1048576, 0xffffffff),
	NUMBER("proto-max-bulk-len", "proto-max-bulk-len BYTES",
	       proto_max_bulk_len, 1024, 0x7fffffff),
	CUSTOM("proxy-wait-replicas", "proxy-wait-replicas N TIMEOUT_MS", 2, 2,
	       false, handle_wait_replicas),
	YES_NO("proxy-allow-admin", "proxy-allow-admin yes|no",
	       proxy_allow_admin),
	YES_NO("proxy-allow-keys", "proxy-allow-keys yes|no", proxy_allow_keys),
	CUSTOM("requirepass", "requirepass SECRET", 1, 1, false,
	       handle_requirepass),
	CUSTOM("user", "user NAME on|off >PASSWORD", 3, 3, true, handle_user),
	CUSTOM("masteruser", "masteruser NAME", 1, 1, false, handle_masteruser),
	CUSTOM("masterauth", "masterauth SECRET", 1, 1, false,
	       handle_masterauth),
	CUSTOM("metrics", "metrics ADDR:PORT", 1, 1, false, handle_metrics),
	KEYWORD("log-level", "log-level debug|info|warning|error", log_level,
		log_level_names),
	YES_NO("syslog", "syslog yes|no", log_syslog),
};

_Static_assert(ARRAY_SIZE(directives) <= CONFIG_DIRECTIVES_MAX,
	       "room for every directive in config_parser.first_line");

/* Directive names are case-insensitive, as in redis.conf. */
static const struct config_directive *find_directive(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(directives); i++)
		if (!strcasecmp(directives[i].name, name))
			return &directives[i];
	return NULL;
}

int config_directives_parse_line(struct config_parser *p, char *line)
{
	char *argv[CONFIG_LEX_ARGS_MAX + 1];
	const struct config_directive *d;
	int argc = config_lex_split(&p->lex, line, argv);
	size_t i;

	if (argc <= 0)
		return argc;
	d = find_directive(argv[0]);
	if (!d)
		return config_lex_fail(&p->lex, "unknown directive '%s'",
				       argv[0]);
	p->directive = d;
	if (argc - 1 < d->min_args || argc - 1 > d->max_args)
		return fail_arity(p);
	/* A repeated setting is more likely a mistake than an override. */
	i = (size_t)(d - directives);
	if (p->first_line[i] && !d->repeatable)
		return config_lex_fail(&p->lex, "duplicate directive '%s' (first on line %d)",
				       d->name, p->first_line[i]);
	if (!p->first_line[i])
		p->first_line[i] = p->lex.line;
	return d->handle(p, argv);
}

int config_directives_first_line(const struct config_parser *p,
				 const char *name)
{
	const struct config_directive *d = find_directive(name);

	return d ? p->first_line[d - directives] : 0;
}

const char *config_hash_name(enum config_hash hash)
{
	if ((size_t)hash >= ARRAY_SIZE(hash_names))
		return NULL;
	return hash_names[hash];
}
