#include "backend.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "proxy.h"
#include "pubsub.h"
#include "tx.h"

/* Bytes read from one backend per event, so one busy shard cannot starve
 * the others. */
#define BACKEND_READ_BUDGET (1024 * 1024)

static void on_backend_event(struct evloop *loop, int fd, unsigned events,
			     void *data);

void backend_init(struct backend *b, struct worker *w, size_t shard,
		  enum resp_proto proto)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->shard = shard;
	b->proto = proto;
	b->fd = -1;
	resp_reply_scanner_reset(&b->scan);
}

static const char *shard_name(const struct backend *b)
{
	return b->w->px->cfg.shards[b->shard].name;
}

static const struct master *master_of(const struct backend *b)
{
	return &b->w->masters.shard[b->shard];
}

static void describe(const struct backend *b, char *out, size_t len)
{
	char ip[INET_ADDRSTRLEN] = "?";

	inet_ntop(AF_INET, &b->addr, ip, sizeof(ip));
	snprintf(out, len, "shard '%s' (%s:%u)", shard_name(b), ip,
		 ntohs(b->port));
}

/* Every fragment in flight gets `msg` as its reply. */
static void fail_inflight(struct backend *b, const char *msg)
{
	while (b->head) {
		struct fragment *frag = b->head;

		b->head = frag->next;
		frag->next = NULL;
		b->inflight--;
		if (frag->wait_due) {
			/* a write's reply held for its WAIT: dropped too */
			buf_free(&frag->reply);
			frag->wait_due = false;
		}
		client_fragment_error(frag, "%s", msg);
	}
	b->tail = NULL;
}

/* Close the socket and forget its buffers; the state is the caller's. */
static void drop(struct backend *b)
{
	if (b->fd >= 0) {
		if (evloop_watch(&b->w->loop, b->fd, 0, NULL, NULL))
			log_debug("backend", "unwatch failed");
		close(b->fd);
	}
	b->fd = -1;
	buf_free(&b->in);
	buf_free(&b->out);
	resp_reply_scanner_reset(&b->scan);
	evloop_timer_stop(&b->w->loop, &b->timer);
}

static void end_backoff(struct evloop *loop, void *data)
{
	struct backend *b = data;

	(void)loop;
	b->state = BACKEND_IDLE;
}

/* The connection failed: what is in flight fails now, with the reason,
 * and sends fail fast until the backoff ends. */
static void fail(struct backend *b, const char *why)
{
	char who[96], msg[RESP_ERR_MAX];

	describe(b, who, sizeof(who));
	snprintf(b->error, sizeof(b->error), "%s", why);
	log_warn("backend", "%s: %s (%zu requests failed)", who, why,
		 b->inflight);
	STATS_ADD(b->w->stats.backend_failures, 1);
	drop(b);
	snprintf(msg, sizeof(msg), "ERR redisha-proxy: %s: %s", who, why);
	if (b->owner) {
		/* A client's own connection: no backoff, its next command
		 * tries again; its transaction or subscriptions are gone. */
		b->state = BACKEND_IDLE;
		fail_inflight(b, msg);
		if (b->pubsub)
			pubsub_lost(b->owner, why);
		else
			tx_own_failed(b->owner);
		return;
	}
	b->backoff_ms = b->backoff_ms ? b->backoff_ms * 2 : PROXY_BACKOFF_MIN_MS;
	if (b->backoff_ms > PROXY_BACKOFF_MAX_MS)
		b->backoff_ms = PROXY_BACKOFF_MAX_MS;
	b->state = BACKEND_BACKOFF;
	evloop_timer_start(&b->w->loop, &b->timer, b->backoff_ms, end_backoff, b);
	fail_inflight(b, msg);
}

static void connect_timeout(struct evloop *loop, void *data)
{
	(void)loop;
	fail(data, "connect timed out");
}

static int watch(struct backend *b, unsigned events)
{
	int r = evloop_watch(&b->w->loop, b->fd, events, on_backend_event, b);

	if (r)
		fail(b, "epoll refused the socket");
	return r;
}

/* What a new connection sends before any request: HELLO 3 (with the
 * credentials) for RESP3, AUTH for RESP2 when masterauth is set. */
static int queue_handshake(struct backend *b)
{
	const struct config *cfg = &b->w->px->cfg;
	const char *user = cfg->masteruser[0] ? cfg->masteruser : "default";
	struct resp_slice argv[5];
	size_t argc = 0;

	if (b->proto == RESP3) {
		argv[argc++] = (struct resp_slice){ "HELLO", 5 };
		argv[argc++] = (struct resp_slice){ "3", 1 };
	}
	if (cfg->masterauth[0]) {
		/* AUTH user pass, alone or as HELLO's option */
		argv[argc++] = (struct resp_slice){ "AUTH", 4 };
		argv[argc++] = (struct resp_slice){ user, strlen(user) };
		argv[argc++] = (struct resp_slice){ cfg->masterauth,
						    strlen(cfg->masterauth) };
	}
	if (!argc)
		return 0;
	b->handshake = 1;
	return resp_add_command(&b->out, argc, argv);
}

