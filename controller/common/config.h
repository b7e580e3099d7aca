/*
 * config: the redisha configuration file (docs/configuration.md).
 *
 * One directive a line, in the style of redis.conf: a directive name, then
 * arguments separated by blanks; "double quotes" group an argument (with \"
 * and \\ escapes); a '#' that starts an argument starts a comment. Every
 * table is fixed-size (limits from include/redisha/abi.h), so loading a file
 * allocates nothing and a struct config is freed by letting it go.
 */
#ifndef REDISHA_CONFIG_H
#define REDISHA_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redisha/abi.h"

#define CONFIG_MAX_INTERFACES 8
#define CONFIG_MAX_SENTINELS 16
#define CONFIG_MAX_VRRP_PEERS 8
#define CONFIG_MAX_PROXY_LISTEN 8
#define CONFIG_MAX_USERS 16
#define CONFIG_USER_MAX 64 /* a user name, with its NUL */
#define CONFIG_IFNAME_MAX 16 /* IFNAMSIZ */
#define CONFIG_INSTANCE_MAX 64
#define CONFIG_PASSWORD_MAX 512
#define CONFIG_ERR_MAX 512 /* enough for "path:line: reason" */
#define CONFIG_LINE_MAX 4096 /* bytes in a line, its line ending excluded */
#define CONFIG_FILE_MAX (1024 * 1024) /* config_load refuses larger files */
#define CONFIG_SLOTS 16384 /* Redis Cluster hash slots */
#define CONFIG_HASH_TAG_LEN 2 /* hash-tag: its opening and closing character */

/* An IPv4 endpoint; both fields in network order, as the maps keep them. */
struct config_endpoint {
	uint32_t addr;
	uint16_t port;
};

struct config_prefix {
	uint32_t addr; /* network order, host bits zero */
	uint8_t len;
	uint8_t action; /* enum rh_acl_action */
};

struct config_shard {
	char name[RH_SHARD_NAME_MAX]; /* the Sentinel master name */
	uint16_t port;		      /* shard port on the VIP, host order */
	uint32_t weight;	      /* ketama/modula weight, default 1 */
	bool has_slots;		      /* slots FIRST-LAST given */
	uint16_t slot_first, slot_last;
	bool has_master; /* master ADDR:PORT given (--static-topology) */
	struct config_endpoint master;
	int line; /* where it was declared, for later errors */
};

enum config_distribution {
	CONFIG_DIST_SLOTS = 0, /* CRC16 mod 16384, contiguous ranges */
	CONFIG_DIST_KETAMA,    /* twemproxy-compatible ring */
	CONFIG_DIST_MODULA,    /* twemproxy's hash mod the total weight */
};

/* twemproxy's hash functions, for `distribution ketama|modula HASH`. */
enum config_hash {
	CONFIG_HASH_FNV1A_64 = 0,
	CONFIG_HASH_FNV1_64,
	CONFIG_HASH_FNV1A_32,
	CONFIG_HASH_FNV1_32,
	CONFIG_HASH_MD5,
	CONFIG_HASH_CRC16,
	CONFIG_HASH_CRC32,
	CONFIG_HASH_CRC32A,
	CONFIG_HASH_HSIEH,
	CONFIG_HASH_MURMUR,
	CONFIG_HASH_JENKINS,
	CONFIG_HASH_ONE_AT_A_TIME,
};

enum config_xdp_mode { CONFIG_XDP_NATIVE = 0, CONFIG_XDP_GENERIC };
enum config_role { CONFIG_ROLE_ACTIVE = 0, CONFIG_ROLE_BACKUP };
enum config_follow { CONFIG_FOLLOW_SWITCH_MASTER = 0, CONFIG_FOLLOW_PROMOTED };
enum config_log_level {
	CONFIG_LOG_DEBUG = 0,
	CONFIG_LOG_INFO,
	CONFIG_LOG_WARNING,
	CONFIG_LOG_ERROR,
};

struct config_vrrp {
	bool enabled;
	uint8_t vrid;	    /* 1..255 */
	uint8_t priority;   /* 1..255, 255 = address owner */
	uint32_t advert_ms; /* multiple of 10 (centiseconds on the wire) */
	bool preempt;
	uint32_t track_sentinel_decrement; /* 0: no tracking */
	uint32_t peers[CONFIG_MAX_VRRP_PEERS]; /* unicast peers, network order */
	size_t npeers;
};

