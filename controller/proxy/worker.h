/*
 * worker: one thread of redisha-proxy — its listening sockets (every
 * worker listens on every address with SO_REUSEPORT, so the kernel
 * spreads connections), its event loop, its clients, its backend
 * connections and its poll of the masters.
 */
#ifndef REDISHA_WORKER_H
#define REDISHA_WORKER_H

#include <stddef.h>

#include "proxy.h"

/* The addresses redisha-proxy listens on: each VIP at proxy-port, then
 * each proxy-listen. Returns how many (0: nothing to listen on). */
size_t worker_endpoints(const struct config *cfg,
			struct config_endpoint out[PROXY_MAX_LISTEN]);

/* Set up worker `id` of `px`: its loop, listeners, masters, backends.
 * Returns 0, or -errno with the reason in err. */
int worker_init(struct worker *w, struct proxy *px, size_t id, char *err,
		size_t errlen) __attribute__((warn_unused_result));

/* The thread's body: runs the loop until worker_stop(). */
void *worker_run(void *arg);

/* From another thread: make the worker's loop return. */
void worker_stop(struct worker *w);

/* After the thread has ended: close every client and backend. */
void worker_free(struct worker *w);

#endif /* REDISHA_WORKER_H */
