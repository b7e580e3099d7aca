/*
 * log: one line per event, "ISO-8601-time LEVEL subsystem: message", on
 * stderr (journald-friendly) or to syslog. The level threshold and the
 * destination are set once at start-up.
 */
#ifndef REDISHA_LOG_H
#define REDISHA_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARNING, LOG_LVL_ERROR };

/* `ident` names the program in syslog; lines below `level` are dropped. */
void log_init(const char *ident, enum log_level level, bool use_syslog);

void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(subsys, ...) log_msg(LOG_LVL_DEBUG, subsys, __VA_ARGS__)
#define log_info(subsys, ...) log_msg(LOG_LVL_INFO, subsys, __VA_ARGS__)
#define log_warn(subsys, ...) log_msg(LOG_LVL_WARNING, subsys, __VA_ARGS__)
#define log_err(subsys, ...) log_msg(LOG_LVL_ERROR, subsys, __VA_ARGS__)

#endif /* REDISHA_LOG_H */
