#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>

#define LINE_MAX_BYTES 1024

static enum log_level threshold = LOG_LVL_INFO;
static bool to_syslog;

static const char *const level_names[] = {
	[LOG_LVL_DEBUG] = "debug",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_WARNING] = "warning",
	[LOG_LVL_ERROR] = "error",
};
static const int syslog_priority[] = {
	[LOG_LVL_DEBUG] = LOG_DEBUG,
	[LOG_LVL_INFO] = LOG_INFO,
	[LOG_LVL_WARNING] = LOG_WARNING,
	[LOG_LVL_ERROR] = LOG_ERR,
};

void log_init(const char *ident, enum log_level level, bool use_syslog)
{
	threshold = level;
	to_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	char msg[LINE_MAX_BYTES], stamp[40];
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (level < threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); /* a long line is cut, not lost */
	va_end(ap);
	if (to_syslog) {
		syslog(syslog_priority[level], "%s: %s", subsys, msg);
		return;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	/* One fprintf per line: lines from one process never interleave. */
	fprintf(stderr, "%s.%03ldZ %s %s: %s\n", stamp, (long)tv.tv_usec / 1000,
		level_names[level], subsys, msg);
}
