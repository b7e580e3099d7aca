/*
 * config_lex: the words and values of the configuration file, for the
 * configuration parser only (config.c, config_directives.c); no other module
 * includes this header.
 *
 * A line is split into words in place (config_lex_split); each word is then
 * converted by one of the value readers below, which apply the rules of
 * docs/configuration.md ("Values") and report through config_lex_fail(), so
 * every message reads "file:line: WHAT 'word': reason". A repeatable
 * directive's items go into their table through config_lex_append_unique().
 * Nothing here knows a directive: the caller says what the word is (WHAT)
 * and where it goes.
 *
 * Every function that can fail returns 0 (config_lex_split a word count,
 * config_lex_keyword an index) or -EINVAL, after writing the message into
 * the caller's buffer; a value reader that fails leaves its output alone.
 */
#ifndef REDISHA_CONFIG_LEX_H
#define REDISHA_CONFIG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CONFIG_LEX_ARGS_MAX 16 /* words on a line; shard and vrrp take 8 */
#define CONFIG_LEX_PORT_MAX 65535

/* Where reading is, and where its error goes: "name:line: reason". */
struct config_lex {
	const char *name; /* the file */
	char *err;	  /* the caller's buffer; a cut message ends in "..." */
	size_t errlen;
	int line; /* the line being read, from 1; 0 before the first */
};

/*
 * A repeatable directive's table in struct config, with the line of each item
 * (for "first on line N"); see config_lex_append_unique().
 */
struct config_lex_list {
	void *items;
	size_t *n;
	size_t max;
	size_t size;	 /* of one item */
	size_t key_size; /* the leading bytes of an item that identify it */
	int *lines;	 /* parallel to items */
	const char *noun, *plural;
};

#define CONFIG_LEX_LIST(table, count, line_table, key_size_, noun_, plural_)  \
	(&(const struct config_lex_list){                                     \
		.items = (table),                                             \
		.n = &(count),                                                \
		.max = sizeof(table) / sizeof((table)[0]),                    \
		.size = sizeof((table)[0]),                                   \
		.key_size = (key_size_),                                      \
		.lines = (line_table),                                        \
		.noun = (noun_),                                              \
		.plural = (plural_) })

/*
 * Write "name:line: " and the message into lx->err; a `line` of 0 writes
 * "name: " instead, for what concerns the whole file. Always returns -EINVAL,
 * so a caller can `return config_lex_fail_at(...)`.
 */
int config_lex_fail_at(const struct config_lex *lx, int line, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));
/* The same, at the line being read (lx->line). */
int config_lex_fail(const struct config_lex *lx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Split `line` into words in place, NULL-terminating `argv`, which has room
 * for CONFIG_LEX_ARGS_MAX + 1 pointers; returns the number of words (0 for a
 * blank or comment line) or -EINVAL. Blanks separate words; a word opening
 * with '"' runs to the next unescaped '"' (escapes: \" and \\), which must end
 * the word; a word opening with '#' starts a comment.
 */
int config_lex_split(const struct config_lex *lx, char *line, char **argv)
	__attribute__((warn_unused_result));

/*
 * If the next word is the keyword `kw` and a value follows, return that value
 * and step `*arg` past both; otherwise return NULL and leave `*arg` alone.
 * Cannot fail.
 */
const char *config_lex_take_option(char ***arg, const char *kw);

/* A decimal number within min..max, digits only (no sign, blank or 0x). */
int config_lex_number(const struct config_lex *lx, const char *what,
		      const char *s, uint32_t min, uint32_t max, uint32_t *out)
	__attribute__((warn_unused_result));

/* A port, 1..65535, host order. */
int config_lex_port(const struct config_lex *lx, const char *what,
		    const char *s, uint16_t *out)
	__attribute__((warn_unused_result));

/* FIRST-LAST, both within min..max, FIRST <= LAST. */
int config_lex_range(const struct config_lex *lx, const char *what,
		     const char *s, uint32_t min, uint32_t max, uint32_t *first,
		     uint32_t *last) __attribute__((warn_unused_result));

/*
 * The IPv4 address in the `len` bytes at `s`, strictly dotted-quad, into
 * `*out` in network order. With `unicast`, also refuse what cannot be a
 * host's address (0.0.0.0, broadcast, multicast).
 */
int config_lex_addr(const struct config_lex *lx, const char *what,
		    const char *s, size_t len, bool unicast, uint32_t *out)
	__attribute__((warn_unused_result));

/* ADDR:PORT; the address is checked as config_lex_addr() does. */
int config_lex_endpoint(const struct config_lex *lx, const char *what,
			const char *s, bool unicast,
			struct config_endpoint *out)
	__attribute__((warn_unused_result));

/*
 * The index of `s` in the `n` entries of `names` (case-insensitive, it is a
 * keyword), or -EINVAL with "expected A|B|..." built from `names`.
 */
int config_lex_keyword(const struct config_lex *lx, const char *what,
		       const char *s, const char *const *names, size_t n)
	__attribute__((warn_unused_result));

/* ASCII letters, digits and "_.-", whatever the locale. */
bool config_lex_is_name_char(int c);
/* What the kernel's dev_valid_name() accepts inside an interface name. */
bool config_lex_is_ifname_char(int c);

/*
 * A name of 1..max bytes, each passing `valid`, and never "." or "..": an
 * instance name is a directory under bpffs, an interface name one in sysfs.
 */
int config_lex_name(const struct config_lex *lx, const char *what,
		    const char *s, size_t max, bool (*valid)(int c))
	__attribute__((warn_unused_result));

/*
 * Append `item`, written `text` in the file, to the list with lx->line as its
 * line, unless the list is full or an item with the same key is there.
 */
int config_lex_append_unique(const struct config_lex *lx,
			     const struct config_lex_list *l, const void *item,
			     const char *text)
	__attribute__((warn_unused_result));

/* A host address (config_lex_addr with unicast), appended uniquely. */
int config_lex_add_address(const struct config_lex *lx,
			   const struct config_lex_list *l, const char *s)
	__attribute__((warn_unused_result));

#endif /* REDISHA_CONFIG_LEX_H */
