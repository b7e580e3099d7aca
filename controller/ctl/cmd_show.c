/* shards, services: what the maps say, named by the state file. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "table.h"

struct service {
	struct rh_service_key key;
	struct rh_service svc;
};

static int by_vip_port(const void *a, const void *b)
{
	const struct rh_service_key *x = &((const struct service *)a)->key,
				    *y = &((const struct service *)b)->key;
	uint32_t xa = ntohl(x->addr), ya = ntohl(y->addr);
	uint16_t xp = ntohs(x->port), yp = ntohs(y->port);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return xp < yp ? -1 : xp > yp;
}

/* Every service, sorted by VIP then port; the count or -errno. */
static int read_services(const struct ctl *c, struct service *out,
			 char *err, size_t errlen)
{
	int fd = c->dp.fds[DP_MAP_SERVICES], n = 0;
	struct rh_service_key key, prev_key;
	const struct rh_service_key *prev = NULL;

	while (n < RH_MAX_SERVICES &&
	       bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (bpf_map_lookup_elem(fd, &key, &out[n].svc) == 0)
			out[n++].key = key;
		prev_key = key;
		prev = &prev_key;
	}
	if (n < RH_MAX_SERVICES && errno != ENOENT) {
		snprintf(err, errlen, "read %s: %s", RH_MAP_SERVICES,
			 strerror(errno));
		return -errno;
	}
	qsort(out, (size_t)n, sizeof(*out), by_vip_port);
	return n;
}

/* The shard's port on the VIPs: its service's, else the state file's. */
static unsigned int shard_port(const struct ctl *c, const struct service *svcs,
			       int nsvcs, uint32_t id)
{
	const struct statefile_shard *s;

	for (int i = 0; i < nsvcs; i++)
		if (svcs[i].svc.kind == RH_SERVICE_SHARD &&
		    svcs[i].svc.shard_id == id)
			return ntohs(svcs[i].key.port);
	s = c->running ? statefile_shard_by_id(&c->st, id) : NULL;
	return s ? s->port : 0;
}

static int read_shard(const struct ctl *c, uint32_t id, struct rh_shard *s,
		      char *err, size_t errlen)
{
	return datapath_lookup(&c->dp, DP_MAP_SHARDS, &id, s, err, errlen);
}

/* Let people know why shards show as ids (JSON says it in a field). */
static void note_not_running(const struct ctl *c)
{
	if (!c->running && !c->json)
		fprintf(stderr, "%s: note: %s; shards are shown by id\n",
			CTL_NAME, c->why_not);
}

/* Close the JSON array and object, or print the table; frees the table. */
static void finish_listing(struct ctl *c, struct table *t)
{
	if (c->json) {
		json_array_end(&c->js);
		json_object_end(&c->js);
	} else {
		note_not_running(c);
		table_print(t, stdout);
	}
	table_free(t);
}

