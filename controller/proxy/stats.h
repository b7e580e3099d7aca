/*
 * stats: what redisha-proxy counts — connections, commands per command
 * (calls, time, failures), requests per shard, a latency histogram — and
 * its INFO text. Each worker counts into its own atomics; readers add the
 * workers up. Once a second the main thread writes the same INFO text to
 * STATS_DIR/<instance>.proxy, where redishad's /metrics reads it
 * (docs/proxy.md, "Statistics").
 */
#ifndef REDISHA_STATS_H
#define REDISHA_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define STATS_DIR "/run/redisha"
/* Latency buckets: bucket i counts requests under 2^i microseconds
 * (1 us .. 8.4 s), the last one everything slower. */
#define STATS_LATENCY_BUCKETS 24

struct proxy;
struct worker;

/* Add to a counter that only its worker writes: a relaxed load and store,
 * no locked instruction on the hot path; readers on other threads still
 * see whole values. */
#define STATS_ADD(counter, n)                                                \
	atomic_store_explicit(&(counter),                                    \
			      atomic_load_explicit(&(counter),               \
						   memory_order_relaxed) +    \
				      (n),                                   \
			      memory_order_relaxed)

struct command_stat {
	atomic_uint_fast64_t calls, usec, failed;
};

/* Microseconds on CLOCK_MONOTONIC: a request's start and end. */
uint64_t stats_now_us(void);

/* One request answered, at w->now_us: `cmd` its index in command_table
 * (-1 if none), `start_us` when it was read, `failed` whether its reply is
 * an error. */
void stats_record(struct worker *w, int cmd, uint64_t start_us, bool failed);

/* INFO's text: every section, or the one named `section` (NULL: all).
 * `w`, when given, is the asking worker: its view of the masters is shown.
 * Returns 0 or -ENOMEM. */
int stats_info(const struct proxy *px, const struct worker *w,
	       const char *section, size_t section_len, struct buf *out)
	__attribute__((warn_unused_result));

/* Write the INFO text to STATS_DIR/<instance>.proxy (atomically), or
 * remove it (at exit). Returns 0 or -errno. */
int stats_write_file(const struct proxy *px) __attribute__((warn_unused_result));
void stats_remove_file(const struct proxy *px);

#endif /* REDISHA_STATS_H */
