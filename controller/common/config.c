/*
 * config: parse the redisha configuration file (docs/configuration.md).
 *
 * Each line is split into words in place, its directive is looked up in one
 * table (name, syntax, arity, handler), and the handler converts its words
 * with the parse_* helpers. Every error goes through vfail(), so all of them
 * read "file:line: reason". Checks that need the whole file (slot coverage,
 * port clashes, ...) run once the last line is in.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* The end of `member` in `type`: how many leading bytes identify an item. */
#define KEY_END(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

#define ARGS_MAX 16 /* words on a line; shard and vrrp take at most 8 */
#define PORT_MAX 65535

struct parser;

struct directive {
	const char *name;
	const char *syntax; /* shown with every argument error */
	int min_args, max_args; /* words after the name */
	bool repeatable;
	/* argv[0] is the name as written; argv ends with NULL. */
	int (*handle)(struct parser *p, char **argv);
};

struct parser {
	struct config *cfg;
	const char *name; /* the file, for error messages */
	char *err;
	size_t errlen;
	int line;
	const struct directive *directive; /* of the line being parsed */
	int *first_line; /* per directive: the line of its first use, or 0 */
	/* The line of each item of the repeatable tables, for duplicates. */
	int interface_lines[CONFIG_MAX_INTERFACES];
	int vip_lines[RH_MAX_VIPS];
	int sentinel_lines[CONFIG_MAX_SENTINELS];
	int acl_lines[RH_MAX_ACL_RULES];
	int peer_lines[CONFIG_MAX_VRRP_PEERS];
};

/* A repeatable directive's table in struct config, for append_unique(). */
struct list {
	void *items;
	size_t *n;
	size_t max;
	size_t size;	 /* of one item */
	size_t key_size; /* the leading bytes of an item that identify it */
	int *lines;	 /* parallel to items */
	const char *noun, *plural;
};

#define LIST(table, count, line_table, key_size_, noun_, plural_)          \
	(&(const struct list){ .items = (table),                           \
			       .n = &(count),                              \
			       .max = ARRAY_SIZE(table),                   \
			       .size = sizeof((table)[0]),                 \
			       .key_size = (key_size_),                    \
			       .lines = (line_table),                      \
			       .noun = (noun_),                            \
			       .plural = (plural_) })

/* Keywords, indexed by the enum they stand for. */
static const char *const xdp_mode_names[] = {
	[CONFIG_XDP_NATIVE] = "native",
	[CONFIG_XDP_GENERIC] = "generic",
};
static const char *const distribution_names[] = {
	[CONFIG_DIST_SLOTS] = "slots",
	[CONFIG_DIST_KETAMA] = "ketama",
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

__attribute__((format(printf, 3, 0))) static int
vfail(const struct parser *p, int line, const char *fmt, va_list ap)
{
	static const char cut[] = "...";
	int n;

	if (!p->errlen)
		return -EINVAL;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n >= 0 && (size_t)n < p->errlen) {
		int m = vsnprintf(p->err + n, p->errlen - n, fmt, ap);

		n = m < 0 ? m : n + m;
	}
	/* A cut message still names the place; mark the cut. */
	if ((n < 0 || (size_t)n >= p->errlen) && p->errlen >= sizeof(cut))
		memcpy(p->err + p->errlen - sizeof(cut), cut, sizeof(cut));
	return -EINVAL;
}

/* Report at `line`, or about the whole file when `line` is 0. */
__attribute__((format(printf, 3, 4))) static int
fail_at(const struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(p, line, fmt, ap);
	va_end(ap);
	return r;
}

/* Report at the line being parsed. */
__attribute__((format(printf, 2, 3))) static int
fail(const struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(p, p->line, fmt, ap);
	va_end(ap);
	return r;
}

static int fail_arity(const struct parser *p)
{
	return fail(p, "wrong number of arguments (syntax: %s)",
		    p->directive->syntax);
}

/* `word` is where the line leaves the syntax; the arity check leaves one. */
static int fail_syntax(const struct parser *p, const char *word)
{
	return fail(p, "unexpected '%s' (syntax: %s)", word,
		    p->directive->syntax);
}

