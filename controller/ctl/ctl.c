#include "ctl.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define INSTANCE_MAX 63 /* CONFIG_INSTANCE_MAX without the NUL */
#define STATE_STALE_S 5 /* redishad rewrites its state file every second */

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", CTL_NAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ctl_audit(const char *fmt, ...)
{
	char msg[CTL_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	openlog(CTL_NAME, LOG_PID, LOG_DAEMON);
	syslog(LOG_NOTICE, "uid %u: %s", (unsigned)getuid(), msg);
	closelog();
}

bool ctl_instance_valid(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (!len || len > INSTANCE_MAX || !strcmp(name, ".") ||
	    !strcmp(name, "..") ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") != len) {
		snprintf(err, errlen,
			 "bad instance name '%s': 1-%d letters, digits, '.', "
			 "'_' or '-'",
			 name, INSTANCE_MAX);
		return false;
	}
	return true;
}

int ctl_read_config(struct ctl *c, char *err, size_t errlen)
{
	__u32 zero = 0;

	return datapath_lookup(&c->dp, DP_MAP_CONFIG, &zero, &c->cfg, err,
			       errlen);
}

int ctl_open(struct ctl *c, char *err, size_t errlen)
{
	char why[CTL_ERR_MAX];
	int r = datapath_open_pinned(&c->dp, c->instance, why, sizeof(why));

	if (r == -ENOENT)
		snprintf(err, errlen,
			 "redishad is not running for instance %s (no maps in "
			 "%s/%s)",
			 c->instance, RH_PIN_ROOT, c->instance);
	else if (r == -EPERM || r == -EACCES)
		snprintf(err, errlen,
			 "needs root (CAP_BPF and CAP_NET_ADMIN): %s", why);
	else if (r)
		snprintf(err, errlen, "%s", why);
	if (r)
		return r;
	c->dp_open = true;
	if ((r = ctl_read_config(c, err, errlen)))
		ctl_close(c);
	return r;
}

void ctl_load_state(struct ctl *c)
{
	char err[CTL_ERR_MAX / 2];
	long long age;
	int r = statefile_read(c->instance, &c->st, err, sizeof(err));

	c->running = false;
	if (r == -ENOENT) {
		snprintf(c->why_not, sizeof(c->why_not),
			 "redishad is not running for instance %s "
			 "(no %s/%s.state)",
			 c->instance, STATEFILE_DIR, c->instance);
		return;
	}
	if (r) {
		snprintf(c->why_not, sizeof(c->why_not),
			 "redishad's state unreadable: %s", err);
		return;
	}
	if (!statefile_pid_alive(c->st.pid)) {
		snprintf(c->why_not, sizeof(c->why_not),
			 "redishad is not running for instance %s (pid %ld "
			 "of its state file is gone)",
			 c->instance, c->st.pid);
		return;
	}
	age = (long long)time(NULL) - c->st.updated;
	if (age > STATE_STALE_S) {
		snprintf(c->why_not, sizeof(c->why_not),
			 "redishad (pid %ld) has not updated its state for "
			 "%lld s",
			 c->st.pid, age);
		return;
	}
	c->running = true;
	c->why_not[0] = '\0';
}

void ctl_close(struct ctl *c)
{
	if (c->dp_open)
		datapath_close(&c->dp);
	c->dp_open = false;
}

const char *ctl_shard_name(const struct ctl *c, unsigned int id)
{
	const struct statefile_shard *s;

	if (!c->running)
		return NULL;
	s = statefile_shard_by_id(&c->st, id);
	return s ? s->name : NULL;
}

const char *ctl_shard_label(const struct ctl *c, unsigned int id, char *buf,
			    size_t len)
{
	const char *name = ctl_shard_name(c, id);

	if (name)
		return name;
	snprintf(buf, len, "%u", id);
	return buf;
}

int ctl_shard_ids(const struct ctl *c, uint32_t *ids, char *err,
		  size_t errlen)
{
	bool used[RH_MAX_SHARDS] = { false };
	struct rh_service_key key, prev_key;
	const struct rh_service_key *prev = NULL;
	int fd = c->dp.fds[DP_MAP_SERVICES], n = 0;
	struct rh_service svc;

	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (bpf_map_lookup_elem(fd, &key, &svc) == 0 &&
		    svc.kind == RH_SERVICE_SHARD &&
		    svc.shard_id < RH_MAX_SHARDS)
			used[svc.shard_id] = true;
		prev_key = key;
		prev = &prev_key;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "read %s: %s", RH_MAP_SERVICES,
			 strerror(errno));
		return -errno;
	}
	for (size_t i = 0; c->running && i < c->st.nshards; i++)
		used[c->st.shards[i].id] = true;
	for (uint32_t id = 0; id < RH_MAX_SHARDS; id++)
		if (used[id])
			ids[n++] = id;
	return n;
}

int ctl_shard_resolve(const struct ctl *c, const char *arg, uint32_t *id,
		      char *err, size_t errlen)
{
	uint32_t ids[RH_MAX_SHARDS];
	const struct statefile_shard *s;
	unsigned long v;
	int n;

	if (c->running && (s = statefile_shard_by_name(&c->st, arg))) {
		*id = s->id;
		return 0;
	}
	if (!*arg || strspn(arg, "0123456789") != strlen(arg)) {
		if (c->running)
			snprintf(err, errlen,
				 "unknown shard '%s' (see redisha-ctl shards)",
				 arg);
		else
			snprintf(err, errlen,
				 "unknown shard '%s': names need a running "
				 "redishad (%s); use the shard's id",
				 arg, c->why_not);
		return -ENOENT;
	}
	if ((n = ctl_shard_ids(c, ids, err, errlen)) < 0)
		return n;
	/* Past the array's end (ULONG_MAX on overflow) matches no id. */
	v = strtoul(arg, NULL, 10);
	for (int i = 0; i < n; i++)
		if (v == ids[i]) {
			*id = ids[i];
			return 0;
		}
	snprintf(err, errlen, "unknown shard id %s: no service uses it", arg);
	return -ENOENT;
}

void ctl_json_redishad(struct ctl *c)
{
	struct json *j = &c->js;

	json_key(j, "redishad");
	json_object_begin(j);
	json_kv_bool(j, "running", c->running);
	json_key(j, "pid");
	if (c->running)
		json_uint(j, (unsigned long long)c->st.pid);
	else
		json_null(j);
	json_kv_string(j, "reason", c->running ? NULL : c->why_not);
	json_object_end(j);
}

const char *ctl_ip_str(uint32_t addr, char *buf, size_t len)
{
	struct in_addr a = { addr };

	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *ctl_endpoint_str(uint32_t addr, uint16_t port, char *buf,
			     size_t len)
{
	char ip[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s:%u", ctl_ip_str(addr, ip, sizeof(ip)),
		 ntohs(port));
	return buf;
}

double ctl_age_s(unsigned long long then_ns)
{
	long long d = (long long)(datapath_now_ns() - then_ns);

	return d > 0 ? (double)d / 1e9 : 0.0;
}

const char *ctl_shard_state_name(unsigned int state)
{
	switch (state) {
	case RH_SHARD_UP: return "up";
	case RH_SHARD_DOWN: return "down";
	case RH_SHARD_NO_MASTER: return "no-master";
	}
	return "unknown";
}
