/*
 * config_directives: the table of directives (docs/configuration.md,
 * "Directives") and what each line of the file means, for config.c only (no
 * other module includes this header).
 *
 * config.c owns a parse: it fills a struct config_parser, feeds it the file
 * line by line through config_directives_parse_line(), then checks the whole.
 */
#ifndef REDISHA_CONFIG_DIRECTIVES_H
#define REDISHA_CONFIG_DIRECTIVES_H

#include "config.h"
#include "config_lex.h"

/* Room in config_parser.first_line; config_directives.c asserts it fits. */
#define CONFIG_DIRECTIVES_MAX 48

struct config_directive; /* a row of the table, private to the .c file */

/* One parse in progress. Zero it, then set lex (but its line) and cfg. */
struct config_parser {
	struct config_lex lex; /* the file, the line, the error buffer */
	struct config *cfg;
	const struct config_directive *directive; /* of the line being parsed */
	/* Per row of the table: the line of its first use, or 0. */
	int first_line[CONFIG_DIRECTIVES_MAX];
	/* The line of each item of the repeatable tables, for duplicates. */
	int interface_lines[CONFIG_MAX_INTERFACES];
	int vip_lines[RH_MAX_VIPS];
	int sentinel_lines[CONFIG_MAX_SENTINELS];
	int acl_lines[RH_MAX_ACL_RULES];
	int peer_lines[CONFIG_MAX_VRRP_PEERS];
	int listen_lines[CONFIG_MAX_PROXY_LISTEN];
};

/*
 * Parse `line` (the text of line p->lex.line, without its line ending; split
 * in place) into p->cfg. Returns 0, also for a blank or comment line, or
 * -EINVAL with the message in the error buffer.
 */
int config_directives_parse_line(struct config_parser *p, char *line)
	__attribute__((warn_unused_result));

/*
 * The line directive `name` (as the table spells it) first appeared on, or 0,
 * for errors found after the last line. Cannot fail.
 */
int config_directives_first_line(const struct config_parser *p,
				 const char *name);

#endif /* REDISHA_CONFIG_DIRECTIVES_H */
