#include "redis_async.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

/* ---- hiredis event hooks ---------------------------------------------- */

struct adapter {
	struct evloop *loop;
	redisAsyncContext *ac;
	unsigned events;
};

static void on_fd(struct evloop *loop, int fd, unsigned events, void *data)
{
	struct adapter *a = data;

	(void)loop;
	(void)fd;
	/* A read may free the context (disconnect): write first. */
	if (events & EV_WRITE)
		redisAsyncHandleWrite(a->ac);
	else if (events & EV_READ)
		redisAsyncHandleRead(a->ac);
}

static void set_events(struct adapter *a, unsigned events)
{
	if (events == a->events)
		return;
	a->events = events;
	/* If epoll refuses the fd, the connection stalls and its connect
	 * or command timeout ends it. */
	if (evloop_watch(a->loop, a->ac->c.fd, events, on_fd, a))
		log_err("redis", "epoll refused fd %d", a->ac->c.fd);
}

static void add_read(void *p)
{
	struct adapter *a = p;

	set_events(a, a->events | EV_READ);
}

static void del_read(void *p)
{
	struct adapter *a = p;

	set_events(a, a->events & ~EV_READ);
}

static void add_write(void *p)
{
	struct adapter *a = p;

	set_events(a, a->events | EV_WRITE);
}

static void del_write(void *p)
{
	struct adapter *a = p;

	set_events(a, a->events & ~EV_WRITE);
}

static void cleanup(void *p)
{
	struct adapter *a = p;

	set_events(a, 0);
	free(a);
}

/* ---- connection wrapper ----------------------------------------------- */

static void connected(const redisAsyncContext *ac, int status)
{
	struct redis_conn *conn = ac->data;

	if (!conn)
		return;
	evloop_timer_stop(conn->loop, &conn->connect_timer);
	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback; detach so
		 * no disconnect callback reports the same failure twice. */
		((redisAsyncContext *)ac)->data = NULL;
		conn->ac = NULL;
		conn->on_down(conn, ac->errstr);
		return;
	}
	conn->connected = true;
	conn->on_up(conn, NULL);
}

static void disconnected(const redisAsyncContext *ac, int status)
{
	struct redis_conn *conn = ac->data;

	(void)status;
	if (!conn)
		return;
	conn->ac = NULL;
	conn->connected = false;
	conn->on_down(conn, ac->errstr[0] ? ac->errstr : "connection closed");
}

static void connect_timeout(struct evloop *loop, void *data)
{
	struct redis_conn *conn = data;
	redisAsyncContext *ac = conn->ac;

	(void)loop;
	if (!ac)
		return;
	/* Detach first: no callback of ours runs during the free. */
	ac->data = NULL;
	conn->ac = NULL;
	redisAsyncFree(ac);
	conn->on_down(conn, "connect timed out");
}

int redis_conn_open(struct redis_conn *conn, struct evloop *loop,
		    const char *ip, int port, unsigned timeout_ms)
{
	redisAsyncContext *ac = redisAsyncConnect(ip, port);
	struct adapter *a;

	snprintf(conn->addr, sizeof(conn->addr), "%s:%d", ip, port);
	conn->loop = loop;
	conn->connected = false;
	conn->ac = NULL;
	if (!ac)
		return -1;
	if (ac->err || !(a = calloc(1, sizeof(*a)))) {
		redisAsyncFree(ac);
		return -1;
	}
	a->loop = loop;
	a->ac = ac;
	ac->ev.data = a;
	ac->ev.addRead = add_read;
	ac->ev.delRead = del_read;
	ac->ev.addWrite = add_write;
	ac->ev.delWrite = del_write;
	ac->ev.cleanup = cleanup;
	ac->data = conn;
	redisAsyncSetConnectCallback(ac, connected);
	redisAsyncSetDisconnectCallback(ac, disconnected);
	/* Connecting is signalled by writability. */
	add_write(a);
	conn->ac = ac;
	evloop_timer_start(loop, &conn->connect_timer, timeout_ms,
			   connect_timeout, conn);
	return 0;
}

void redis_conn_close(struct redis_conn *conn)
{
	redisAsyncContext *ac = conn->ac;

	evloop_timer_stop(conn->loop, &conn->connect_timer);
	conn->ac = NULL;
	conn->connected = false;
	if (ac) {
		ac->data = NULL;
		redisAsyncFree(ac);
	}
}
