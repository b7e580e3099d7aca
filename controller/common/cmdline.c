#include "cmdline.h"

#include <stdbool.h>
#include <stdlib.h>

#define MAX_OPTIONS 16

void cmdline_usage(FILE *out, const char *synopsis,
		   const struct cmdline_option *opts, size_t n)
{
	fprintf(out, "usage: %s\n", synopsis);
	for (size_t i = 0; i < n; i++) {
		char left[40];

		snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].opt.val,
			 opts[i].opt.name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(out, "  %-28s %s\n", left, opts[i].help);
	}
}

int cmdline_parse(int argc, char **argv, const char *synopsis,
		  const struct cmdline_option *opts, size_t n, int required,
		  void (*on_option)(int letter, const char *arg, void *data),
		  void *data)
{
	struct option longs[MAX_OPTIONS + 1] = { 0 };
	char shorts[2 * MAX_OPTIONS + 1];
	bool seen_required = !required;
	size_t len = 0;
	int c;

	if (n > MAX_OPTIONS)
		abort(); /* a program's table, not input: fix the table */
	for (size_t i = 0; i < n; i++) {
		longs[i] = opts[i].opt;
		shorts[len++] = (char)opts[i].opt.val;
		if (opts[i].opt.has_arg == required_argument)
			shorts[len++] = ':';
	}
	shorts[len] = '\0';
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == 'h') {
			cmdline_usage(stdout, synopsis, opts, n);
			exit(0);
		}
		if (c == '?' || c == ':') {
			cmdline_usage(stderr, synopsis, opts, n);
			return -1;
		}
		seen_required |= c == required;
		on_option(c, optarg, data);
	}
	if (optind != argc || !seen_required) {
		cmdline_usage(stderr, synopsis, opts, n);
		return -1;
	}
	return 0;
}
