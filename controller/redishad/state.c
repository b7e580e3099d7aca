#include "state.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_BYTES 192

static void state_path(const struct config *cfg, char *path, size_t len,
		       const char *suffix)
{
	/* The instance name is at most 63 bytes: this cannot truncate. */
	snprintf(path, len, "%s/%s.state%s", STATE_DIR, cfg->instance, suffix);
}

int state_write(const struct config *cfg, const struct topology *topo,
		const struct sentinel_watch *watch, bool active,
		const struct vrrp *vrrp, char *err, size_t errlen)
{
	char path[PATH_BYTES], tmp[PATH_BYTES];
	FILE *f;

	if (mkdir(STATE_DIR, 0755) && errno != EEXIST)
		goto fail_dir;
	state_path(cfg, path, sizeof(path), "");
	state_path(cfg, tmp, sizeof(tmp), ".tmp");
	f = fopen(tmp, "w");
	if (!f)
		goto fail;
	fprintf(f, "redisha-state %d\npid %ld\nupdated %lld\nactive %d\n",
		STATE_VERSION, (long)getpid(), (long long)time(NULL), active);
	for (size_t i = 0; i < topo->nshards; i++)
		fprintf(f, "shard %zu %s %u\n", i, topo->shards[i].name,
			cfg->shards[i].port);
	for (size_t i = 0; i < watch->n; i++)
		fprintf(f, "sentinel %s %s\n", watch->sentinels[i].addr,
			watch->sentinels[i].cmd.connected ? "up" : "down");
	fprintf(f, "failovers %llu\n", (unsigned long long)topo->failovers);
	if (vrrp)
		fprintf(f, "vrrp %s %u %s\n", vrrp_state_name(vrrp->state),
			vrrp->priority,
			vrrp->master_addr
				? inet_ntoa((struct in_addr){ vrrp->master_addr })
				: "-");
	if (fclose(f))
		goto fail;
	if (rename(tmp, path))
		goto fail;
	return 0;
fail_dir:
	snprintf(err, errlen, "mkdir %s: %s", STATE_DIR, strerror(errno));
	return -errno;
fail:
	snprintf(err, errlen, "write %s: %s", tmp, strerror(errno));
	return -errno;
}

void state_remove(const struct config *cfg)
{
	char path[PATH_BYTES];

	state_path(cfg, path, sizeof(path), "");
	unlink(path);
}