struct config {
	char path[256]; /* the file it was read from */
	char instance[CONFIG_INSTANCE_MAX];

	char interfaces[CONFIG_MAX_INTERFACES][CONFIG_IFNAME_MAX];
	size_t ninterfaces;
	enum config_xdp_mode xdp_mode;

	uint32_t vips[RH_MAX_VIPS]; /* network order */
	size_t nvips;
	uint16_t proxy_port; /* host order; 0: no proxy service */

	struct config_shard shards[RH_MAX_SHARDS];
	size_t nshards;
	enum config_distribution distribution;
	enum config_hash hash;
	/* nutcracker's hash_tag for ketama and modula: the two characters
	 * around the part of a key that is hashed; "" for none */
	char hash_tag[CONFIG_HASH_TAG_LEN + 1];

	struct config_endpoint sentinels[CONFIG_MAX_SENTINELS];
	size_t nsentinels;
	enum config_follow sentinel_follow;
	uint32_t reconcile_ms;

	struct config_prefix acl[RH_MAX_ACL_RULES];
	size_t nacl;

	uint32_t snat_addr; /* network order; 0: the back interface's address */
	uint16_t snat_port_min, snat_port_max; /* host order */
	uint32_t flow_timeout_ms;
	uint32_t closing_timeout_ms;

	enum config_role role;
	uint32_t deadman_ms;
	uint32_t garp_count;
	uint32_t garp_interval_ms;
	struct config_vrrp vrrp;

	/* redisha-proxy (docs/proxy.md) */
	struct config_endpoint proxy_listen[CONFIG_MAX_PROXY_LISTEN];
	size_t nproxy_listen;
	uint32_t proxy_threads; /* 0: one per CPU */
	uint32_t proxy_server_connections; /* per shard, per thread */
	uint32_t proxy_max_clients;
	uint32_t proxy_connect_timeout_ms;
	uint32_t proxy_timeout_ms;	  /* a backend's reply; 0: none */
	uint32_t proxy_client_timeout;	  /* idle client, seconds; 0: none */
	uint32_t proxy_client_output_limit; /* bytes of replies; past: closed */
	uint32_t proto_max_bulk_len;
	uint32_t proxy_wait_replicas; /* 0: writes are not followed by WAIT */
	uint32_t proxy_wait_timeout_ms;
	bool proxy_allow_admin;
	bool proxy_allow_keys;

	/* clients of redisha-proxy authenticate as the `default` user with
	 * requirepass, or as one of `users`; the proxy authenticates to the
	 * masters as masteruser/masterauth */
	char requirepass[CONFIG_PASSWORD_MAX];
	struct config_user {
		char name[CONFIG_USER_MAX];
		bool on;
		char password[CONFIG_PASSWORD_MAX];
		int line;
	} users[CONFIG_MAX_USERS];
	size_t nusers;
	char masteruser[CONFIG_USER_MAX];
	char masterauth[CONFIG_PASSWORD_MAX];
	bool has_metrics;
	struct config_endpoint metrics;

	enum config_log_level log_level;
	bool log_syslog;
};

/*
 * Fill `cfg` with the defaults of every directive (docs/configuration.md).
 * Cannot fail.
 */
void config_init(struct config *cfg);

/*
 * Read `path` into `cfg`, which config_load initialises first. Returns 0, or
 * -EINVAL for a bad configuration and -errno when the file cannot be read;
 * then `err` holds "path:line: reason" (or "path: reason" for what concerns
 * the whole file) and `cfg` must not be used.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Parse `text` as if it were the contents of the file `name`; same contract
 * as config_load. For tests and for configuration passed on a command line.
 */
int config_parse(struct config *cfg, const char *name, const char *text,
		 char *err, size_t errlen) __attribute__((warn_unused_result));

/* The slots of shard `i`: its configured range, or its share of an even split. */
void config_shard_slots(const struct config *cfg, size_t i, uint16_t *first,
			uint16_t *last);

/* The name of `hash` as written in the file; NULL if out of the enum. */
const char *config_hash_name(enum config_hash hash);

#endif /* REDISHA_CONFIG_H */