/* Digits only (no sign, blank or base prefix): 0, -EINVAL, or -ERANGE. */
static int scan_u32(const char *s, const char *end, uint32_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_number(const struct parser *p, const char *what,
			const char *s, uint32_t min, uint32_t max,
			uint32_t *out)
{
	uint32_t v;
	int r = scan_u32(s, s + strlen(s), &v);

	if (r == -EINVAL)
		return fail(p, "%s '%s': not a number", what, s);
	if (r || v < min || v > max)
		return fail(p, "%s '%s': out of range %u..%u", what, s, min,
			    max);
	*out = v;
	return 0;
}

static int parse_port(const struct parser *p, const char *what,
		      const char *s, uint16_t *out)
{
	uint32_t v;
	int r = parse_number(p, what, s, 1, PORT_MAX, &v);

	if (!r)
		*out = (uint16_t)v;
	return r;
}

/* FIRST-LAST, both within min..max, FIRST <= LAST. */
static int parse_range(const struct parser *p, const char *what,
		       const char *s, uint32_t min, uint32_t max,
		       uint32_t *first, uint32_t *last)
{
	const char *dash = strchr(s, '-');
	int r1, r2;

	if (!dash)
		return fail(p, "%s '%s': expected FIRST-LAST", what, s);
	r1 = scan_u32(s, dash, first);
	r2 = scan_u32(dash + 1, dash + strlen(dash), last);
	if (r1 == -EINVAL || r2 == -EINVAL)
		return fail(p, "%s '%s': expected FIRST-LAST", what, s);
	if (r1 || r2 || *first < min || *first > max || *last < min ||
	    *last > max)
		return fail(p, "%s '%s': out of range %u..%u", what, s, min,
			    max);
	if (*first > *last)
		return fail(p, "%s '%s': first is greater than last", what, s);
	return 0;
}

/*
 * The IPv4 address in the `len` bytes at `s`, strictly dotted-quad. With
 * `unicast`, also refuse what cannot be a host's address.
 */
static int parse_addr(const struct parser *p, const char *what,
		      const char *s, size_t len, bool unicast, uint32_t *out)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a;
	uint32_t h;

	if (len >= sizeof(buf))
		return fail(p, "%s '%.*s': not an IPv4 address", what,
			    (int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		if (inet_pton(AF_INET6, buf, &a6) == 1)
			return fail(p, "%s '%s': IPv6 is not supported yet",
				    what, buf);
		return fail(p, "%s '%s': not an IPv4 address", what, buf);
	}
	h = ntohl(a.s_addr);
	if (unicast && h == INADDR_ANY)
		return fail(p, "%s '%s': unspecified address", what, buf);
	if (unicast && h == INADDR_BROADCAST)
		return fail(p, "%s '%s': broadcast address", what, buf);
	if (unicast && IN_MULTICAST(h))
		return fail(p, "%s '%s': multicast address", what, buf);
	*out = a.s_addr;
	return 0;
}

/* ADDR:PORT; the address is checked as parse_addr() does. */
static int parse_endpoint(const struct parser *p, const char *what,
			  const char *s, bool unicast,
			  struct config_endpoint *out)
{
	const char *colon = strrchr(s, ':');
	uint32_t addr;
	uint16_t port;
	int r;

	if (!colon)
		return fail(p, "%s '%s': expected ADDR:PORT", what, s);
	r = parse_addr(p, what, s, (size_t)(colon - s), unicast, &addr);
	if (r)
		return r;
	r = parse_port(p, "port", colon + 1, &port);
	if (r)
		return r;
	out->addr = addr;
	out->port = htons(port);
	return 0;
}

/* The index of `s` in `names` (case-insensitive, it is a keyword). */
static int parse_keyword(const struct parser *p, const char *what,
			 const char *s, const char *const *names, size_t n)
{
	char choices[256];
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, names[i]))
			return (int)i;
	/* Built from the table so the message cannot drift from it. */
	choices[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(choices); i++) {
		int m = snprintf(choices + used, sizeof(choices) - used,
				 "%s%s", i ? "|" : "", names[i]);

		if (m < 0)
			break;
		used += (size_t)m;
	}
	return fail(p, "%s '%s': expected %s", what, s, choices);
}

/* ASCII only, whatever the locale. */
static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* What the kernel's dev_valid_name() refuses inside a name. */
static bool is_ifname_char(int c)
{
	return c != '/' && c != ':' && !isspace(c);
}

/*
 * A name of 1..max bytes, each passing `valid`, and never "." or "..": an
 * instance name is a directory under bpffs, an interface name one in sysfs.
 */
