#include "statefile.h"
#include "errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 256
#define MAX_WORDS 5
#define COMM_PREFIX "redishad" /* its comm; the sanitizer build's too */

void statefile_path(const char *instance, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.state", STATEFILE_DIR, instance);
}

/* Split on single spaces (the writer never puts two); word count. */
static int split(char *s, char **w)
{
	int n = 0;

	for (char *tok = strtok(s, " "); tok; tok = strtok(NULL, " ")) {
		if (n == MAX_WORDS)
			return -1;
		w[n++] = tok;
	}
	return n;
}

static bool number(const char *s, unsigned long long max,
		   unsigned long long *v)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end && *v <= max;
}

/* One record (line already split); false if it is malformed. */
static bool record(struct statefile *st, char **w, int n)
{
	unsigned long long a, b;

	if (!strcmp(w[0], "pid") && n == 2 && number(w[1], 1u << 30, &a))
		st->pid = (long)a;
	else if (!strcmp(w[0], "updated") && n == 2 &&
		 number(w[1], 1ull << 62, &a))
		st->updated = (long long)a;
	else if (!strcmp(w[0], "active") && n == 2 && number(w[1], 1, &a))
		st->active = a;
	else if (!strcmp(w[0], "failovers") && n == 2 &&
		 number(w[1], ~0ull, &a))
		st->failovers = a;
	else if (!strcmp(w[0], "shard") && n == 4 &&
		 number(w[1], RH_MAX_SHARDS - 1, &a) &&
		 number(w[3], 65535, &b) &&
		 strlen(w[2]) < RH_SHARD_NAME_MAX &&
		 st->nshards < RH_MAX_SHARDS) {
		struct statefile_shard *s = &st->shards[st->nshards++];

		s->id = (unsigned int)a;
		s->port = (unsigned int)b;
		memcpy(s->name, w[2], strlen(w[2]) + 1);
	} else if (!strcmp(w[0], "sentinel") && n == 3 &&
		   strlen(w[1]) < STATEFILE_ADDR_MAX &&
		   (!strcmp(w[2], "up") || !strcmp(w[2], "down")) &&
		   st->nsentinels < STATEFILE_MAX_SENTINELS) {
		struct statefile_sentinel *s = &st->sentinels[st->nsentinels++];

		memcpy(s->addr, w[1], strlen(w[1]) + 1);
		s->up = !strcmp(w[2], "up");
	} else if (!strcmp(w[0], "vrrp") && n == 4 &&
		   strlen(w[1]) < sizeof(st->vrrp_state) &&
		   number(w[2], 255, &a) &&
		   strlen(w[3]) < sizeof(st->vrrp_master)) {
		st->has_vrrp = true;
		memcpy(st->vrrp_state, w[1], strlen(w[1]) + 1);
		st->vrrp_priority = (unsigned int)a;
		memcpy(st->vrrp_master, w[3], strlen(w[3]) + 1);
	} else if (!strcmp(w[0], "pid") || !strcmp(w[0], "updated") ||
		   !strcmp(w[0], "active") || !strcmp(w[0], "failovers") ||
		   !strcmp(w[0], "shard") || !strcmp(w[0], "sentinel") ||
		   !strcmp(w[0], "vrrp")) {
		return false; /* a record we know, in a shape we do not */
	}
	return true;
}

int statefile_parse(FILE *f, const char *name, struct statefile *st,
		    char *err, size_t errlen)
{
	char line[LINE_MAX_BYTES], *w[MAX_WORDS];
	unsigned long long version;
	int lineno = 0, n;

	memset(st, 0, sizeof(*st));
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f))
			return errmsg_fail(err, errlen, EINVAL, "%s:%d: line too long",
				    name, lineno);
		n = split(line, w);
		if (lineno == 1) {
			if (n != 2 || strcmp(w[0], "redisha-state") ||
			    !number(w[1], 1000, &version))
				return errmsg_fail(err, errlen, EINVAL,
					    "%s: not a redisha state file",
					    name);
			if (version != STATEFILE_VERSION)
				return errmsg_fail(err, errlen, EPROTO,
					    "%s: format %llu, this redisha-ctl "
					    "reads %d",
					    name, version, STATEFILE_VERSION);
			continue;
		}
		if (n == 0)
			continue;
		if (n < 0 || !record(st, w, n))
			return errmsg_fail(err, errlen, EINVAL,
				    "%s:%d: malformed line", name, lineno);
	}
	if (ferror(f))
		return errmsg_fail(err, errlen, EIO, "read %s: %s", name,
			    strerror(EIO));
	if (lineno == 0)
		return errmsg_fail(err, errlen, EINVAL, "%s: empty", name);
	return 0;
}

int statefile_read(const char *instance, struct statefile *st, char *err,
		   size_t errlen)
{
	char path[sizeof(STATEFILE_DIR) + 80];
	FILE *f;
	int r;

	statefile_path(instance, path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return errmsg_fail(err, errlen, errno, "open %s: %s", path,
			    strerror(errno));
	r = statefile_parse(f, path, st, err, errlen);
	fclose(f);
	return r;
}

bool statefile_pid_alive(long pid)
{
	char path[64], buf[512], *p;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold spaces and parentheses, so the
	 * state is after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false;
	p = strchr(buf, '(');
	return p && !strncmp(p + 1, COMM_PREFIX, strlen(COMM_PREFIX));
}

const struct statefile_shard *statefile_shard_by_id(const struct statefile *st,
						    unsigned int id)
{
	for (size_t i = 0; i < st->nshards; i++)
		if (st->shards[i].id == id)
			return &st->shards[i];
	return NULL;
}

const struct statefile_shard *
statefile_shard_by_name(const struct statefile *st, const char *name)
{
	for (size_t i = 0; i < st->nshards; i++)
		if (!strcmp(st->shards[i].name, name))
			return &st->shards[i];
	return NULL;
}

size_t statefile_sentinels_up(const struct statefile *st)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nsentinels; i++)
		n += st->sentinels[i].up;
	return n;
}
