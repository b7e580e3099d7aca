#include "client.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "auth.h"
#include "backend.h"
#include "dispatch.h"
#include "log.h"
#include "proxy.h"
#include "pubsub.h"
#include "tx.h"

static void on_client_event(struct evloop *loop, int fd, unsigned events,
			    void *data);

/* Ask the loop for what the client needs now: requests unless paused or
 * closing, writability while replies wait. */
static void update_watch(struct client *c)
{
	unsigned want = 0;

	if (!c->paused && !c->closing)
		want |= EV_READ;
	if (buf_len(&c->out))
		want |= EV_WRITE;
	if (want == c->watched)
		return;
	if (evloop_watch(&c->w->loop, c->fd, want, on_client_event, c)) {
		client_close(c, "epoll refused the socket");
		return;
	}
	c->watched = want;
}

static void describe_peer(int fd, char *out, size_t len)
{
	struct sockaddr_in sa;
	socklen_t slen = sizeof(sa);
	char ip[INET_ADDRSTRLEN];

	if (getpeername(fd, (struct sockaddr *)&sa, &slen) ||
	    sa.sin_family != AF_INET ||
	    !inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip))) {
		snprintf(out, len, "?");
		return;
	}
	snprintf(out, len, "%s:%u", ip, ntohs(sa.sin_port));
}