static int check_name(const struct parser *p, const char *what, const char *s,
		      size_t max, bool (*valid)(int c))
{
	size_t len = strlen(s);

	if (!len)
		return fail(p, "%s '': empty name", what);
	if (len > max)
		return fail(p, "%s '%s': longer than %zu characters", what, s,
			    max);
	for (const char *c = s; *c; c++)
		if (!valid((unsigned char)*c))
			return fail(p, "%s '%s': character '%c' not allowed",
				    what, s, *c);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return fail(p, "%s '%s': not a valid name", what, s);
	return 0;
}

/* Append `item`, written `text` in the file, unless full or already there. */
static int append_unique(const struct parser *p, const struct list *l,
			 const void *item, const char *text)
{
	for (size_t i = 0; i < *l->n; i++)
		if (!memcmp((const char *)l->items + i * l->size, item,
			    l->key_size))
			return fail(p, "duplicate %s '%s' (first on line %d)",
				    l->noun, text, l->lines[i]);
	if (*l->n == l->max)
		return fail(p, "too many %s (at most %zu)", l->plural, l->max);
	memcpy((char *)l->items + *l->n * l->size, item, l->size);
	l->lines[(*l->n)++] = p->line;
	return 0;
}

static int add_address(const struct parser *p, const struct list *l,
		       const char *s)
{
	uint32_t addr;
	int r = parse_addr(p, l->noun, s, strlen(s), true, &addr);

	return r ? r : append_unique(p, l, &addr, s);
}

/*
 * If the next word is the keyword `kw` and a value follows, return that value
 * and step past both; otherwise return NULL and leave `*arg` alone.
 */
static const char *take_option(char ***arg, const char *kw)
{
	char **a = *arg;

	if (!a[0] || !a[1] || strcasecmp(a[0], kw))
		return NULL;
	*arg = a + 2;
	return a[1];
}

static int handle_instance(struct parser *p, char **argv)
{
	int r = check_name(p, "instance", argv[1], CONFIG_INSTANCE_MAX - 1,
			   is_name_char);

	if (!r)
		memcpy(p->cfg->instance, argv[1], strlen(argv[1]) + 1);
	return r;
}

static int handle_interface(struct parser *p, char **argv)
{
	struct config *cfg = p->cfg;

	for (char **arg = argv + 1; *arg; arg++) {
		char name[CONFIG_IFNAME_MAX] = { 0 };
		int r = check_name(p, "interface", *arg, CONFIG_IFNAME_MAX - 1,
				   is_ifname_char);

		if (r)
			return r;
		memcpy(name, *arg, strlen(*arg));
		r = append_unique(p,
				  LIST(cfg->interfaces, cfg->ninterfaces,
				       p->interface_lines, CONFIG_IFNAME_MAX,
				       "interface", "interfaces"),
				  name, *arg);
		if (r)
			return r;
	}
	return 0;
}

static int handle_xdp_mode(struct parser *p, char **argv)
{
	int v = parse_keyword(p, "xdp-mode", argv[1], xdp_mode_names,
			      ARRAY_SIZE(xdp_mode_names));

	if (v < 0)
		return v;
	p->cfg->xdp_mode = v;
	return 0;
}

static int handle_vip(struct parser *p, char **argv)
{
	struct config *cfg = p->cfg;

	return add_address(p,
			   LIST(cfg->vips, cfg->nvips, p->vip_lines,
				sizeof(cfg->vips[0]), "vip", "vips"),
			   argv[1]);
}

static int handle_proxy_port(struct parser *p, char **argv)
{
	return parse_port(p, "proxy-port", argv[1], &p->cfg->proxy_port);
}