static void start_connect(struct backend *b)
{
	const struct master *m = master_of(b);
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = m->addr,
		.sin_port = m->port,
	};
	int one = 1;

	b->addr = m->addr;
	b->port = m->port;
	b->generation = m->generation;
	b->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->fd < 0) {
		fail(b, strerror(errno));
		return;
	}
	if (setsockopt(b->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		log_debug("backend", "TCP_NODELAY: %s", strerror(errno));
	if (connect(b->fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    errno != EINPROGRESS) {
		fail(b, strerror(errno));
		return;
	}
	if (queue_handshake(b)) {
		fail(b, "out of memory");
		return;
	}
	b->state = BACKEND_CONNECTING;
	if (watch(b, EV_WRITE))
		return;
	evloop_timer_start(&b->w->loop, &b->timer,
			   b->w->px->cfg.proxy_connect_timeout_ms,
			   connect_timeout, b);
}

bool backend_ready(struct backend *b, char *why, size_t whylen)
{
	const struct master *m = master_of(b);
	char who[96];

	if (!m->up) {
		snprintf(why, whylen,
			 "CLUSTERDOWN shard '%s' has no master (down, or not known yet)",
			 shard_name(b));
		return false;
	}
	if (b->state == BACKEND_IDLE) {
		start_connect(b);
		/* A connect that failed at once leaves a shared connection
		 * backing off, a client's own idle. */
		if (b->state == BACKEND_IDLE)
			goto failed;
	}
	if (b->state != BACKEND_BACKOFF)
		return true;
failed:
	describe(b, who, sizeof(who));
	snprintf(why, whylen, "ERR redisha-proxy: %s: %s", who, b->error);
	return false;
}

struct buf *backend_out(struct backend *b)
{
	return &b->out;
}

void backend_push(struct backend *b, struct fragment *frag)
{
	frag->next = NULL;
	frag->sent_ms = b->w->now_us / 1000; /* the read that brought it */
	if (b->tail)
		b->tail->next = frag;
	else
		b->head = frag;
	b->tail = frag;
	b->inflight++;
	worker_mark_backend(b->w, b);
}

void backend_flush(struct backend *b)
{
	ssize_t n;

	if (b->state != BACKEND_UP)
		return; /* connecting: flushed once connected */
	if (buf_len(&b->out)) {
		n = buf_write_fd(&b->out, b->fd);
		if (n < 0) {
			fail(b, strerror((int)-n));
			return;
		}
	}
	watch(b, buf_len(&b->out) ? EV_READ | EV_WRITE : EV_READ);
}

static void connected(struct backend *b)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		fail(b, strerror(err));
		return;
	}
	evloop_timer_stop(&b->w->loop, &b->timer);
	b->state = BACKEND_UP;
	b->backoff_ms = 0;
	backend_flush(b);
}

/* The reply to the handshake, `len` bytes at the head of the input: an
 * error fails the connection. Returns whether it goes on. */
static bool handshake_done(struct backend *b, size_t len)
{
	const char *p = buf_head(&b->in);
	char why[160];

	if (p[0] == '-' || p[0] == '!') {
		const char *cr = memchr(p, '\r', len);
		size_t line = cr ? (size_t)(cr - p) : len;

		snprintf(why, sizeof(why), "the server refused %s: %.*s",
			 b->proto == RESP3 ? "HELLO 3" : "AUTH",
			 (int)(line < 100 ? line : 100), p);
		fail(b, why);
		return false;
	}
	b->handshake--;
	buf_consume(&b->in, len);
	return true;
}

/* The reply to the WAIT after a write: the write's own reply if enough
 * replicas acknowledged it (or it failed anyway), else -NOREPL. */
static void wait_replied(const struct backend *b, struct fragment *frag,
			 const char *p, size_t len)
{
	const struct config *cfg = &b->w->px->cfg;
	struct buf command = frag->reply;
	struct resp_header h = { 0 };

	frag->reply = (struct buf){ 0 };
	frag->wait_due = false;
	if (buf_len(&command) && buf_head(&command)[0] != '-' &&
	    (resp_reply_header(p, len, &h) || h.type != ':' ||
	     h.num < (int64_t)cfg->proxy_wait_replicas)) {
		client_fragment_error(frag,
				      "NOREPL the write was done on the master but reached %lld of %u replicas within %u ms",
				      h.type == ':' ? (long long)h.num : 0LL,
				      cfg->proxy_wait_replicas,
				      cfg->proxy_wait_timeout_ms);
	} else {
		client_fragment_reply(frag, buf_head(&command),
				      buf_len(&command));
	}
	buf_free(&command);
}

