#define _GNU_SOURCE /* accept4 */
#include "worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "client.h"
#include "errmsg.h"
#include "log.h"
#include "request.h"
#include "pubsub.h"
#include "tx.h"

#define ACCEPTS_PER_EVENT 64
#define ACCEPT_REST_MS 100 /* out of descriptors: stop accepting this long */

size_t worker_endpoints(const struct config *cfg,
			struct config_endpoint out[PROXY_MAX_LISTEN])
{
	size_t n = 0;

	if (cfg->proxy_port)
		for (size_t i = 0; i < cfg->nvips; i++)
			out[n++] = (struct config_endpoint){
				.addr = cfg->vips[i],
				.port = htons(cfg->proxy_port),
			};
	for (size_t i = 0; i < cfg->nproxy_listen; i++)
		out[n++] = cfg->proxy_listen[i];
	return n;
}

static int listen_on(const struct config_endpoint *ep, char *err,
		     size_t errlen)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = ep->addr,
		.sin_port = ep->port,
	};
	char ip[INET_ADDRSTRLEN] = "?";
	int one = 1, fd, e;

	inet_ntop(AF_INET, &ep->addr, ip, sizeof(ip));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_fail(err, errlen, errno, "socket: %s",
				   strerror(errno));
	/* FREEBIND: the VIP may not be on this host yet (redishad adds it
	 * to lo when it starts), and a listener must not depend on that. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 511)) {
		e = errno;
		close(fd);
		return errmsg_fail(err, errlen, e, "listen on %s:%u: %s", ip,
				   ntohs(ep->port), strerror(e));
	}
	return fd;
}

void worker_mark_client(struct worker *w, struct client *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = w->dirty_clients;
	w->dirty_clients = c;
}

void worker_mark_backend(struct worker *w, struct backend *b)
{
	if (b->dirty)
		return;
	b->dirty = true;
	b->dirty_next = w->dirty_backends;
	w->dirty_backends = b;
}

/* Before the loop waits: one write per backend for all the requests of
 * this round, then the clients' replies (which may resume their reading
 * and so queue more requests). */
static void flush_dirty(struct evloop *loop, void *data)
{
	struct worker *w = data;

	(void)loop;
	while (w->dirty_backends || w->dirty_clients) {
		while (w->dirty_backends) {
			struct backend *b = w->dirty_backends;

			w->dirty_backends = b->dirty_next;
			b->dirty = false;
			backend_flush(b);
		}
		while (w->dirty_clients) {
			struct client *c = w->dirty_clients;

			w->dirty_clients = c->dirty_next;
			c->dirty = false;
			client_flush(c);
		}
	}
}

static void on_accept(struct evloop *loop, int fd, unsigned events,
		      void *data);

/* Listen (again) on every listener; on failure the worker keeps serving
 * its clients and says it cannot accept. */
static void watch_listeners(struct evloop *loop, void *data)
{
	struct worker *w = data;

	for (size_t i = 0; i < w->nlisten; i++)
		if (evloop_watch(loop, w->listen_fds[i], EV_READ, on_accept, w))
			log_err("worker", "thread %zu: cannot watch a listener",
				w->id);
}

/* accept() fails while the process is out of descriptors, and the
 * listener stays readable: without a rest the loop would spin. */
static void rest_listeners(struct worker *w)
{
	for (size_t i = 0; i < w->nlisten; i++)
		if (evloop_watch(&w->loop, w->listen_fds[i], 0, NULL, NULL))
			log_err("worker", "thread %zu: cannot unwatch a listener",
				w->id);
	evloop_timer_start(&w->loop, &w->accept_timer, ACCEPT_REST_MS,
			   watch_listeners, w);
}

static void on_accept(struct evloop *loop, int fd, unsigned events,
		      void *data)
{
	struct worker *w = data;

	(void)loop;
	(void)events;
	for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			client_accept(w, cfd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("worker", "accept: %s: not accepting for %d ms",
				 strerror(errno), ACCEPT_REST_MS);
			rest_listeners(w);
		} else if (errno != EAGAIN && errno != EINTR &&
			   errno != ECONNABORTED) {
			log_warn("worker", "accept: %s", strerror(errno));
		}
		return;
	}
}

static void on_wake(struct evloop *loop, int fd, unsigned events, void *data)
{
	uint64_t v;

	(void)events;
	(void)data;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("worker", "eventfd: %s", strerror(errno));
	evloop_stop(loop);
}

struct backend *worker_backend(struct worker *w, enum resp_proto proto,
			       size_t shard, size_t i)
{
	size_t conns = w->px->cfg.proxy_server_connections;
	size_t set = proto == RESP3 ? w->px->cfg.nshards * conns : 0;

	return &w->backends[set + shard * conns + i];
}