static int handle_shard(struct parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	struct config_shard s = { .weight = 1, .line = p->line };
	char **arg = argv + 2;
	const char *port, *weight, *slots;
	int r;

	r = check_name(p, "shard", argv[1], RH_SHARD_NAME_MAX - 1,
		       is_name_char);
	if (r)
		return r;
	memcpy(s.name, argv[1], strlen(argv[1]) + 1);
	port = take_option(&arg, "port");
	if (!port)
		return fail_syntax(p, *arg);
	r = parse_port(p, "shard port", port, &s.port);
	if (r)
		return r;
	weight = take_option(&arg, "weight");
	if (weight) {
		r = parse_number(p, "shard weight", weight, 1, 1000000,
				 &s.weight);
		if (r)
			return r;
	}
	slots = take_option(&arg, "slots");
	if (slots) {
		uint32_t first, last;

		r = parse_range(p, "shard slots", slots, 0, CONFIG_SLOTS - 1,
				&first, &last);
		if (r)
			return r;
		s.has_slots = true;
		s.slot_first = (uint16_t)first;
		s.slot_last = (uint16_t)last;
	}
	if (*arg)
		return fail_syntax(p, *arg);

	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *o = &cfg->shards[i];

		if (!strcmp(o->name, s.name))
			return fail(p, "duplicate shard '%s' (first on line %d)",
				    s.name, o->line);
		if (o->port == s.port)
			return fail(p, "shard '%s' port %u already used by shard '%s' (line %d)",
				    s.name, s.port, o->name, o->line);
	}
	if (cfg->nshards == ARRAY_SIZE(cfg->shards))
		return fail(p, "too many shards (at most %zu)",
			    ARRAY_SIZE(cfg->shards));
	cfg->shards[cfg->nshards++] = s;
	return 0;
}

static int handle_distribution(struct parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	int d = parse_keyword(p, "distribution", argv[1], distribution_names,
			      ARRAY_SIZE(distribution_names));
	int h;

	if (d < 0)
		return d;
	/* ketama takes a hash; slots has none. */
	if ((d == CONFIG_DIST_KETAMA) != (argv[2] != NULL))
		return fail_arity(p);
	cfg->distribution = d;
	if (!argv[2])
		return 0;
	h = parse_keyword(p, "ketama hash", argv[2], hash_names,
			  ARRAY_SIZE(hash_names));
	if (h < 0)
		return h;
	cfg->hash = h;
	return 0;
}

static int handle_sentinel(struct parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	struct config_endpoint ep = { 0 };
	int r = parse_endpoint(p, "sentinel", argv[1], true, &ep);

	if (r)
		return r;
	return append_unique(p,
			     LIST(cfg->sentinels, cfg->nsentinels,
				  p->sentinel_lines,
				  KEY_END(struct config_endpoint, port),
				  "sentinel", "sentinels"),
			     &ep, argv[1]);
}

static int handle_sentinel_follow(struct parser *p, char **argv)
{
	int v = parse_keyword(p, "sentinel-follow", argv[1], follow_names,
			      ARRAY_SIZE(follow_names));

	if (v < 0)
		return v;
	p->cfg->sentinel_follow = v;
	return 0;
}

static int handle_reconcile_ms(struct parser *p, char **argv)
{
	return parse_number(p, "reconcile-ms", argv[1], 10, 3600000,
			    &p->cfg->reconcile_ms);
}

/* allow and deny: an LPM-trie key, A.B.C.D/LEN, or a bare address for /32. */
static int handle_acl(struct parser *p, char **argv)
{
	struct config *cfg = p->cfg;
	const char *what = p->directive->name, *s = argv[1];
	const char *slash = strchr(s, '/');
	struct config_prefix rule = { 0 };
	uint32_t len = 32, mask;
	int r;

	r = parse_addr(p, what, s, slash ? (size_t)(slash - s) : strlen(s),
		       false, &rule.addr);
	if (r)
		return r;
	if (slash) {
		r = parse_number(p, "prefix length", slash + 1, 0, 32, &len);
		if (r)
			return r;
	}
	mask = len ? htonl(UINT32_MAX << (32 - len)) : 0;
	if (rule.addr & ~mask) {
		uint32_t net = ntohl(rule.addr & mask);

		return fail(p, "%s '%s': host bits set (did you mean %u.%u.%u.%u/%u?)",
			    what, s, net >> 24, (net >> 16) & 0xff,
			    (net >> 8) & 0xff, net & 0xff, len);
	}
	rule.len = (uint8_t)len;
	rule.action = strcmp(what, "deny") ? RH_ACL_ALLOW : RH_ACL_DENY;
	/* The key ends before the action: allow X and deny X clash. */
	return append_unique(p,
			     LIST(cfg->acl, cfg->nacl, p->acl_lines,
				  KEY_END(struct config_prefix, len), "prefix",
				  "allow/deny rules"),
			     &rule, s);
}

static int handle_snat_address(struct parser *p, char **argv)
{
	return parse_addr(p, "snat-address", argv[1], strlen(argv[1]), true,
			  &p->cfg->snat_addr);
}

