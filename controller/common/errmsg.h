/*
 * errmsg: the one way lower layers report a failure (STYLE.md): they fill
 * the caller's `err` buffer with the failing call, the object and the
 * reason, and return a negative errno; the layer that decides logs it.
 */
#ifndef REDISHA_ERRMSG_H
#define REDISHA_ERRMSG_H

#include <stddef.h>

/* Format into err (truncated to errlen, always terminated); returns -e. */
int errmsg_fail(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "name (ifindex N)", or "ifindex N" when the index names no interface. */
void errmsg_iface(int ifindex, char *buf, size_t len);

#endif /* REDISHA_ERRMSG_H */
