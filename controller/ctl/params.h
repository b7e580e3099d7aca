/*
 * params: command-line options from one table per command (xdp-tools
 * params.h style). Each entry binds an option, or a positional argument,
 * to a field of the command's own options struct, with a kind that checks
 * and converts the value while parsing. The same tables print --help and
 * the usage line, so the help cannot drift from what is parsed.
 */
#ifndef REDISHA_CTL_PARAMS_H
#define REDISHA_CTL_PARAMS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum params_kind {
	PARAMS_FLAG,	 /* bool; takes no value */
	PARAMS_UINT,	 /* unsigned long in [min, max] */
	PARAMS_STRING,	 /* const char *, pointing into argv */
	PARAMS_ENUM,	 /* unsigned int, the value of one of `choices` */
	PARAMS_ENDPOINT, /* struct params_endpoint, from IP:PORT */
	PARAMS_PREFIX,	 /* struct params_prefix, from A.B.C.D[/LEN] */
};

/* An IPv4 address and TCP port, both in network order. */
struct params_endpoint {
	uint32_t addr;
	uint16_t port;
};

/* An IPv4 prefix: address in network order, no bits set past `len`. */
struct params_prefix {
	uint32_t addr;
	uint32_t len;
};

struct params_choice {
	const char *name;
	unsigned int value;
};

struct params_opt {
	const char *name; /* --name, or a positional's placeholder */
	char short_opt;	  /* -x; 0 for none */
	enum params_kind kind;
	bool positional; /* required, taken in table order */
	size_t offset, size; /* the field, set by PARAMS_FIELD */
	const char *metavar; /* the value's placeholder in the help */
	const char *help;
	unsigned long min, max;		     /* PARAMS_UINT */
	const struct params_choice *choices; /* PARAMS_ENUM: ends with NULL */
};

#define PARAMS_FIELD(type, member)       \
	.offset = offsetof(type, member), \
	.size = sizeof(((type *)0)->member)
#define PARAMS_END { .name = NULL }

/* A table and the struct its entries write into. */
struct params_set {
	const struct params_opt *opts;
	void *cfg;
};

/* What params_parse returns besides 0: usage errors print the usage. */
#define PARAMS_EUSAGE (-EINVAL) /* unknown option, missing argument, ... */
#define PARAMS_EVALUE (-EDOM)	/* a value its kind rejects */

/*
 * Parse argv[0..argc-1]. Options of every set are accepted anywhere (the
 * first set that knows a name wins); positionals fill the first set's, in
 * order. With `stop_at_word`, parsing stops at the first word that is not
 * an option and *next gets its index; otherwise every positional must be
 * matched and *next is argc. "--" ends the options. Returns 0,
 * PARAMS_EUSAGE or PARAMS_EVALUE, with the reason in `err`.
 */
int params_parse(const struct params_set *sets, size_t nsets, int argc,
		 char **argv, bool stop_at_word, int *next, char *err,
		 size_t errlen) __attribute__((warn_unused_result));

/* The synopsis of a table: "[-n N] [-s NAME] CIDR ACTION". */
void params_print_synopsis(FILE *out, const struct params_opt *opts);

/* One line per option and positional, with defaults read from
 * `defaults` (a struct of the table's type; NULL for none). */
void params_print_help(FILE *out, const struct params_opt *opts,
		       const void *defaults);

/* Parsers behind the kinds, for values read from elsewhere. Each returns
 * 0 or -EINVAL and says why in `err`. */
int params_parse_endpoint(const char *s, struct params_endpoint *out,
			  char *err, size_t errlen)
	__attribute__((warn_unused_result));
int params_parse_prefix(const char *s, struct params_prefix *out, char *err,
			size_t errlen) __attribute__((warn_unused_result));

#endif /* REDISHA_CTL_PARAMS_H */