static int handle_snat_ports(struct parser *p, char **argv)
{
	uint32_t low, high;
	/* Below 1024 a rewritten source port would look privileged. */
	int r = parse_range(p, "snat-ports", argv[1], 1024, PORT_MAX, &low,
			    &high);

	if (r)
		return r;
	p->cfg->snat_port_min = (uint16_t)low;
	p->cfg->snat_port_max = (uint16_t)high;
	return 0;
}

static int handle_flow_timeout_ms(struct parser *p, char **argv)
{
	return parse_number(p, "flow-timeout-ms", argv[1], 100, 86400000,
			    &p->cfg->flow_timeout_ms);
}

static int handle_closing_timeout_ms(struct parser *p, char **argv)
{
	return parse_number(p, "closing-timeout-ms", argv[1], 100, 86400000,
			    &p->cfg->closing_timeout_ms);
}

static int handle_role(struct parser *p, char **argv)
{
	int v = parse_keyword(p, "role", argv[1], role_names,
			      ARRAY_SIZE(role_names));

	if (v < 0)
		return v;
	p->cfg->role = v;
	return 0;
}

static int handle_deadman_ms(struct parser *p, char **argv)
{
	return parse_number(p, "deadman-ms", argv[1], 50, 60000,
			    &p->cfg->deadman_ms);
}

static int handle_garp(struct parser *p, char **argv)
{
	int r = parse_number(p, "garp count", argv[1], 0, 100,
			     &p->cfg->garp_count);

	if (r)
		return r;
	return parse_number(p, "garp interval", argv[2], 10, 10000,
			    &p->cfg->garp_interval_ms);
}

/* vrrp vrid N priority P advert-ms M [nopreempt], keywords in that order. */
static int handle_vrrp(struct parser *p, char **argv)
{
	struct config_vrrp *v = &p->cfg->vrrp;
	char **arg = argv + 1;
	const char *vrid, *priority, *advert;
	uint32_t id, prio, ms;
	int r;

	vrid = take_option(&arg, "vrid");
	priority = vrid ? take_option(&arg, "priority") : NULL;
	advert = priority ? take_option(&arg, "advert-ms") : NULL;
	if (!advert)
		return fail_syntax(p, *arg);
	if (*arg && strcasecmp(*arg, "nopreempt"))
		return fail_syntax(p, *arg);
	r = parse_number(p, "vrrp vrid", vrid, 1, 255, &id);
	if (r)
		return r;
	r = parse_number(p, "vrrp priority", priority, 1, 255, &prio);
	if (r)
		return r;
	/* RFC 5798 carries the interval in 12 bits of centiseconds. */
	r = parse_number(p, "vrrp advert-ms", advert, 10, 40950, &ms);
	if (r)
		return r;
	if (ms % 10)
		return fail(p, "vrrp advert-ms '%s': not a multiple of 10 (VRRP counts centiseconds)",
			    advert);
	v->enabled = true;
	v->vrid = (uint8_t)id;
	v->priority = (uint8_t)prio;
	v->advert_ms = ms;
	v->preempt = !*arg;
	return 0;
}

static int handle_vrrp_peer(struct parser *p, char **argv)
{
	struct config_vrrp *v = &p->cfg->vrrp;

	return add_address(p,
			   LIST(v->peers, v->npeers, p->peer_lines,
				sizeof(v->peers[0]), "vrrp-peer", "vrrp-peers"),
			   argv[1]);
}

static int handle_vrrp_track_sentinel(struct parser *p, char **argv)
{
	return parse_number(p, "vrrp-track-sentinel", argv[1], 1, 254,
			    &p->cfg->vrrp.track_sentinel_decrement);
}

/* The secret never appears in an error message. */
static int handle_requirepass(struct parser *p, char **argv)
{
	size_t len = strlen(argv[1]);

	if (!len)
		return fail(p, "requirepass: empty password");
	if (len >= sizeof(p->cfg->requirepass))
		return fail(p, "requirepass: longer than %zu bytes",
			    sizeof(p->cfg->requirepass) - 1);
	memcpy(p->cfg->requirepass, argv[1], len + 1);
	return 0;
}

/* Any address, 0.0.0.0 included: the metrics server binds to it. */
static int handle_metrics(struct parser *p, char **argv)
{
	int r = parse_endpoint(p, "metrics", argv[1], false, &p->cfg->metrics);

	if (!r)
		p->cfg->has_metrics = true;
	return r;
}

static int handle_log_level(struct parser *p, char **argv)
{
	int v = parse_keyword(p, "log-level", argv[1], log_level_names,
			      ARRAY_SIZE(log_level_names));

	if (v < 0)
		return v;
	p->cfg->log_level = v;
	return 0;
}

