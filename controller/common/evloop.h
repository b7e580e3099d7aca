/*
 * evloop: a single-threaded event loop over epoll, with one-shot timers on
 * CLOCK_MONOTONIC. Watchers and timers are owned by the caller and only
 * referenced by the loop; a callback may start, stop or unwatch anything,
 * itself included.
 */
#ifndef REDISHA_EVLOOP_H
#define REDISHA_EVLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EV_READ 1u
#define EV_WRITE 2u

struct evloop;

typedef void (*ev_fd_cb)(struct evloop *loop, int fd, unsigned events,
			 void *data);
typedef void (*ev_timer_cb)(struct evloop *loop, void *data);

struct ev_timer {
	uint64_t due_ms;
	ev_timer_cb cb;
	void *data;
	bool armed;
	struct ev_timer *next; /* in due order, while armed */
};

struct ev_fd {
	ev_fd_cb cb;
	void *data;
	unsigned events;
};

struct evloop {
	int epfd;
	bool stopping;
	struct ev_timer *timers;
	/* indexed by fd; grown as higher fds are watched (a proxy holds
	 * thousands), bounded by the process's file limit */
	struct ev_fd *fds;
	size_t nfds;
	/* called after each round of events and timers, before waiting */
	ev_timer_cb before_wait;
	void *before_wait_data;
};

int evloop_init(struct evloop *loop) __attribute__((warn_unused_result));
void evloop_close(struct evloop *loop);

/* Watch `fd` for `events` (EV_READ|EV_WRITE; 0 unwatches). Replaces any
 * earlier callback for the fd. Returns 0 or -errno (-ENOMEM when the fd
 * table cannot grow). */
int evloop_watch(struct evloop *loop, int fd, unsigned events, ev_fd_cb cb,
		 void *data) __attribute__((warn_unused_result));

/* (Re)start `t` to fire once, `after_ms` from now. */
void evloop_timer_start(struct evloop *loop, struct ev_timer *t,
			uint64_t after_ms, ev_timer_cb cb, void *data);
void evloop_timer_stop(struct evloop *loop, struct ev_timer *t);

/* Call `cb` after each round of events and timers, before the loop waits
 * again: work batched over a round (writes to shared sockets) is done
 * there. NULL removes it. */
void evloop_before_wait(struct evloop *loop, ev_timer_cb cb, void *data);

/* Run until evloop_stop(); returns 0, or -errno if epoll fails. */
int evloop_run(struct evloop *loop);
void evloop_stop(struct evloop *loop);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t evloop_now_ms(void);

#endif /* REDISHA_EVLOOP_H */
