#include "evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAIT 64

uint64_t evloop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int evloop_init(struct evloop *loop)
{
	memset(loop, 0, sizeof(*loop));
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

void evloop_close(struct evloop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
	free(loop->fds);
	loop->fds = NULL;
	loop->nfds = 0;
}

/* Make loop->fds[fd] exist, zeroed. */
static int grow_fds(struct evloop *loop, int fd)
{
	size_t n = loop->nfds ? loop->nfds : 64;
	struct ev_fd *fds;

	while (n <= (size_t)fd)
		n *= 2;
	fds = realloc(loop->fds, n * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	memset(fds + loop->nfds, 0, (n - loop->nfds) * sizeof(*fds));
	loop->fds = fds;
	loop->nfds = n;
	return 0;
}

int evloop_watch(struct evloop *loop, int fd, unsigned events, ev_fd_cb cb,
		 void *data)
{
	struct epoll_event ev = { .data.fd = fd };
	struct ev_fd *w;
	int op;

	if (fd < 0)
		return -EBADF;
	if ((size_t)fd >= loop->nfds) {
		int r;

		if (!events)
			return 0; /* never watched */
		r = grow_fds(loop, fd);
		if (r)
			return r;
	}
	w = &loop->fds[fd];
	if (events & EV_READ)
		ev.events |= EPOLLIN;
	if (events & EV_WRITE)
		ev.events |= EPOLLOUT;
	op = !events ? EPOLL_CTL_DEL : w->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if ((events || w->events) && epoll_ctl(loop->epfd, op, fd, &ev) &&
	    !(op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT)))
		return -errno;
	w->events = events;
	w->cb = events ? cb : NULL;
	w->data = events ? data : NULL;
	return 0;
}

void evloop_timer_stop(struct evloop *loop, struct ev_timer *t)
{
	struct ev_timer **p;

	if (!t->armed)
		return;
	for (p = &loop->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

void evloop_timer_start(struct evloop *loop, struct ev_timer *t,
			uint64_t after_ms, ev_timer_cb cb, void *data)
{
	struct ev_timer **p;

	evloop_timer_stop(loop, t);
	t->due_ms = evloop_now_ms() + after_ms;
	t->cb = cb;
	t->data = data;
	for (p = &loop->timers; *p && (*p)->due_ms <= t->due_ms;
	     p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->armed = true;
}

void evloop_before_wait(struct evloop *loop, ev_timer_cb cb, void *data)
{
	loop->before_wait = cb;
	loop->before_wait_data = data;
}

void evloop_stop(struct evloop *loop)
{
	loop->stopping = true;
}

/* Fire every due timer; a callback may re-arm its own timer. */
static void run_timers(struct evloop *loop)
{
	uint64_t now = evloop_now_ms();

	while (loop->timers && loop->timers->due_ms <= now) {
		struct ev_timer *t = loop->timers;

		evloop_timer_stop(loop, t);
		t->cb(loop, t->data);
	}
}

static int wait_timeout_ms(const struct evloop *loop)
{
	uint64_t now;

	if (!loop->timers)
		return -1;
	now = evloop_now_ms();
	return loop->timers->due_ms <= now ? 0
					   : (int)(loop->timers->due_ms - now);
}

int evloop_run(struct evloop *loop)
{
	struct epoll_event events[EVENTS_PER_WAIT];

	loop->stopping = false;
	while (!loop->stopping) {
		int n;

		if (loop->before_wait)
			loop->before_wait(loop, loop->before_wait_data);
		n = epoll_wait(loop->epfd, events, EVENTS_PER_WAIT,
				   wait_timeout_ms(loop));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stopping; i++) {
			int fd = events[i].data.fd;
			struct ev_fd *w = &loop->fds[fd];
			unsigned got = 0;

			/* Errors and hang-ups surface as a failed read/write. */
			if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				got |= EV_READ;
			if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				got |= EV_WRITE;
			got &= w->events; /* an earlier callback may unwatch */
			if (got && w->cb)
				w->cb(loop, fd, got, w->data);
		}
		run_timers(loop);
	}
	return 0;
}
