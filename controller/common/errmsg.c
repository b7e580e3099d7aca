#include "errmsg.h"

#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>

int errmsg_fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -e;
}

void errmsg_iface(int ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (ifindex > 0 && if_indextoname((unsigned int)ifindex, name))
		snprintf(buf, len, "%s (ifindex %d)", name, ifindex);
	else
		snprintf(buf, len, "ifindex %d", ifindex);
}