static void master_changed(void *ctx, size_t shard)
{
	struct worker *w = ctx;

	for (size_t i = 0; i < w->px->cfg.proxy_server_connections; i++) {
		backend_master_changed(worker_backend(w, RESP2, shard, i));
		backend_master_changed(worker_backend(w, RESP3, shard, i));
	}
	for (struct client *c = w->clients; c; c = c->next) {
		tx_master_changed(c, shard);
		pubsub_master_changed(c, shard);
	}
}

static void poll_masters(struct evloop *loop, void *data)
{
	struct worker *w = data;

	masters_refresh(&w->masters, master_changed, w);
	evloop_timer_start(loop, &w->masters_timer, MASTERS_POLL_MS,
			   poll_masters, w);
}

/* proxy-timeout-ms for the backends, every PROXY_TIMEOUT_CHECK_MS;
 * proxy-client-timeout for the clients, every second. */
static void check_timeouts(struct evloop *loop, void *data)
{
	struct worker *w = data;
	uint64_t now = evloop_now_ms();

	for (size_t i = 0; i < w->nbackends; i++)
		backend_check_timeout(&w->backends[i], now);
	for (struct client *c = w->clients; c; c = c->next)
		if (c->own)
			backend_check_timeout(c->own, now);
	if (now >= w->next_idle_check_ms) {
		struct client *c = w->clients, *next;

		for (; c; c = next) {
			next = c->next;
			client_check_idle(c, now);
		}
		w->next_idle_check_ms = now + 1000;
	}
	evloop_timer_start(loop, &w->timeouts_timer, PROXY_TIMEOUT_CHECK_MS,
			   check_timeouts, w);
}

int worker_init(struct worker *w, struct proxy *px, size_t id, char *err,
		size_t errlen)
{
	struct config_endpoint eps[PROXY_MAX_LISTEN];
	size_t neps = worker_endpoints(&px->cfg, eps);
	size_t per_set = px->cfg.nshards * px->cfg.proxy_server_connections;
	int r;

	memset(w, 0, sizeof(*w));
	w->px = px;
	w->id = id;
	w->wake_fd = -1;
	if ((r = evloop_init(&w->loop)))
		return errmsg_fail(err, errlen, -r, "epoll: %s", strerror(-r));
	evloop_before_wait(&w->loop, flush_dirty, w);
	masters_init(&w->masters, &px->cfg, px->static_topology);
	w->cmdstats = calloc(command_table_len, sizeof(*w->cmdstats));
	if (!w->cmdstats)
		return errmsg_fail(err, errlen, ENOMEM, "out of memory");
	w->nbackends = 2 * per_set; /* RESP2, then RESP3 */
	w->backends = calloc(w->nbackends, sizeof(*w->backends));
	if (!w->backends)
		return errmsg_fail(err, errlen, ENOMEM, "out of memory");
	for (size_t i = 0; i < w->nbackends; i++)
		backend_init(&w->backends[i], w,
			     i % per_set / px->cfg.proxy_server_connections,
			     i < per_set ? RESP2 : RESP3);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0)
		return errmsg_fail(err, errlen, errno, "eventfd: %s",
				   strerror(errno));
	if ((r = evloop_watch(&w->loop, w->wake_fd, EV_READ, on_wake, w)))
		return errmsg_fail(err, errlen, -r, "epoll: %s", strerror(-r));
	for (size_t i = 0; i < neps; i++) {
		int fd = listen_on(&eps[i], err, errlen);

		if (fd < 0)
			return fd;
		w->listen_fds[w->nlisten++] = fd;
		if ((r = evloop_watch(&w->loop, fd, EV_READ, on_accept, w)))
			return errmsg_fail(err, errlen, -r, "epoll: %s",
					   strerror(-r));
	}
	return 0;
}

void *worker_run(void *arg)
{
	struct worker *w = arg;
	int r;

	w->now_us = stats_now_us();
	poll_masters(&w->loop, w);
	check_timeouts(&w->loop, w);
	r = evloop_run(&w->loop);
	if (r)
		log_err("worker", "thread %zu: event loop failed: %s", w->id,
			strerror(-r));
	request_cache_clear();
	return NULL;
}

void worker_stop(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) < 0)
		log_err("worker", "cannot wake thread %zu: %s", w->id,
			strerror(errno));
}

void worker_free(struct worker *w)
{
	for (size_t i = 0; i < w->nlisten; i++)
		close(w->listen_fds[i]);
	while (w->clients)
		client_close(w->clients, NULL);
	for (size_t i = 0; i < w->nbackends; i++)
		backend_close(&w->backends[i]);
	free(w->backends);
	free(w->cmdstats);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	masters_close(&w->masters);
	evloop_close(&w->loop);
}
