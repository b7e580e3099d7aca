/*
 * buf: a growable byte buffer with a read end and a write end, the unit of
 * every socket's input and output in redisha-proxy. Bytes live in
 * data[start..end); appending compacts or grows the storage. Growth is
 * bounded by the caller (it checks buf_len() against its limits before it
 * reads more), so input from the network never grows a buffer unchecked.
 */
#ifndef REDISHA_BUF_H
#define REDISHA_BUF_H

#include <stddef.h>
#include <sys/types.h>

struct buf {
	char *data;
	size_t start, end, cap;
};

/* An empty buffer owns nothing: struct buf b = {0} is one. */
void buf_free(struct buf *b);

static inline size_t buf_len(const struct buf *b)
{
	return b->end - b->start;
}

static inline const char *buf_head(const struct buf *b)
{
	return b->data + b->start;
}

/* Cut the contents back to their first `len` bytes (undoing appends that
 * could not finish). Cannot fail. */
static inline void buf_truncate(struct buf *b, size_t len)
{
	if (len < buf_len(b))
		b->end = b->start + len;
}

/* Make room for `n` more bytes after end (moving the contents to the front
 * first if that is enough). Returns 0 or -ENOMEM. */
int buf_reserve(struct buf *b, size_t n) __attribute__((warn_unused_result));

/* Append `n` bytes. Returns 0 or -ENOMEM (then nothing was appended). */
int buf_append(struct buf *b, const void *p, size_t n)
	__attribute__((warn_unused_result));

/* Drop `n` bytes (n <= buf_len) from the front; an emptied buffer restarts
 * at offset 0. Cannot fail. */
void buf_consume(struct buf *b, size_t n);

/* Read once from non-blocking `fd` into at most `max` new bytes (reserving
 * them first). Returns the byte count, 0 at end of stream, -EAGAIN when
 * nothing is ready, -ENOBUFS for max 0 (which could not tell end of stream),
 * or another -errno. */
ssize_t buf_read_fd(struct buf *b, int fd, size_t max)
	__attribute__((warn_unused_result));

/* Write as much of the buffer as socket `fd` takes and consume it (send
 * with MSG_NOSIGNAL: a closed peer is -EPIPE, not SIGPIPE). Returns the
 * byte count written (maybe 0 when the socket is full), or -errno other
 * than EAGAIN. */
ssize_t buf_write_fd(struct buf *b, int fd)
	__attribute__((warn_unused_result));

#endif /* REDISHA_BUF_H */
