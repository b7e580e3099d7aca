/*
 * redisha-ctl: the command-line tool over a gateway's pinned maps
 * (DESIGN.md §1, §6; docs/cli.md). This file holds the command table, the
 * global options, and the dispatch: parse, open the maps and redishad's
 * state file, run the command, exit with its status.
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ctl.h"
#include "params.h"

#define OPTS_MAX 64 /* the largest command options struct */
#define EXIT_CHECK_UNKNOWN 3

struct command {
	const char *name; /* one word, or a group and a word: "acl add" */
	int (*run)(struct ctl *c, const void *opts);
	const struct params_opt *params;
	const void *defaults; /* NULL: zeroes */
	size_t opts_size;
	bool open_maps; /* check opens them itself: no maps is its answer */
	const char *help;
};

static const struct params_opt no_params[] = { PARAMS_END };

static const struct command commands[] = {
	{ "status", cmd_status, no_params, NULL, 0, true,
	  "redishad, heartbeat, VIPs, shard, flow and Sentinel counts" },
	{ "shards", cmd_show_shards, no_params, NULL, 0, true,
	  "each shard: port, master, state, generation" },
	{ "services", cmd_show_services, no_params, NULL, 0, true,
	  "each VIP:PORT and what it leads to" },
	{ "flows", cmd_flows, cmd_flows_params, &cmd_flows_defaults,
	  sizeof(struct cmd_flows_opts), true,
	  "NATed connections, most recently active first" },
	{ "stats", cmd_stats, cmd_stats_params, &cmd_stats_defaults,
	  sizeof(struct cmd_stats_opts), true,
	  "the datapath's counters, summed over CPUs" },
	{ "acl list", cmd_acl_list, no_params, NULL, 0, true,
	  "the client ACL, and whether it is enforced" },
	{ "acl add", cmd_acl_add, cmd_acl_add_params, NULL,
	  sizeof(struct cmd_acl_opts), true,
	  "add or change a rule (a first rule drops unmatched clients)" },
	{ "acl del", cmd_acl_del, cmd_acl_del_params, NULL,
	  sizeof(struct cmd_acl_opts), true,
	  "delete a rule (no rules: every client is allowed)" },
	{ "set-master", cmd_master_set, cmd_master_params, NULL,
	  sizeof(struct cmd_master_opts), true,
	  "override a shard's master (generation + 1, state up)" },
	{ "keyslot", cmd_keyslot, cmd_keyslot_params, &cmd_keyslot_defaults,
	  sizeof(struct cmd_keyslot_opts), false,
	  "the shard a key goes to, by the config file's distribution" },
	{ "check", cmd_check, no_params, NULL, 0, false,
	  "Nagios plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

_Static_assert(sizeof(struct cmd_flows_opts) <= OPTS_MAX, "OPTS_MAX");
_Static_assert(sizeof(struct cmd_stats_opts) <= OPTS_MAX, "OPTS_MAX");
_Static_assert(sizeof(struct cmd_acl_opts) <= OPTS_MAX, "OPTS_MAX");
_Static_assert(sizeof(struct cmd_master_opts) <= OPTS_MAX, "OPTS_MAX");
_Static_assert(sizeof(struct cmd_keyslot_opts) <= OPTS_MAX, "OPTS_MAX");

static const struct params_opt global_params[] = {
	{ .name = "instance", .short_opt = 'i', .kind = PARAMS_STRING,
	  PARAMS_FIELD(struct ctl_globals, instance), .metavar = "NAME",
	  .help = "redishad instance (its config's `instance`)" },
	{ .name = "json", .short_opt = 'j', .kind = PARAMS_FLAG,
	  PARAMS_FIELD(struct ctl_globals, json),
	  .help = "one JSON object instead of a table (docs/cli.md)" },
	{ .name = "help", .short_opt = 'h', .kind = PARAMS_FLAG,
	  PARAMS_FIELD(struct ctl_globals, help),
	  .help = "this text; after a command, the command's" },
	PARAMS_END,
};

static const struct ctl_globals global_defaults = { .instance = "default" };

static void print_synopsis(FILE *out, const struct command *cmd)
{
	fprintf(out, "usage: %s [options] %s", CTL_NAME, cmd->name);
	params_print_synopsis(out, cmd->params);
	fputc('\n', out);
}

static void print_help(FILE *out)
{
	fprintf(out,
		"usage: %s [options] COMMAND [ARGS]\n\n"
		"Shows and edits the pinned maps of a redisha gateway.\n\n"
		"options (before or after the command):\n",
		CTL_NAME);
	params_print_help(out, global_params, &global_defaults);
	fprintf(out, "\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char left[80];
		FILE *mem = fmemopen(left, sizeof(left), "w");

		if (!mem)
			continue;
		fputs(commands[i].name, mem);
		params_print_synopsis(mem, commands[i].params);
		fclose(mem);
		left[sizeof(left) - 1] = '\0';
		fprintf(out, "  %s\n      %s\n", left, commands[i].help);
	}
	fprintf(out,
		"\nexit status: 0 done, 1 error, 2 usage error; "
		"check: its Nagios status\n"
		"`%s COMMAND --help` shows a command's arguments.\n",
		CTL_NAME);
}

static void print_command_help(FILE *out, const struct command *cmd)
{
	print_synopsis(out, cmd);
	fprintf(out, "\n%s.\n", cmd->help);
	if (cmd->params[0].name) {
		fprintf(out, "\narguments and options:\n");
		params_print_help(out, cmd->params, cmd->defaults);
	}
	fprintf(out, "\noptions of every command:\n");
	params_print_help(out, global_params, &global_defaults);
}

/* The command named by words at argv; *nwords gets how many it took. A
 * group word alone ("acl") matches nothing: the caller says what would. */
static const struct command *find_command(int argc, char **argv, int *nwords)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name, *space = strchr(name, ' ');
		size_t first = space ? (size_t)(space - name) : strlen(name);

		if (strlen(argv[0]) != first || strncmp(argv[0], name, first))
			continue;
		if (!space) {
			*nwords = 1;
			return &commands[i];
		}
		if (argc > 1 && !strcmp(argv[1], space + 1)) {
			*nwords = 2;
			return &commands[i];
		}
	}
	return NULL;
}

