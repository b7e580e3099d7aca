/*
 * json: a streaming JSON writer for redisha-ctl's --json output. The
 * writer places commas and colons itself; strings are escaped (quotes,
 * backslashes, control characters) and bytes that are not UTF-8 become
 * U+FFFD, so the output always parses. Nesting is bounded by
 * JSON_MAX_DEPTH; deeper containers are a bug of the caller and abort.
 */
#ifndef REDISHA_CTL_JSON_H
#define REDISHA_CTL_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH]; /* a value was written at this depth */
	bool after_key;			/* the next value completes a member */
};

void json_init(struct json *j, FILE *out);

void json_object_begin(struct json *j);
/* Ends the object; at the outermost level, also the line. */
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* A member's name; the next call writes its value. */
void json_key(struct json *j, const char *key);

/* Values. json_string(NULL) writes null. */
void json_string(struct json *j, const char *s);
void json_uint(struct json *j, unsigned long long v);
void json_int(struct json *j, long long v);
/* A number with `decimals` digits after the point; NaN and infinities,
 * which JSON cannot hold, are written as null. */
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value in one call, for the common case. */
static inline void json_kv_string(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_string(j, v);
}

static inline void json_kv_uint(struct json *j, const char *k,
				unsigned long long v)
{
	json_key(j, k);
	json_uint(j, v);
}

static inline void json_kv_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}

static inline void json_kv_double(struct json *j, const char *k, double v,
				  int decimals)
{
	json_key(j, k);
	json_double(j, v, decimals);
}

/* Write `s` escaped, with its quotes (exposed for the unit of escaping). */
void json_write_escaped(FILE *out, const char *s);

#endif /* REDISHA_CTL_JSON_H */