static int handle_syslog(struct parser *p, char **argv)
{
	int v = parse_keyword(p, "syslog", argv[1], yes_no_names,
			      ARRAY_SIZE(yes_no_names));

	if (v < 0)
		return v;
	p->cfg->log_syslog = v;
	return 0;
}

/* docs/configuration.md describes each of these; keep it in step. */
static const struct directive directives[] = {
	{ "instance", "instance NAME", 1, 1, false, handle_instance },
	{ "interface", "interface IFNAME [IFNAME...]", 1, ARGS_MAX - 1, true,
	  handle_interface },
	{ "xdp-mode", "xdp-mode native|generic", 1, 1, false,
	  handle_xdp_mode },
	{ "vip", "vip ADDR", 1, 1, true, handle_vip },
	{ "proxy-port", "proxy-port PORT", 1, 1, false, handle_proxy_port },
	{ "shard", "shard NAME port PORT [weight N] [slots FIRST-LAST]", 3, 7,
	  true, handle_shard },
	{ "distribution", "distribution slots|ketama HASH", 1, 2, false,
	  handle_distribution },
	{ "sentinel", "sentinel ADDR:PORT", 1, 1, true, handle_sentinel },
	{ "sentinel-follow", "sentinel-follow switch-master|promoted", 1, 1,
	  false, handle_sentinel_follow },
	{ "reconcile-ms", "reconcile-ms N", 1, 1, false, handle_reconcile_ms },
	{ "allow", "allow CIDR", 1, 1, true, handle_acl },
	{ "deny", "deny CIDR", 1, 1, true, handle_acl },
	{ "snat-address", "snat-address ADDR", 1, 1, false,
	  handle_snat_address },
	{ "snat-ports", "snat-ports LOW-HIGH", 1, 1, false, handle_snat_ports },
	{ "flow-timeout-ms", "flow-timeout-ms N", 1, 1, false,
	  handle_flow_timeout_ms },
	{ "closing-timeout-ms", "closing-timeout-ms N", 1, 1, false,
	  handle_closing_timeout_ms },
	{ "role", "role active|backup", 1, 1, false, handle_role },
	{ "deadman-ms", "deadman-ms N", 1, 1, false, handle_deadman_ms },
	{ "garp", "garp COUNT INTERVAL_MS", 2, 2, false, handle_garp },
	{ "vrrp", "vrrp vrid N priority P advert-ms M [nopreempt]", 6, 7,
	  false, handle_vrrp },
	{ "vrrp-peer", "vrrp-peer ADDR", 1, 1, true, handle_vrrp_peer },
	{ "vrrp-track-sentinel", "vrrp-track-sentinel DECREMENT", 1, 1, false,
	  handle_vrrp_track_sentinel },
	{ "requirepass", "requirepass SECRET", 1, 1, false,
	  handle_requirepass },
	{ "metrics", "metrics ADDR:PORT", 1, 1, false, handle_metrics },
	{ "log-level", "log-level debug|info|warning|error", 1, 1, false,
	  handle_log_level },
	{ "syslog", "syslog yes|no", 1, 1, false, handle_syslog },
};

/* Directive names are case-insensitive, as in redis.conf. */
static const struct directive *find_directive(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(directives); i++)
		if (!strcasecmp(directives[i].name, name))
			return &directives[i];
	return NULL;
}

/*
 * Split `line` into words in place, NULL-terminating `argv`; returns their
 * number. Blanks separate words; a word opening with '"' runs to the next
 * unescaped '"' (escapes: \" and \\), which must end the word; a word
 * opening with '#' starts a comment.
 */
static int split_line(const struct parser *p, char *line, char **argv)
{
	char *in = line, *out;
	int argc = 0;

	for (;;) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in || *in == '#')
			break;
		if (argc == ARGS_MAX)
			return fail(p, "too many words (at most %d)", ARGS_MAX);
		/* Unescaping only shrinks a word, so out never passes in. */
		argv[argc++] = out = in;
		if (*in == '"') {
			for (in++; *in != '"'; in++) {
				bool escaped = *in == '\\';

				if (escaped)
					in++;
				if (!*in)
					return fail(p, "unterminated quote");
				if (escaped && *in != '"' && *in != '\\')
					return fail(p, "unknown escape '\\%c' in quotes (only \\\" and \\\\)",
						    *in);
				*out++ = *in;
			}
			in++;
			if (*in && *in != ' ' && *in != '\t')
				return fail(p, "closing quote must be followed by a blank");
		} else {
			for (; *in && *in != ' ' && *in != '\t'; in++) {
				if (*in == '"')
					return fail(p, "'\"' inside a word: quote the whole word");
			}
			out = in;
		}
		if (*in)
			in++;
		*out = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

