/*
 * auth: a client's credentials checked against the configuration — the
 * `default` user's requirepass and the `user` directives — in time that
 * does not depend on how much of a password matched.
 */
#ifndef REDISHA_AUTH_H
#define REDISHA_AUTH_H

#include <stdbool.h>

#include "config.h"
#include "resp.h"

enum auth_result {
	AUTH_OK = 0,
	AUTH_WRONGPASS,	   /* unknown user, wrong password, user off */
	AUTH_NO_PASSWORD,  /* AUTH pass, but `default` has no password */
};

/* Whether clients start unauthenticated. */
bool auth_required(const struct config *cfg);

/* `user` NULL: the one-argument AUTH form, user `default`. */
enum auth_result auth_check(const struct config *cfg,
			    const struct resp_slice *user,
			    const struct resp_slice *password);

#endif /* REDISHA_AUTH_H */