/* Match every complete reply in the input to the oldest fragment. */
static void take_replies(struct backend *b)
{
	const struct resp_limits *lim = &b->w->px->limits;
	char err[RESP_ERR_MAX];

	while (buf_len(&b->in)) {
		struct fragment *frag;
		size_t len;
		int r = resp_reply_scan(&b->scan, lim, buf_head(&b->in),
					buf_len(&b->in), &len, err, sizeof(err));

		if (r == RESP_INCOMPLETE)
			return;
		if (r != RESP_COMPLETE) {
			fail(b, r < 0 ? "out of memory" : err);
			return;
		}
		if (b->handshake) {
			if (!handshake_done(b, len))
				return;
			continue;
		}
		if (b->pubsub) {
			pubsub_reply(b, buf_head(&b->in), len);
			buf_consume(&b->in, len);
			continue;
		}
		frag = b->head;
		if (!frag) {
			fail(b, "a reply to no request (protocol out of step)");
			return;
		}
		if (frag->wait_due && !frag->command_replied) {
			/* the command's reply: the WAIT's comes next */
			if (buf_append(&frag->reply, buf_head(&b->in), len)) {
				fail(b, "out of memory");
				return;
			}
			frag->command_replied = true;
			buf_consume(&b->in, len);
			continue;
		}
		b->head = frag->next;
		if (!b->head)
			b->tail = NULL;
		b->inflight--;
		if (frag->wait_due)
			wait_replied(b, frag, buf_head(&b->in), len);
		else
			client_fragment_reply(frag, buf_head(&b->in), len);
		buf_consume(&b->in, len);
	}
}

static void read_replies(struct backend *b)
{
	size_t budget = BACKEND_READ_BUDGET;

	while (budget) {
		ssize_t n = buf_read_fd(&b->in, b->fd, PROXY_READ_CHUNK);

		if (n == -EAGAIN)
			break;
		if (n == 0 && !b->inflight && !b->handshake && !b->pubsub) {
			/* Closed while idle (a restart, a server timeout):
			 * nothing is lost, the next request reconnects. */
			log_info("backend", "shard '%s': idle connection closed by the server",
				 shard_name(b));
			drop(b);
			b->state = BACKEND_IDLE;
			return;
		}
		if (n <= 0) {
			fail(b, n == 0 ? "connection closed by the server"
				       : strerror((int)-n));
			return;
		}
		budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
		if ((size_t)n < PROXY_READ_CHUNK)
			break; /* drained: spare the read that says EAGAIN */
	}
	b->w->now_us = stats_now_us(); /* when these replies came */
	b->last_rx_ms = b->w->now_us / 1000;
	take_replies(b);
}

static void on_backend_event(struct evloop *loop, int fd, unsigned events,
			     void *data)
{
	struct backend *b = data;

	(void)loop;
	(void)fd;
	if (b->state == BACKEND_CONNECTING) {
		if (events & (EV_WRITE | EV_READ))
			connected(b);
		return;
	}
	if (b->state != BACKEND_UP)
		return;
	if (events & EV_READ) {
		read_replies(b);
		if (b->state != BACKEND_UP)
			return;
	}
	if (events & EV_WRITE)
		backend_flush(b);
}

void backend_master_changed(struct backend *b)
{
	const struct master *m = master_of(b);
	char who[96], msg[RESP_ERR_MAX];

	if (b->state == BACKEND_BACKOFF || b->state == BACKEND_IDLE) {
		/* Nothing in flight; try the new master at once. */
		evloop_timer_stop(&b->w->loop, &b->timer);
		b->state = BACKEND_IDLE;
		b->backoff_ms = 0;
		return;
	}
	if (m->up && m->addr == b->addr && m->port == b->port &&
	    m->generation == b->generation)
		return;
	describe(b, who, sizeof(who));
	if (b->inflight)
		log_info("backend", "%s: master changed, %zu requests in flight fail with TRYAGAIN",
			 who, b->inflight);
	STATS_ADD(b->w->stats.failover_aborts, b->inflight);
	drop(b);
	b->state = BACKEND_IDLE;
	b->backoff_ms = 0;
	/* Never re-sent: a write may or may not have happened. */
	snprintf(msg, sizeof(msg),
		 "TRYAGAIN %s: the master changed while the request was in flight",
		 who);
	fail_inflight(b, msg);
}

void backend_check_timeout(struct backend *b, uint64_t now_ms)
{
	const struct config *cfg = &b->w->px->cfg;
	/* a WAIT may rightly keep the server silent for its timeout */
	uint64_t limit = cfg->proxy_timeout_ms + cfg->proxy_wait_timeout_ms;
	uint64_t since;
	char why[64];

	if (!cfg->proxy_timeout_ms || !b->head ||
	    (b->owner && b->owner->blocked))
		return;
	since = b->head->sent_ms > b->last_rx_ms ? b->head->sent_ms
						  : b->last_rx_ms;
	if (now_ms - since <= limit)
		return;
	snprintf(why, sizeof(why), "no reply within %llu ms",
		 (unsigned long long)limit);
	fail(b, why);
}

void backend_close(struct backend *b)
{
	drop(b);
	b->state = BACKEND_IDLE;
	fail_inflight(b, "ERR redisha-proxy is shutting down");
}
