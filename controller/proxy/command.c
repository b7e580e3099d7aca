/*
 * command: lookup in the generated command table, arity, and the keys of a
 * request found from Redis 7 key specs.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "command.h"

/* The most key specs of one command; gen_command_table.py refuses a table
 * with more (GEORADIUS has 3 in Redis 7.0). */
#define MAX_KEY_SPECS 8

/* ASCII only: command names are, and a locale must not change routing. */
static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Compare an argument, ignoring case, with a lower-case name: <0, 0, >0
 * as strcmp would on the lower-cased argument. */
static int name_cmp(const struct resp_slice *arg, const char *name)
{
	size_t i;

	for (i = 0; i < arg->len && name[i]; i++) {
		int d =
		    lower((unsigned char)arg->ptr[i]) - (unsigned char)name[i];

		if (d)
			return d;
	}
	if (i < arg->len)
		return 1;
	return name[i] ? -1 : 0;
}

/* Binary search of a sorted table; `skip` bytes of each name (a
 * subcommand's "container|") are not compared. */
static const struct command_info *search(const struct command_info *table,
					 size_t n, size_t skip,
					 const struct resp_slice *arg)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = name_cmp(arg, table[mid].name + skip);

		if (!d)
			return &table[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct command_info *command_lookup(size_t argc,
					  const struct resp_slice *argv)
{
	const struct command_info *cmd;

	if (!argc)
		return NULL;
	cmd = search(command_table, command_table_len, 0, &argv[0]);
	if (!cmd || !cmd->nsubcommands || argc < 2)
		return cmd; /* a bare container: its arity (-2) refuses it */
	return search(cmd->subcommands, cmd->nsubcommands,
		      strlen(cmd->name) + 1, &argv[1]);
}

int command_arity_ok(const struct command_info *cmd, size_t argc)
{
	if (cmd->arity >= 0)
		return argc == (size_t)cmd->arity;
	return argc >= (size_t)(-(long)cmd->arity);
}

/* Whether an argument is `s`, ignoring ASCII case. */
static int eq_nocase(const struct resp_slice *arg, const char *s)
{
	size_t i;

	for (i = 0; i < arg->len; i++)
		if (!s[i] || lower((unsigned char)arg->ptr[i]) !=
				 lower((unsigned char)s[i]))
			return 0;
	return !s[i];
}

/* A key count as Redis's string2ll takes it (no sign, space or leading
 * zero), and no more than `max`. */
static int parse_count(const struct resp_slice *arg, long max, long *n)
{
	long v = 0;

	if (!arg->len || (arg->ptr[0] == '0' && arg->len > 1))
		return -EINVAL;
	for (size_t i = 0; i < arg->len; i++) {
		if (arg->ptr[i] < '0' || arg->ptr[i] > '9')
			return -EINVAL;
		v = v * 10 + (arg->ptr[i] - '0');
		if (v > max)
			return -EINVAL;
	}
	*n = v;
	return 0;
}

/* The keys one spec finds: argv[first], argv[first + step]... up to
 * argv[last]; none when last < first. */
struct span {
	long first, last, step;
};

/* Where a spec's keys begin: the index, or the argument after its keyword
 * (0 when the keyword is absent). */
static int spec_begin(const struct command_key_spec *ks, long argc,
		      const struct resp_slice *argv, long *first)
{
	long i;

	*first = 0;
	switch (ks->begin) {
	case CMD_BEGIN_INDEX:
		*first = ks->index;
		return 0;
	case CMD_BEGIN_KEYWORD:
		/* As Redis searches: forwards up to the second to last
		 * argument (a key must follow), or backwards from
		 * argc + startfrom down to argv[2]. */
		if (ks->startfrom > 0) {
			for (i = ks->startfrom; i < argc - 1; i++)
				if (eq_nocase(&argv[i], ks->keyword))
					break;
			if (i < argc - 1)
				*first = i + 1;
		} else {
			for (i = argc + ks->startfrom; i > 1 && i < argc; i--)
				if (eq_nocase(&argv[i], ks->keyword))
					break;
			if (i > 1 && i < argc)
				*first = i + 1;
		}
		return 0;
	default:
		return -EINVAL;
	}
}

static int spec_span(const struct command_key_spec *ks, long argc,
		     const struct resp_slice *argv, struct span *sp)
{
	long first, last, n;
	int r;

	sp->first = 1;
	sp->last = 0;
	sp->step = ks->keystep;
	r = spec_begin(ks, argc, argv, &first);
	if (r || !first)
		return r;
	switch (ks->find) {
	case CMD_FIND_RANGE:
		if (ks->lastkey >= 0)
			last = first + ks->lastkey;
		else if (!ks->limit)
			last = argc + ks->lastkey;
		else /* only the first 1/limit of what follows (XREAD) */
			last = first + (argc - first) / ks->limit + ks->lastkey;
		break;
	case CMD_FIND_KEYNUM:
		if (first + ks->keynumidx >= argc ||
		    parse_count(&argv[first + ks->keynumidx], argc, &n))
			return -EINVAL;
		first += ks->firstkey;
		/* Redis takes the count as arguments, whatever the step. */
		last = first + n - 1;
		/* No keys is fine (EVAL s 0), though Redis's key specs only
		 * get that right through its fallback, evalGetKeys. */
		if (!n)
			return 0;
		break;
	default:
		return -EINVAL;
	}
	if (ks->keystep < 1 || first < 1 || first >= argc || last < first ||
	    last >= argc)
		return -EINVAL;
	sp->first = first;
	sp->last = last;
	return 0;
}

static size_t put(size_t *pos, size_t max, size_t n, size_t at)
{
	if (n < max)
		pos[n] = at;
	return n + 1;
}

/* SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE dst]:
 * the key, and the destination of the last STORE (Redis's sortGetKeys). */
static int sort_keys(size_t argc, const struct resp_slice *argv, size_t *pos,
		     size_t max)
{
	size_t n = put(pos, max, 0, 1), store = 0;

	for (size_t i = 2; i < argc; i++) {
		if (eq_nocase(&argv[i], "limit"))
			i += 2;
		else if (eq_nocase(&argv[i], "get") || eq_nocase(&argv[i], "by"))
			i += 1;
		else if (eq_nocase(&argv[i], "store") && i + 1 < argc)
			store = ++i;
	}
	if (store)
		n = put(pos, max, n, store);
	return (int)n;
}

/* MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH...] [KEYS k...]:
 * the key, or with an empty key the keys after KEYS (migrateGetKeys). */
static int migrate_keys(size_t argc, const struct resp_slice *argv,
			size_t *pos, size_t max)
{
	size_t n = 0;

	if (!argv[3].len) {
		for (size_t i = 6; i < argc; i++) {
			if (!eq_nocase(&argv[i], "keys"))
				continue;
			while (++i < argc)
				n = put(pos, max, n, i);
			return (int)n;
		}
	}
	return (int)put(pos, max, 0, 3);
}

int command_keys(const struct command_info *cmd, size_t argc,
		 const struct resp_slice *argv, size_t *pos, size_t max)
{
	struct span sp[MAX_KEY_SPECS];
	size_t j, n = 0;
	int r;

	/* The count is returned as an int. */
	if (cmd->nkey_specs > MAX_KEY_SPECS || argc > INT_MAX)
		return -EINVAL;
	/* Where the key specs cannot say, Redis has code of its own. */
	if ((!strcmp(cmd->name, "sort") || !strcmp(cmd->name, "sort_ro")) &&
	    argc >= 2)
		return sort_keys(argc, argv, pos, max);
	if (!strcmp(cmd->name, "migrate") && argc >= 6)
		return migrate_keys(argc, argv, pos, max);
	for (j = 0; j < cmd->nkey_specs; j++) {
		r = spec_span(&cmd->key_specs[j], (long)argc, argv, &sp[j]);
		if (r)
			return r;
	}
	/* Merge the specs' positions in argument order; one that several
	 * specs find counts once. */
	for (;;) {
		long next = LONG_MAX;

		for (j = 0; j < cmd->nkey_specs; j++)
			if (sp[j].first <= sp[j].last && sp[j].first < next)
				next = sp[j].first;
		if (next == LONG_MAX)
			break;
		for (j = 0; j < cmd->nkey_specs; j++)
			if (sp[j].first == next)
				sp[j].first += sp[j].step;
		if (n < max)
			pos[n] = (size_t)next;
		n++;
	}
	return (int)n;
}
