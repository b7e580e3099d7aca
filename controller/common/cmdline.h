/*
 * cmdline: the daemons' command lines. One table per program gives
 * getopt_long its options and --help its text, so they cannot disagree.
 */
#ifndef REDISHA_CMDLINE_H
#define REDISHA_CMDLINE_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct cmdline_option {
	struct option opt; /* name, has_arg, NULL, short letter */
	const char *arg;   /* the argument's name in --help, or NULL */
	const char *help;
};

/* The rows every daemon has: its configuration, the foreground, help. */
#define CMDLINE_CONFIG                                                  \
	{ { "config", required_argument, NULL, 'c' }, "FILE",             \
	  "configuration file (required; docs/configuration.md)" }
#define CMDLINE_FOREGROUND                                              \
	{ { "foreground", no_argument, NULL, 'f' }, NULL,                 \
	  "stay in the foreground, log to stderr (default: daemon, syslog)" }
#define CMDLINE_HELP { { "help", no_argument, NULL, 'h' }, NULL, "this text" }

/* "usage: SYNOPSIS", then one line per option. */
void cmdline_usage(FILE *out, const char *synopsis,
		   const struct cmdline_option *opts, size_t n);

/*
 * Parse argv against `opts`, calling on_option(letter, optarg, data) for
 * each option found. -h/--help (which the table must list) prints the
 * usage and exits 0. Returns 0, or -1 after printing the usage on stderr
 * for an unknown option, a missing argument, a word that is no option, or
 * the option `required` (a letter; 0 for none) absent.
 */
int cmdline_parse(int argc, char **argv, const char *synopsis,
		  const struct cmdline_option *opts, size_t n, int required,
		  void (*on_option)(int letter, const char *arg, void *data),
		  void *data) __attribute__((warn_unused_result));

#endif /* REDISHA_CMDLINE_H */