static int parse_line(struct parser *p, char *line)
{
	char *argv[ARGS_MAX + 1];
	const struct directive *d;
	int argc = split_line(p, line, argv);
	size_t i;

	if (argc <= 0)
		return argc;
	d = find_directive(argv[0]);
	if (!d)
		return fail(p, "unknown directive '%s'", argv[0]);
	p->directive = d;
	if (argc - 1 < d->min_args || argc - 1 > d->max_args)
		return fail_arity(p);
	/* A repeated setting is more likely a mistake than an override. */
	i = (size_t)(d - directives);
	if (p->first_line[i] && !d->repeatable)
		return fail(p, "duplicate directive '%s' (first on line %d)",
			    d->name, p->first_line[i]);
	if (!p->first_line[i])
		p->first_line[i] = p->line;
	return d->handle(p, argv);
}

static void sort_by_first_slot(const struct config_shard **s, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct config_shard *x = s[i];
		size_t j = i;

		for (; j > 0 && s[j - 1]->slot_first > x->slot_first; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
}

/* Slots are given for every shard or none; given, they tile 0..16383. */
static int check_slots(const struct parser *p)
{
	const struct config *cfg = p->cfg;
	const struct config_shard *order[RH_MAX_SHARDS];
	const struct config_shard *with = NULL, *without = NULL;
	uint32_t next = 0;

	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *s = &cfg->shards[i];

		if (s->has_slots && !with)
			with = s;
		if (!s->has_slots && !without)
			without = s;
		order[i] = s;
	}
	if (!with)
		return 0;
	if (without)
		return fail_at(p, without->line, "shard '%s' has no slots but shard '%s' (line %d) has: give slots to every shard or none",
			       without->name, with->name, with->line);
	sort_by_first_slot(order, cfg->nshards);
	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *s = order[i];

		if (s->slot_first > next)
			return fail_at(p, 0, "slots %u-%u are not assigned to any shard",
				       next, s->slot_first - 1u);
		/*
		 * Only a later shard can start below next (nothing is below
		 * slot 0), and as the ones before are sorted and disjoint,
		 * the one just before is the one it overlaps.
		 */
		if (s->slot_first < next)
			return fail_at(p, s->line, "shard '%s' slots %u-%u overlap shard '%s' (line %d)",
				       s->name, s->slot_first, s->slot_last,
				       order[i - 1]->name, order[i - 1]->line);
		next = s->slot_last + 1u;
	}
	if (next < CONFIG_SLOTS)
		return fail_at(p, 0, "slots %u-%u are not assigned to any shard",
			       next, CONFIG_SLOTS - 1u);
	return 0;
}

/* The line `name` first appeared on, for errors found after the last line. */
static int line_of(const struct parser *p, const char *name)
{
	return p->first_line[find_directive(name) - directives];
}

