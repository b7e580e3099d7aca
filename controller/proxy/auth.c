#include "auth.h"

#include <string.h>

bool auth_required(const struct config *cfg)
{
	return cfg->requirepass[0] || cfg->nusers;
}

/* Equal, looking at every byte of the configured secret whatever the
 * given one holds: the time tells at most the configured length. */
static bool secret_equal(const char *secret, const struct resp_slice *given)
{
	size_t len = strlen(secret);
	unsigned diff = len != given->len;

	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)secret[i] ^
			(i < given->len ? (unsigned char)given->ptr[i] : 0u);
	return diff == 0;
}

static bool is(const struct resp_slice *s, const char *name)
{
	return s->len == strlen(name) && !memcmp(s->ptr, name, s->len);
}

enum auth_result auth_check(const struct config *cfg,
			    const struct resp_slice *user,
			    const struct resp_slice *password)
{
	if (!user || is(user, "default")) {
		if (cfg->requirepass[0])
			return secret_equal(cfg->requirepass, password)
				       ? AUTH_OK
				       : AUTH_WRONGPASS;
		/* With users configured, `default` is off. Without, it
		 * takes any password (nopass), but the one-argument form
		 * is a mistake Redis points out. */
		if (cfg->nusers)
			return AUTH_WRONGPASS;
		return user ? AUTH_OK : AUTH_NO_PASSWORD;
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct config_user *u = &cfg->users[i];

		if (is(user, u->name))
			return secret_equal(u->password, password) && u->on
				       ? AUTH_OK
				       : AUTH_WRONGPASS;
	}
	return AUTH_WRONGPASS;
}
