/*
 * buf: the growable byte buffer of every socket in redisha-proxy (buf.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"

/* The least storage a buffer takes: small replies then need no regrowth. */
#define BUF_MIN_CAP 256

void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Bring the contents to offset 0, where all the free room is at the end. */
static void buf_compact(struct buf *b)
{
	size_t len = buf_len(b);

	if (b->start == 0)
		return;
	memmove(b->data, b->data + b->start, len);
	b->start = 0;
	b->end = len;
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t len = buf_len(b), cap;
	char *data;

	if (b->cap - b->end >= n)
		return 0;
	buf_compact(b);
	if (b->cap - len >= n)
		return 0;
	if (n > SIZE_MAX - len)
		return -ENOMEM;
	/* Doubling keeps a value that arrives in many reads linear. */
	cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
	while (cap < len + n)
		cap = cap > SIZE_MAX / 2 ? len + n : cap * 2;
	data = realloc(b->data, cap);
	if (!data)
		return -ENOMEM;
	b->data = data;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return -ENOMEM;
	if (n)
		memcpy(b->data + b->end, p, n);
	b->end += n;
	return 0;
}

void buf_consume(struct buf *b, size_t n)
{
	b->start += n;
	if (b->start >= b->end)
		b->start = b->end = 0;
}

ssize_t buf_read_fd(struct buf *b, int fd, size_t max)
{
	ssize_t n;

	/* read() of 0 bytes returns 0, which would read as end of stream. */
	if (max == 0)
		return -ENOBUFS;
	if (buf_reserve(b, max))
		return -ENOMEM;
	do
		n = read(fd, b->data + b->end, max);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (n < 0)
		return -errno;
	b->end += (size_t)n;
	return n;
}

ssize_t buf_write_fd(struct buf *b, int fd)
{
	ssize_t n;

	if (buf_len(b) == 0)
		return 0;
	/* MSG_NOSIGNAL: a peer gone is -EPIPE for the caller, not SIGPIPE. A
	 * short write means the socket is full: no second try. */
	do
		n = send(fd, buf_head(b), buf_len(b), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	buf_consume(b, (size_t)n);
	return n;
}