int cmd_show_shards(struct ctl *c, const void *opts)
{
	static struct service svcs[RH_MAX_SERVICES];
	static const struct table_col cols[] = {
		{ "ID", true },	   { "NAME", false },  { "PORT", true },
		{ "MASTER", false }, { "STATE", false }, { "GENERATION", true },
	};
	uint32_t ids[RH_MAX_SHARDS];
	char err[CTL_ERR_MAX];
	struct table t;
	int n, nsvcs, r = CTL_EXIT_OK;

	(void)opts;
	if ((nsvcs = read_services(c, svcs, err, sizeof(err))) < 0 ||
	    (n = ctl_shard_ids(c, ids, err, sizeof(err))) < 0) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		ctl_json_redishad(c);
		json_key(&c->js, "shards");
		json_array_begin(&c->js);
	}
	for (int i = 0; i < n; i++) {
		char id[12], port[8], master[CTL_ADDR_MAX], gen[12];
		struct rh_shard s;
		bool has = false;

		if (read_shard(c, ids[i], &s, err, sizeof(err))) {
			ctl_error("shard %u: %s", ids[i], err);
			r = CTL_EXIT_ERROR;
			break;
		}
		has = s.state != RH_SHARD_NO_MASTER;
		snprintf(id, sizeof(id), "%u", ids[i]);
		snprintf(port, sizeof(port), "%u",
			 shard_port(c, svcs, nsvcs, ids[i]));
		ctl_endpoint_str(s.master_addr, s.master_port, master,
				 sizeof(master));
		snprintf(gen, sizeof(gen), "%u", s.generation);
		if (c->json) {
			struct json *j = &c->js;
			char ip[CTL_ADDR_MAX];

			json_object_begin(j);
			json_kv_uint(j, "id", ids[i]);
			json_kv_string(j, "name", ctl_shard_name(c, ids[i]));
			json_kv_uint(j, "port",
				     shard_port(c, svcs, nsvcs, ids[i]));
			json_kv_string(j, "master", has ? master : NULL);
			json_kv_string(j, "master_ip",
				       has ? ctl_ip_str(s.master_addr, ip,
							sizeof(ip))
					   : NULL);
			json_key(j, "master_port");
			if (has)
				json_uint(j, ntohs(s.master_port));
			else
				json_null(j);
			json_kv_string(j, "state",
				       ctl_shard_state_name(s.state));
			json_kv_uint(j, "generation", s.generation);
			json_object_end(j);
		} else {
			const char *row[] = { id,
					      ctl_shard_name(c, ids[i]),
					      port,
					      has ? master : NULL,
					      ctl_shard_state_name(s.state),
					      gen };

			if (table_row(&t, row)) {
				ctl_error("out of memory");
				r = CTL_EXIT_ERROR;
				break;
			}
		}
	}
	finish_listing(c, &t);
	return r;
}

static const char *kind_name(unsigned int kind)
{
	return kind == RH_SERVICE_SHARD	  ? "shard"
	       : kind == RH_SERVICE_PROXY ? "proxy"
					  : "unknown";
}

int cmd_show_services(struct ctl *c, const void *opts)
{
	static struct service svcs[RH_MAX_SERVICES];
	static const struct table_col cols[] = {
		{ "VIP:PORT", false }, { "KIND", false }, { "SHARD", false },
	};
	char err[CTL_ERR_MAX];
	struct table t;
	int n;

	(void)opts;
	if ((n = read_services(c, svcs, err, sizeof(err))) < 0) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		ctl_json_redishad(c);
		json_key(&c->js, "services");
		json_array_begin(&c->js);
	}
	table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	for (int i = 0; i < n; i++) {
		const struct service *s = &svcs[i];
		bool shard = s->svc.kind == RH_SERVICE_SHARD;
		char ep[CTL_ADDR_MAX], ip[CTL_ADDR_MAX], id[12];
		const char *label = shard ? ctl_shard_label(c, s->svc.shard_id,
							    id, sizeof(id))
					  : NULL;

		if (c->json) {
			struct json *j = &c->js;

			json_object_begin(j);
			json_kv_string(j, "vip",
				       ctl_ip_str(s->key.addr, ip, sizeof(ip)));
			json_kv_uint(j, "port", ntohs(s->key.port));
			json_kv_string(j, "kind", kind_name(s->svc.kind));
			json_key(j, "shard_id");
			if (shard)
				json_uint(j, s->svc.shard_id);
			else
				json_null(j);
			json_kv_string(j, "shard",
				       shard ? ctl_shard_name(c,
							      s->svc.shard_id)
					     : NULL);
			json_object_end(j);
			continue;
		}
		ctl_endpoint_str(s->key.addr, s->key.port, ep, sizeof(ep));
		if (table_row(&t, (const char *[]){ ep, kind_name(s->svc.kind),
						     label })) {
			ctl_error("out of memory");
			table_free(&t);
			return CTL_EXIT_ERROR;
		}
	}
	finish_listing(c, &t);
	return CTL_EXIT_OK;
}
