/*
 * local: the commands redisha-proxy answers itself, because they concern
 * the client's connection (PING, ECHO, QUIT, SELECT, CLIENT SETNAME...) or
 * the proxy (INFO), in the words redis-server would use.
 */
#ifndef REDISHA_LOCAL_H
#define REDISHA_LOCAL_H

#include <stddef.h>

#include "buf.h"
#include "client.h"
#include "command.h"
#include "resp.h"

/* Answer `cmd` (a ROUTE_LOCAL command, arity checked) into `out`.
 * Returns 0, or -ENOMEM. */
int local_execute(struct client *c, const struct command_info *cmd,
		  size_t argc, const struct resp_slice *argv, struct buf *out)
	__attribute__((warn_unused_result));

#endif /* REDISHA_LOCAL_H */
