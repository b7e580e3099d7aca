/*
 * resp: the Redis protocol (RESP2 and RESP3) as redisha-proxy speaks it —
 * requests parsed from clients (multibulk and inline, exactly as
 * redis-server accepts them), replies scanned from backends (to find where
 * each ends, without building anything), and the encoder for what the proxy
 * answers itself.
 *
 * Both parsers are incremental: called on a buffer that holds a prefix of a
 * message, they return RESP_INCOMPLETE and remember how far they got; called
 * again on the same message start with more bytes after it (the buffer may
 * have moved), they resume instead of rescanning. So a 64 MiB value costs
 * one pass however it is split. They never allocate in proportion to a
 * length the peer announced: only to bytes actually received, and within
 * struct resp_limits.
 */
#ifndef REDISHA_RESP_H
#define REDISHA_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* An error line; Redis's unknown-command error runs to ~310 bytes. */
#define RESP_ERR_MAX 512
/* Nesting of aggregates in a reply; Redis's deepest (COMMAND DOCS, XINFO
 * STREAM FULL) stay under 10. Deeper is a protocol error. */
#define RESP_MAX_DEPTH 32
/* Redis's PROTO_INLINE_MAX_SIZE: an inline request or a `*N`/`$N` line. */
#define RESP_INLINE_MAX (64 * 1024)

enum resp_status {
	RESP_COMPLETE = 0,
	RESP_INCOMPLETE,
	RESP_PROTO_ERROR, /* err holds "Protocol error: ..." as Redis words it */
};

enum resp_proto { RESP2 = 2, RESP3 = 3 };

struct resp_limits {
	uint64_t max_bulk_len;	/* proto-max-bulk-len; Redis: 512 MiB */
	uint32_t max_multibulk; /* arguments in a request; Redis: 1024 * 1024 */
};

struct resp_slice {
	const char *ptr;
	size_t len;
};

/* A parsed request. argv points into the buffer given to
 * resp_request_parse (multibulk) or into the parser (inline): valid until
 * that buffer changes or the parser is called again. */
struct resp_request {
	size_t argc; /* 0: an empty request (`*0`, a blank line): skip it */
	const struct resp_slice *argv;
	size_t len; /* bytes of input it took, from the buffer's start */
};

/* One client's request parser. Private fields; use the functions. */
struct resp_request_parser {
	const struct resp_limits *lim;
	/* progress through the request at the buffer's start */
	size_t pos;
	size_t scan; /* where the search for the current line's end resumes */
	int64_t argc_expected; /* -1: header not read yet */
	int64_t bulk_len;      /* -1: between arguments */
	size_t nargs;
	/* arguments as offsets while incomplete, slices once complete */
	size_t *arg_off, *arg_len;
	size_t args_cap;
	struct resp_slice *argv;
	size_t argv_cap;
	char *scratch; /* unescaped inline arguments */
	size_t scratch_cap;
};

void resp_request_parser_init(struct resp_request_parser *p,
			      const struct resp_limits *lim);
void resp_request_parser_free(struct resp_request_parser *p);

/*
 * Parse the request at buf[0..len). RESP_COMPLETE fills `req`; the caller
 * consumes req->len bytes, and the next call parses the next request.
 * RESP_INCOMPLETE: call again with the same request at the start of the
 * buffer and more bytes. RESP_PROTO_ERROR: `err` says why ("Protocol error:
 * invalid bulk length"...); the connection must be closed after the error
 * is sent. -ENOMEM is returned as a negative value.
 */
int resp_request_parse(struct resp_request_parser *p, const char *buf,
		       size_t len, struct resp_request *req, char *err,
		       size_t errlen) __attribute__((warn_unused_result));

/* One backend's reply scanner. Private fields. */
struct resp_reply_scanner {
	size_t pos;
	size_t scan; /* where the search for the current line's end resumes */
	int depth;
	int64_t remaining[RESP_MAX_DEPTH]; /* elements still due per level */
	int64_t bulk_len; /* -1 unless inside a bulk payload */
};

void resp_reply_scanner_reset(struct resp_reply_scanner *s);

/*
 * Find the end of the reply at buf[0..len): any RESP2 or RESP3 type
 * (+ - : $ * _ , # ( ! = % ~ > | and attributes before a reply). Returns
 * RESP_COMPLETE with *reply_len (the scanner is then reset for the next
 * reply), RESP_INCOMPLETE, or RESP_PROTO_ERROR with `err`. A bulk longer
 * than lim->max_bulk_len is an error, and so is a + - , ( line longer than
 * it (type byte and CR included).
 */
int resp_reply_scan(struct resp_reply_scanner *s,
		    const struct resp_limits *lim, const char *buf, size_t len,
		    size_t *reply_len, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The first line of a complete reply: its type byte and, for $ * : % ~ >
 * = ! and |, its number (-1 for a RESP2 null); `hdr_len` counts the CRLF.
 * For + - , # ( _ the number is 0. Returns 0 or -EINVAL. */
struct resp_header {
	char type;
	int64_t num;
	size_t hdr_len;
};
int resp_reply_header(const char *buf, size_t len, struct resp_header *h)
	__attribute__((warn_unused_result));

/* The length of the complete reply at buf (which must hold one whole
 * reply, as resp_reply_scan found it); 0 if it does not. */
size_t resp_reply_length(const char *buf, size_t len);

/*
 * The encoder. Each appends one whole element to `out`, or nothing, and
 * returns 0 or -ENOMEM (resp_add_error: -EINVAL if vsnprintf fails).
 * resp_add_error takes the message without its leading '-' ("ERR ...",
 * "CROSSSLOT ..."); CR and LF in it, as in resp_add_simple's, become spaces.
 */
int resp_add_simple(struct buf *out, const char *s)
	__attribute__((warn_unused_result));
int resp_add_error(struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));
int resp_add_int(struct buf *out, int64_t v)
	__attribute__((warn_unused_result));
int resp_add_bulk(struct buf *out, const void *p, size_t len)
	__attribute__((warn_unused_result));
/* $-1 in RESP2, _ in RESP3. */
int resp_add_null(struct buf *out, enum resp_proto proto)
	__attribute__((warn_unused_result));
int resp_add_array(struct buf *out, int64_t n)
	__attribute__((warn_unused_result));
/* A map of n pairs: %n in RESP3, *2n in RESP2. */
int resp_add_map(struct buf *out, int64_t n, enum resp_proto proto)
	__attribute__((warn_unused_result));
/* A request as a multibulk: *argc then one $bulk per argument. */
int resp_add_command(struct buf *out, size_t argc,
		     const struct resp_slice *argv)
	__attribute__((warn_unused_result));

#endif /* REDISHA_RESP_H */
