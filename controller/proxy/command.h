/*
 * command: what redisha-proxy knows of each Redis command — arity, flags,
 * and where its keys are — from the table in command_table.c, which
 * gen_command_table.py generates from a real redis-server's COMMAND INFO
 * (Redis 7.0 key specs included), and the lookup of a request's keys.
 */
#ifndef REDISHA_COMMAND_H
#define REDISHA_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "resp.h"

/* Command flags, as COMMAND INFO lists them (only those the proxy uses). */
#define CMD_WRITE (1u << 0)
#define CMD_READONLY (1u << 1)
#define CMD_ADMIN (1u << 2)
#define CMD_PUBSUB (1u << 3)
#define CMD_NOSCRIPT (1u << 4)
#define CMD_BLOCKING (1u << 5)
#define CMD_MOVABLEKEYS (1u << 6)
#define CMD_DENYOOM (1u << 7)
#define CMD_FAST (1u << 8)
#define CMD_NO_AUTH (1u << 9)
#define CMD_NO_MULTI (1u << 10)
#define CMD_LOADING (1u << 11)
#define CMD_STALE (1u << 12)

/* A Redis 7 key spec: where the search for keys begins, then how keys are
 * found from there (COMMAND DOCS / "Key specifications" in Redis's docs). */
enum command_begin {
	CMD_BEGIN_INDEX = 0, /* at argv[index] */
	CMD_BEGIN_KEYWORD,   /* after `keyword`, searched from `startfrom` */
	CMD_BEGIN_UNKNOWN,
};
enum command_find {
	CMD_FIND_RANGE = 0, /* lastkey (relative; -1 = end), keystep, limit */
	CMD_FIND_KEYNUM,    /* count at keynumidx, first key at firstkey */
	CMD_FIND_UNKNOWN,
};

struct command_key_spec {
	enum command_begin begin;
	int index;		/* CMD_BEGIN_INDEX */
	const char *keyword;	/* CMD_BEGIN_KEYWORD */
	int startfrom;		/* CMD_BEGIN_KEYWORD; negative: from the end */
	enum command_find find;
	int lastkey, keystep, limit; /* CMD_FIND_RANGE */
	int keynumidx, firstkey;     /* CMD_FIND_KEYNUM (keystep too) */
};

struct command_info {
	const char *name; /* lower case; "client|setname" for a subcommand */
	int arity;	  /* as Redis: -N means at least N arguments */
	uint32_t flags;	  /* CMD_* */
	const struct command_key_spec *key_specs;
	size_t nkey_specs;
	const struct command_info *subcommands; /* sorted by name */
	size_t nsubcommands;
};

/* The generated table (command_table.c), sorted by name. */
extern const struct command_info command_table[];
extern const size_t command_table_len;

/*
 * The command of a request: argv[0] looked up without regard to case, then,
 * for a container (CLIENT, CONFIG, OBJECT, XINFO...), argv[1] among its
 * subcommands. NULL when unknown, or a container's subcommand is; a
 * container alone (argc 1) is itself (arity -2 then refuses it, as Redis
 * does). Arity is not checked here.
 */
const struct command_info *command_lookup(size_t argc,
					  const struct resp_slice *argv);

/* Whether argc fits the command's arity. */
int command_arity_ok(const struct command_info *cmd, size_t argc);

/*
 * The positions in argv of the request's keys, in argument order, as
 * Redis's getKeysUsingKeySpecs finds them (and, for SORT, SORT_RO and
 * MIGRATE, whose specs cannot say, as its sortGetKeys and
 * migrateGetKeys do). Fills at most `max` positions
 * into `pos` and returns how many keys there are (which may exceed max),
 * or -EINVAL when the request is malformed for its key specs (a key
 * count that is not a number or runs past argc; Redis then refuses the
 * command too) or a spec is of an unknown kind.
 */
int command_keys(const struct command_info *cmd, size_t argc,
		 const struct resp_slice *argv, size_t *pos, size_t max)
	__attribute__((warn_unused_result));

#endif /* REDISHA_COMMAND_H */