/* What a single line cannot tell: missing pieces, clashes between lines. */
static int check_config(const struct parser *p)
{
	const struct config *cfg = p->cfg;

	if (!cfg->ninterfaces)
		return fail_at(p, 0, "no interface configured");
	if (!cfg->nvips)
		return fail_at(p, 0, "no vip configured");
	if (!cfg->nshards && !cfg->proxy_port)
		return fail_at(p, 0, "no shard and no proxy-port: nothing to serve");
	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *s = &cfg->shards[i];

		if (s->port == cfg->proxy_port)
			return fail_at(p, s->line, "shard '%s' port %u clashes with proxy-port on line %d",
				       s->name, s->port,
				       line_of(p, "proxy-port"));
		if (s->has_slots && cfg->distribution == CONFIG_DIST_KETAMA)
			return fail_at(p, s->line, "shard '%s': slots apply only to distribution slots",
				       s->name);
		if (s->weight != 1 && cfg->distribution == CONFIG_DIST_SLOTS)
			return fail_at(p, s->line, "shard '%s': weight applies only to distribution ketama",
				       s->name);
	}
	if (cfg->vrrp.npeers && !cfg->vrrp.enabled)
		return fail_at(p, p->peer_lines[0], "vrrp-peer without vrrp");
	if (cfg->vrrp.track_sentinel_decrement && !cfg->vrrp.enabled)
		return fail_at(p, line_of(p, "vrrp-track-sentinel"),
			       "vrrp-track-sentinel without vrrp");
	return check_slots(p);
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->instance, "default", sizeof("default"));
	cfg->xdp_mode = CONFIG_XDP_NATIVE;
	cfg->distribution = CONFIG_DIST_SLOTS;
	cfg->hash = CONFIG_HASH_FNV1A_64; /* twemproxy's usual ketama hash */
	cfg->sentinel_follow = CONFIG_FOLLOW_SWITCH_MASTER;
	cfg->reconcile_ms = 1000;
	/* The kernel's default ip_local_port_range. */
	cfg->snat_port_min = 32768;
	cfg->snat_port_max = 60999;
	cfg->flow_timeout_ms = 300000;
	cfg->closing_timeout_ms = 10000;
	cfg->role = CONFIG_ROLE_ACTIVE;
	cfg->deadman_ms = 1000;
	cfg->garp_count = 5;
	cfg->garp_interval_ms = 200;
	cfg->vrrp.preempt = true;
	cfg->log_level = CONFIG_LOG_INFO;
	cfg->log_syslog = false;
}

int config_parse(struct config *cfg, const char *name, const char *text,
		 char *err, size_t errlen)
{
	int first_line[ARRAY_SIZE(directives)] = { 0 };
	struct parser p = { .cfg = cfg,
			    .name = name,
			    .err = err,
			    .errlen = errlen,
			    .first_line = first_line };
	char line[CONFIG_LINE_MAX + 1];
	size_t name_len = strlen(name);

	config_init(cfg);
	if (name_len >= sizeof(cfg->path))
		return fail_at(&p, 0, "path longer than %zu bytes",
			       sizeof(cfg->path) - 1);
	memcpy(cfg->path, name, name_len + 1);

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		size_t n = len;
		int r;

		p.line++;
		if (n && text[n - 1] == '\r')
			n--;
		if (n > CONFIG_LINE_MAX)
			return fail(&p, "line longer than %d bytes",
				    CONFIG_LINE_MAX);
		memcpy(line, text, n);
		line[n] = '\0';
		r = parse_line(&p, line);
		if (r)
			return r;
		text += nl ? len + 1 : len;
	}
	return check_config(&p);
}

/* "path: strerror(e)"; returns -e. */
static int fail_errno(const struct parser *p, int e)
{
	fail_at(p, 0, "%s", strerror(e));
	return -e;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	const struct parser p = { .name = path, .err = err, .errlen = errlen };
	size_t used = 0;
	char *buf = NULL;
	int fd, r;

	config_init(cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(&p, errno);
	/* One byte more than allowed tells "too large" from "just fits". */
	buf = malloc(CONFIG_FILE_MAX + 2);
	if (!buf) {
		r = fail_errno(&p, ENOMEM);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, CONFIG_FILE_MAX + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fail_errno(&p, errno);
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > CONFIG_FILE_MAX) {
			r = fail_at(&p, 0, "file too large (more than %d bytes)",
				    CONFIG_FILE_MAX);
			goto out;
		}
	}
	/* The parser works on a C string: a NUL would silently end the file. */
	if (memchr(buf, '\0', used)) {
		r = fail_at(&p, 0, "contains a NUL byte");
		goto out;
	}
	buf[used] = '\0';
	r = config_parse(cfg, path, buf, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}

void config_shard_slots(const struct config *cfg, size_t i, uint16_t *first,
			uint16_t *last)
{
	const struct config_shard *s = &cfg->shards[i];
	size_t n = cfg->nshards;

	if (s->has_slots) {
		*first = s->slot_first;
		*last = s->slot_last;
		return;
	}
	/*
	 * Shard i starts at round(i * 16384 / n), as redis-cli --cluster
	 * create does with its float cursor (same result for n <= 64).
	 */
	*first = (uint16_t)((2 * i * CONFIG_SLOTS + n) / (2 * n));
	*last = (uint16_t)((2 * (i + 1) * CONFIG_SLOTS + n) / (2 * n) - 1);
}

const char *config_hash_name(enum config_hash hash)
{
	if ((size_t)hash >= ARRAY_SIZE(hash_names))
		return NULL;
	return hash_names[hash];
}