void client_accept(struct worker *w, int fd)
{
	struct proxy *px = w->px;
	struct client *c;
	int one = 1;

	STATS_ADD(w->stats.connections_received, 1);
	if (atomic_fetch_add(&px->nclients, 1) >= px->cfg.proxy_max_clients) {
		static const char full[] = "-ERR max number of clients reached\r\n";

		atomic_fetch_sub(&px->nclients, 1);
		STATS_ADD(w->stats.rejected_connections, 1);
		/* Best effort, as redis-server does: the socket is new and
		 * empty, so the line fits. */
		if (write(fd, full, sizeof(full) - 1) < 0)
			log_debug("client", "rejected client gone: %s",
				  strerror(errno));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		atomic_fetch_sub(&px->nclients, 1);
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	c->id = atomic_fetch_add(&px->next_client_id, 1) + 1;
	c->proto = RESP2;
	c->last_ms = evloop_now_ms();
	c->authenticated = !auth_required(&px->cfg);
	snprintf(c->user, sizeof(c->user), "default");
	describe_peer(fd, c->addr, sizeof(c->addr));
	resp_request_parser_init(&c->parser, &px->limits);
	/* Replies go out as soon as they are complete. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		log_debug("client", "%s: TCP_NODELAY: %s", c->addr,
			  strerror(errno));
	c->next = w->clients;
	if (w->clients)
		w->clients->prev = c;
	w->clients = c;
	STATS_ADD(w->stats.connected_clients, 1);
	update_watch(c);
}

/* Replies pile up past the limit: the client is closed at the end of
 * the event, as Redis's client-output-buffer-limit does. */
static void check_output(struct client *c)
{
	if (buf_len(&c->out) > c->w->px->cfg.proxy_client_output_limit &&
	    !c->drop) {
		c->drop = "output buffer over its limit";
		log_warn("client", "%s: %zu bytes of replies not read: closing (proxy-client-output-limit)",
			 c->addr, buf_len(&c->out));
	}
}

void client_drain(struct client *c)
{
	while (c->head && c->head->done) {
		struct request *req = c->head;

		stats_record(c->w, req->cmd, req->start_us,
			     buf_len(&req->reply) &&
				     (buf_head(&req->reply)[0] == '-' ||
				      buf_head(&req->reply)[0] == '!'));
		if (buf_append(&c->out, buf_head(&req->reply),
			       buf_len(&req->reply))) {
			c->closing = true; /* cannot keep order any more */
			log_warn("client", "%s: out of memory for replies",
				 c->addr);
		}
		c->head = req->next;
		if (!c->head)
			c->tail = NULL;
		c->nqueued--;
		request_free(req);
	}
	/* Messages wait for the replies before them. */
	if (!c->head && buf_len(&c->push)) {
		if (buf_append(&c->out, buf_head(&c->push), buf_len(&c->push)))
			c->drop = "out of memory for messages";
		buf_free(&c->push);
	}
	check_output(c);
	worker_mark_client(c->w, c);
}

void client_fragment_reply(struct fragment *frag, const char *p, size_t len)
{
	struct request *req = frag->req;
	struct client *c = req->client;

	if (c && req->nfrags == 1 && req->merge == MERGE_NONE && c->head == req) {
		/* The common case: the reply can go out as it is, no copy. */
		stats_record(c->w, req->cmd, req->start_us,
			     len && (p[0] == '-' || p[0] == '!'));
		if (buf_append(&c->out, p, len))
			c->closing = true;
		frag->done = true;
		req->pending = 0;
		c->head = req->next;
		if (!c->head)
			c->tail = NULL;
		c->nqueued--;
		request_free(req);
		client_drain(c);
		return;
	}
	if (buf_append(&frag->reply, p, len)) {
		buf_free(&frag->reply);
		client_fragment_error(frag, "ERR redisha-proxy: out of memory");
		return;
	}
	if (!request_fragment_done(frag))
		return;
	if (!c)
		request_free(req);
	else
		client_drain(c);
}

void client_fragment_error(struct fragment *frag, const char *fmt, ...)
{
	char msg[RESP_ERR_MAX];
	struct buf line = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (frag->req->client)
		STATS_ADD(frag->req->client->w->stats.error_replies, 1);
	if (resp_add_error(&line, "%s", msg)) {
		/* Not even an error line fits: the request ends empty and
		 * its client is closed as its order cannot be kept. */
		if (frag->req->client)
			frag->req->client->closing = true;
	}
	client_fragment_reply(frag, buf_head(&line), buf_len(&line));
	buf_free(&line);
}

/* An idle client keeps at most small buffers. */
static void release_if_empty(struct buf *b)
{
	if (!buf_len(b) && b->cap > PROXY_CLIENT_BUF_KEEP) {
		buf_free(b);
	}
}

/* Parse and dispatch every complete request in the input buffer, until
 * one is incomplete or the client must pause. */
static void process_input(struct client *c)
{
	char err[RESP_ERR_MAX];

	while (!c->closing) {
		struct resp_request req;
		int r;

		if (c->blocked && !(c->own && c->own->inflight))
			c->blocked = false;
		if (buf_len(&c->out) > PROXY_CLIENT_OUT_SOFT ||
		    c->nqueued >= PROXY_CLIENT_MAX_INFLIGHT || c->blocked) {
			c->paused = true;
			break;
		}
		c->paused = false;
		if (!buf_len(&c->in))
			break;
		r = resp_request_parse(&c->parser, buf_head(&c->in),
				       buf_len(&c->in), &req, err, sizeof(err));
		if (r == RESP_INCOMPLETE)
			break;
		if (r == RESP_PROTO_ERROR || r < 0) {
			/* As redis-server: the error, then the connection
			 * closes once the replies before it are written. */
			STATS_ADD(c->w->stats.protocol_errors, 1);
			c->cur_cmd = -1;
			log_info("client", "%s: %s", c->addr,
				 r < 0 ? "out of memory" : err);
			dispatch_error(c, "ERR %s",
				       r < 0 ? "out of memory" : err);
			c->closing = true;
			break;
		}
		if (req.argc)
			dispatch_request(c, &req, buf_head(&c->in));
		buf_consume(&c->in, req.len);
	}
	release_if_empty(&c->in);
	update_watch(c);
}

static void read_requests(struct client *c)
{
	ssize_t n = buf_read_fd(&c->in, c->fd,
				buf_len(&c->in) ? PROXY_CLIENT_READ_BUSY
						: PROXY_CLIENT_READ_IDLE);

	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		client_close(c, n == 0 ? NULL : strerror((int)-n));
		return;
	}
	c->last_ms = evloop_now_ms();
	/* one clock read for the requests of this read */
	c->cur_start_us = c->w->now_us = stats_now_us();
	if (buf_len(&c->in) > PROXY_QUERY_MAX) {
		STATS_ADD(c->w->stats.protocol_errors, 1);
		client_close(c, "query buffer over 1 GiB");
		return;
	}
	process_input(c);
}

static bool write_replies(struct client *c)
{
	ssize_t n;

	if (!buf_len(&c->out))
		return true;
	n = buf_write_fd(&c->out, c->fd);
	if (n < 0) {
		client_close(c, strerror((int)-n));
		return false;
	}
	release_if_empty(&c->out);
	return true;
}

void client_flush(struct client *c)
{
	if (c->drop) {
		client_close(c, c->drop);
		return;
	}
	if (!write_replies(c))
		return;
	if (c->closing && !buf_len(&c->out) && !c->head) {
		client_close(c, NULL);
		return;
	}
	if (c->paused)
		process_input(c); /* may pause again, and updates the watch */
	else
		update_watch(c);
}

static void on_client_event(struct evloop *loop, int fd, unsigned events,
			    void *data)
{
	struct client *c = data;

	(void)loop;
	(void)fd;
	if (events & EV_WRITE) {
		if (!write_replies(c))
			return;
		worker_mark_client(c->w, c);
	}
	if ((events & EV_READ) && !c->closing && !c->paused)
		read_requests(c);
}

void client_check_idle(struct client *c, uint64_t now_ms)
{
	uint32_t limit = c->w->px->cfg.proxy_client_timeout;

	/* As Redis: a subscriber only listens, it is not idle. */
	if (limit && !c->head && !c->blocked &&
	    !pubsub_count(c, PUBSUB_CHANNELS) &&
	    !pubsub_count(c, PUBSUB_PATTERNS) &&
	    !pubsub_count(c, PUBSUB_SHARD_CHANNELS) &&
	    now_ms - c->last_ms > (uint64_t)limit * 1000)
		client_close(c, "idle past proxy-client-timeout");
}

void client_close(struct client *c, const char *why)
{
	struct worker *w = c->w;

	if (why)
		log_debug("client", "%s: closed: %s", c->addr, why);
	if (evloop_watch(&w->loop, c->fd, 0, NULL, NULL))
		log_debug("client", "%s: unwatch failed", c->addr);
	close(c->fd);
	/* Subscriptions first: what they owe is then settled. Requests
	 * still at a backend are orphaned: their last fragment frees them. */
	pubsub_close(c);
	while (c->head) {
		struct request *req = c->head;

		c->head = req->next;
		if (req->done)
			request_free(req);
		else
			req->client = NULL;
	}
	tx_close(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->dirty) {
		/* Leave the dirty list without a dangling entry. */
		struct client **p = &w->dirty_clients;

		while (*p && *p != c)
			p = &(*p)->dirty_next;
		if (*p)
			*p = c->dirty_next;
	}
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->push);
	resp_request_parser_free(&c->parser);
	atomic_fetch_sub(&w->px->nclients, 1);
	STATS_ADD(w->stats.connected_clients, -1);
	free(c);
}