/* "unknown command" or, for a group, the words that may follow it. */
static void explain_unknown(int argc, char **argv, char *err, size_t errlen)
{
	size_t n = (size_t)snprintf(err, errlen, "unknown command '%s'",
				    argv[0]);
	bool group = false;

	for (size_t i = 0; i < NCOMMANDS && n < errlen; i++) {
		const char *space = strchr(commands[i].name, ' ');

		if (!space || strncmp(commands[i].name, argv[0],
				      (size_t)(space - commands[i].name)) ||
		    strlen(argv[0]) != (size_t)(space - commands[i].name))
			continue;
		if (!group)
			n = (size_t)snprintf(err, errlen, "%s %s: expected",
					     argv[0],
					     argc > 1 ? argv[1] : "(nothing)");
		if (n < errlen)
			n += (size_t)snprintf(err + n, errlen - n, "%s%s",
					      group ? "," : "", space);
		group = true;
	}
}

/* Report a parse failure; the exit status. */
static int parse_failed(const struct command *cmd, int r, const char *err)
{
	bool check = cmd && cmd->run == cmd_check;

	ctl_error("%s", err);
	if (r == PARAMS_EUSAGE) {
		if (cmd)
			print_synopsis(stderr, cmd);
		fprintf(stderr, "(%s %s%s--help for more)\n", CTL_NAME,
			cmd ? cmd->name : "", cmd ? " " : "");
	}
	/* A Nagios plugin reports bad arguments as UNKNOWN. */
	if (check)
		return EXIT_CHECK_UNKNOWN;
	return r == PARAMS_EUSAGE ? CTL_EXIT_USAGE : CTL_EXIT_ERROR;
}

static int run(const struct command *cmd, const struct ctl_globals *g,
	       const void *opts)
{
	struct ctl c = { .instance = g->instance, .json = g->json };
	char err[CTL_ERR_MAX];
	int r;

	json_init(&c.js, stdout);
	if (cmd->open_maps) {
		if (ctl_open(&c, err, sizeof(err))) {
			ctl_error("%s", err);
			return CTL_EXIT_ERROR;
		}
		ctl_load_state(&c);
	}
	r = cmd->run(&c, opts);
	ctl_close(&c);
	if (fflush(stdout) || ferror(stdout)) {
		ctl_error("write to stdout: %s", strerror(errno));
		return r ? r : CTL_EXIT_ERROR;
	}
	return r;
}

int main(int argc, char **argv)
{
	struct ctl_globals g = global_defaults;
	struct params_set sets[2] = { { NULL, NULL },
				      { global_params, &g } };
	alignas(max_align_t) unsigned char opts[OPTS_MAX] = { 0 };
	const struct command *cmd;
	char err[CTL_ERR_MAX];
	int next, nwords, r;

	r = params_parse(&sets[1], 1, argc - 1, argv + 1, true, &next, err,
			 sizeof(err));
	if (r)
		return parse_failed(NULL, r, err);
	argc -= 1 + next;
	argv += 1 + next;
	if (argc == 0) {
		if (g.help) {
			print_help(stdout);
			return CTL_EXIT_OK;
		}
		return parse_failed(NULL, PARAMS_EUSAGE, "no command given");
	}
	cmd = find_command(argc, argv, &nwords);
	if (!cmd) {
		explain_unknown(argc, argv, err, sizeof(err));
		return parse_failed(NULL, PARAMS_EUSAGE, err);
	}
	if (cmd->defaults)
		memcpy(opts, cmd->defaults, cmd->opts_size);
	sets[0] = (struct params_set){ cmd->params, opts };
	r = params_parse(sets, 2, argc - nwords, argv + nwords, false, &next,
			 err, sizeof(err));
	if (g.help) {
		print_command_help(stdout, cmd);
		return CTL_EXIT_OK;
	}
	if (r)
		return parse_failed(cmd, r, err);
	if (!ctl_instance_valid(g.instance, err, sizeof(err)))
		return parse_failed(cmd, PARAMS_EVALUE, err);
	return run(cmd, &g, opts);
}
