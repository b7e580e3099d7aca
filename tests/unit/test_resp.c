/*
 * Unit tests for redisha-proxy's protocol layer (controller/proxy/buf.c and
 * resp.c): the byte buffer and its socket I/O, the request parser (multibulk
 * and inline, as redis-server 7.0 reads them), the reply scanner (RESP2 and
 * RESP3), and the encoder. Protocol errors are checked as the exact text
 * the client would get after "-ERR ". Parsers are fed from fresh malloc'd
 * copies, so ASan catches any read past what was given and any pointer kept
 * across calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "resp.h"

/* A string literal as pointer and length: literals may hold NUL bytes. */
#define MSG(lit) lit, sizeof(lit) - 1
#define ARG(lit) { lit, sizeof(lit) - 1 }
#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

struct arg {
	const char *ptr;
	size_t len;
};

/* Redis's defaults: proto-max-bulk-len 512 MiB, 1024 * 1024 arguments. */
static const struct resp_limits redis_lim = { 512ull << 20, 1024 * 1024 };
static const struct resp_limits small_lim = { 8, 4 };

static struct resp_request_parser rp;
static struct resp_request req;
static struct resp_reply_scanner rs;
static char err[RESP_ERR_MAX];

static char *copy(const char *msg, size_t len)
{
	char *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, msg, len);
	return c;
}

/* One call of the request parser on a fresh copy of msg[0..len). */
static int parse_copy(const char *msg, size_t len)
{
	char *c = copy(msg, len);
	int r = resp_request_parse(&rp, c, len, &req, err, sizeof(err));

	free(c);
	return r;
}

static void check_args(size_t argc, const struct arg *want)
{
	assert_int_equal(req.argc, argc);
	for (size_t i = 0; i < argc; i++) {
		assert_int_equal(req.argv[i].len, want[i].len);
		if (want[i].len)
			assert_memory_equal(req.argv[i].ptr, want[i].ptr,
					    want[i].len);
	}
}

/* msg is exactly one complete request of these arguments. */
static void expect_request(const struct resp_limits *lim, const char *msg,
			   size_t len, size_t argc, const struct arg *want)
{
	resp_request_parser_init(&rp, lim);
	assert_int_equal(resp_request_parse(&rp, msg, len, &req, err,
					    sizeof(err)),
			 RESP_COMPLETE);
	assert_int_equal(req.len, len);
	check_args(argc, want);
	resp_request_parser_free(&rp);
}

static void expect_request_error(const struct resp_limits *lim,
				 const char *msg, size_t len, const char *want)
{
	resp_request_parser_init(&rp, lim);
	assert_int_equal(parse_copy(msg, len), RESP_PROTO_ERROR);
	assert_string_equal(err, want);
	resp_request_parser_free(&rp);
}

static void expect_request_incomplete(const struct resp_limits *lim,
				      const char *msg, size_t len)
{
	resp_request_parser_init(&rp, lim);
	assert_int_equal(parse_copy(msg, len), RESP_INCOMPLETE);
	resp_request_parser_free(&rp);
}

/*
 * Cut msg at every byte: a fresh parser given the first part says
 * INCOMPLETE and, given the whole in another buffer, the same request as
 * unsplit. Then one parser fed a byte more each time, each time from a new
 * buffer: only offsets may survive between calls.
 */
static void expect_request_every_split(const char *msg, size_t len,
				       size_t argc, const struct arg *want)
{
	char *c;

	for (size_t k = 1; k < len; k++) {
		resp_request_parser_init(&rp, &redis_lim);
		assert_int_equal(parse_copy(msg, k), RESP_INCOMPLETE);
		c = copy(msg, len);
		assert_int_equal(resp_request_parse(&rp, c, len, &req, err,
						    sizeof(err)),
				 RESP_COMPLETE);
		assert_int_equal(req.len, len);
		check_args(argc, want);
		free(c);
		resp_request_parser_free(&rp);
	}
	resp_request_parser_init(&rp, &redis_lim);
	for (size_t k = 1; k < len; k++)
		assert_int_equal(parse_copy(msg, k), RESP_INCOMPLETE);
	c = copy(msg, len);
	assert_int_equal(resp_request_parse(&rp, c, len, &req, err,
					    sizeof(err)),
			 RESP_COMPLETE);
	assert_int_equal(req.len, len);
	check_args(argc, want);
	free(c);
	resp_request_parser_free(&rp);
}

/* --- buf --------------------------------------------------------------- */

static void test_buf_append_consume(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(buf_append(&b, "hello ", 6), 0);
	assert_int_equal(buf_append(&b, "world", 5), 0);
	assert_int_equal(buf_len(&b), 11);
	assert_memory_equal(buf_head(&b), "hello world", 11);
	buf_consume(&b, 6);
	assert_int_equal(buf_len(&b), 5);
	assert_memory_equal(buf_head(&b), "world", 5);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
}

static void test_buf_consume_all_restarts_at_zero(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	buf_consume(&b, 1);
	assert_int_equal(b.start, 1);
	buf_consume(&b, 2);
	assert_int_equal(b.start, 0);
	assert_int_equal(b.end, 0);
	buf_free(&b);
}

static void test_buf_empty_append_and_free(void **state)
{
	struct buf b = { 0 };

	(void)state;
	buf_free(&b); /* owns nothing */
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	assert_int_equal(buf_len(&b), 0);
	buf_free(&b);
}

static void test_buf_reserve_moves_before_growing(void **state)
{
	struct buf b = { 0 };
	char *data;
	size_t cap;

	(void)state;
	assert_int_equal(buf_append(&b, "0123456789", 10), 0);
	buf_consume(&b, 8);
	data = b.data;
	cap = b.cap;
	/* The room at the end is cap - 10; moving "89" front frees 8 more. */
	assert_int_equal(buf_reserve(&b, cap - 4), 0);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.start, 0);
	assert_memory_equal(buf_head(&b), "89", 2);
	buf_free(&b);
}

static void test_buf_reserve_grows_keeping_contents(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "abcdef", 6), 0);
	buf_consume(&b, 2);
	assert_int_equal(buf_reserve(&b, 100000), 0);
	assert_true(b.cap - b.end >= 100000);
	assert_int_equal(buf_len(&b), 4);
	assert_memory_equal(buf_head(&b), "cdef", 4);
	buf_free(&b);
}

static void test_buf_reserve_overflow_is_enomem(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "ab", 2), 0);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -ENOMEM);
	assert_memory_equal(buf_head(&b), "ab", 2);
	buf_free(&b);
}

/* A socketpair whose first end is non-blocking. */
static void nonblocking_pair(int sv[2])
{
	int fl;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fl = fcntl(sv[0], F_GETFL);
	assert_true(fl >= 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, fl | O_NONBLOCK), 0);
}

static void test_buf_read_fd(void **state)
{
	struct buf b = { 0 };
	int sv[2];

	(void)state;
	nonblocking_pair(sv);
	assert_int_equal(buf_read_fd(&b, sv[0], 16), -EAGAIN);
	assert_int_equal(write(sv[1], "hello world", 11), 11);
	assert_int_equal(buf_read_fd(&b, sv[0], 5), 5);
	assert_int_equal(buf_read_fd(&b, sv[0], 100), 6);
	assert_int_equal(buf_len(&b), 11);
	assert_memory_equal(buf_head(&b), "hello world", 11);
	assert_int_equal(buf_read_fd(&b, sv[0], 100), -EAGAIN);
	assert_int_equal(close(sv[1]), 0);
	assert_int_equal(buf_read_fd(&b, sv[0], 100), 0);
	assert_int_equal(close(sv[0]), 0);
	buf_free(&b);
}

static void test_buf_read_fd_refuses_zero_bytes(void **state)
{
	struct buf b = { 0 };
	int sv[2];

	(void)state;
	nonblocking_pair(sv);
	assert_int_equal(buf_read_fd(&b, sv[0], 0), -ENOBUFS);
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
}

static void test_buf_read_fd_bad_fd(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_read_fd(&b, -1, 16), -EBADF);
	buf_free(&b);
}

static void test_buf_write_fd(void **state)
{
	struct buf b = { 0 };
	char got[16];
	int sv[2];

	(void)state;
	nonblocking_pair(sv);
	assert_int_equal(buf_write_fd(&b, sv[0]), 0);
	assert_int_equal(buf_append(&b, "+PONG\r\n", 7), 0);
	assert_int_equal(buf_write_fd(&b, sv[0]), 7);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(read(sv[1], got, sizeof(got)), 7);
	assert_memory_equal(got, "+PONG\r\n", 7);
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
	buf_free(&b);
}

/* Socket full: part written and consumed, then 0; the rest after the
 * peer reads. */
static void test_buf_write_fd_full_socket(void **state)
{
	enum { BIG = 8 << 20 };
	struct buf b = { 0 };
	char *chunk = malloc(BIG);
	ssize_t n, drained;
	int sv[2];

	(void)state;
	assert_non_null(chunk);
	memset(chunk, 'x', BIG);
	nonblocking_pair(sv);
	assert_int_equal(buf_append(&b, chunk, BIG), 0);
	n = buf_write_fd(&b, sv[0]);
	assert_true(n > 0 && n < BIG);
	assert_int_equal(buf_len(&b), BIG - (size_t)n);
	assert_int_equal(buf_write_fd(&b, sv[0]), 0);
	drained = read(sv[1], chunk, BIG);
	assert_true(drained > 0);
	assert_true(buf_write_fd(&b, sv[0]) > 0);
	assert_int_equal(close(sv[0]), 0);
	assert_int_equal(close(sv[1]), 0);
	buf_free(&b);
	free(chunk);
}

static void test_buf_write_fd_peer_gone_is_epipe(void **state)
{
	struct buf b = { 0 };
	int sv[2];

	(void)state;
	nonblocking_pair(sv);
	assert_int_equal(close(sv[1]), 0);
	assert_int_equal(buf_append(&b, "+OK\r\n", 5), 0);
	/* MSG_NOSIGNAL: an error, not SIGPIPE killing the test. */
	assert_int_equal(buf_write_fd(&b, sv[0]), -EPIPE);
	assert_int_equal(buf_len(&b), 5);
	assert_int_equal(close(sv[0]), 0);
	buf_free(&b);
}

/* --- requests: multibulk -------------------------------------------------- */

static void test_request_multibulk(void **state)
{
	static const struct arg want[] = { ARG("GET"), ARG("key") };

	(void)state;
	expect_request(&redis_lim, MSG("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"), 2,
		       want);
}

#define BINARY_REQUEST \
	"*4\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\n\0\r\n\xff\n\r\n$2\r\n\r\n\r\n"
static const struct arg binary_args[] = { ARG("SET"), ARG(""),
					  ARG("\0\r\n\xff\n"), ARG("\r\n") };

static void test_request_multibulk_binary_and_empty_args(void **state)
{
	(void)state;
	expect_request(&redis_lim, MSG(BINARY_REQUEST), NARGS(binary_args),
		       binary_args);
}

/* The slices point into the caller's buffer, not copies. */
static void test_request_multibulk_args_point_into_buffer(void **state)
{
	static const char msg[] = "*1\r\n$4\r\nPING\r\n";

	(void)state;
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(resp_request_parse(&rp, msg, sizeof(msg) - 1, &req,
					    err, sizeof(err)),
			 RESP_COMPLETE);
	assert_ptr_equal(req.argv[0].ptr, msg + 8);
	resp_request_parser_free(&rp);
}

/* Redis takes `*0` and any negative count for an empty request. */
static void test_request_multibulk_empty_counts(void **state)
{
	(void)state;
	expect_request(&redis_lim, MSG("*0\r\n"), 0, NULL);
	expect_request(&redis_lim, MSG("*-1\r\n"), 0, NULL);
	expect_request(&redis_lim, MSG("*-7\r\n"), 0, NULL);
}

static void test_request_multibulk_incomplete(void **state)
{
	(void)state;
	expect_request_incomplete(&redis_lim, MSG(""));
	expect_request_incomplete(&redis_lim, MSG("*"));
	expect_request_incomplete(&redis_lim, MSG("*2\r"));
	expect_request_incomplete(&redis_lim, MSG("*2\r\n$3\r\nGET\r\n$3"));
	expect_request_incomplete(&redis_lim, MSG("*1\r\n$3\r\nfoo"));
	expect_request_incomplete(&redis_lim, MSG("*1\r\n$3\r\nfoo\r"));
}

static void test_request_multibulk_every_split(void **state)
{
	(void)state;
	expect_request_every_split(MSG(BINARY_REQUEST), NARGS(binary_args),
				   binary_args);
}

/* --- requests: inline ----------------------------------------------------- */

static void test_request_inline(void **state)
{
	static const struct arg want[] = { ARG("GET"), ARG("key") };

	(void)state;
	expect_request(&redis_lim, MSG("GET key\r\n"), 2, want);
	expect_request(&redis_lim, MSG("GET key\n"), 2, want);
	expect_request(&redis_lim, MSG("  GET \t key  \r\n"), 2, want);
}

static void test_request_inline_blank_line_is_empty(void **state)
{
	(void)state;
	expect_request(&redis_lim, MSG("\r\n"), 0, NULL);
	expect_request(&redis_lim, MSG("\n"), 0, NULL);
	expect_request(&redis_lim, MSG(" \t\v\f \r\n"), 0, NULL);
}

/* Only '*' starts a multibulk. */
static void test_request_inline_any_other_first_byte(void **state)
{
	static const struct arg want[] = { ARG("$3") };

	(void)state;
	expect_request(&redis_lim, MSG("$3\r\n"), 1, want);
}

static void test_request_inline_quotes(void **state)
{
	static const struct arg want[] = { ARG("SET"), ARG("a b"),
					   ARG("c d"), ARG(""), ARG("") };

	(void)state;
	expect_request(&redis_lim, MSG("SET \"a b\" 'c d' \"\" ''\r\n"), 5,
		       want);
}

static void test_request_inline_double_quote_escapes(void **state)
{
	static const struct arg want[] = { ARG("\n\r\t\b\a\\\"A\xff"
					       "xZZq") };

	(void)state;
	expect_request(&redis_lim,
		       MSG("\"\\n\\r\\t\\b\\a\\\\\\\""
			   "\\x41\\xff\\xZZ\\q\"\n"),
		       1, want);
}

/* In single quotes only \' is an escape. */
static void test_request_inline_single_quote_escapes(void **state)
{
	static const struct arg want[] = { ARG("it's"), ARG("a\\nb"),
					   ARG("x\"y") };

	(void)state;
	expect_request(&redis_lim, MSG("'it\\'s' 'a\\nb' 'x\"y'\r\n"), 3,
		       want);
}

/* A quote may open inside an argument, which goes on within it. */
static void test_request_inline_quote_inside_argument(void **state)
{
	static const struct arg want[] = { ARG("ECHO"), ARG("ab c") };

	(void)state;
	expect_request(&redis_lim, MSG("ECHO a\"b c\"\r\n"), 2, want);
}

/* \v and \f are skipped between arguments but kept inside one, and may
 * follow a closing quote. */
static void test_request_inline_vtab_and_form_feed(void **state)
{
	static const struct arg want[] = { ARG("ECHO"), ARG("a\vb\f"),
					   ARG("c"), ARG("d") };

	(void)state;
	expect_request(&redis_lim, MSG("\vECHO a\vb\f \"c\"\vd\r\n"), 4, want);
}

/* Only one \r before the \n belongs to the line end; others are blanks. */
static void test_request_inline_inner_carriage_returns(void **state)
{
	static const struct arg want[] = { ARG("a"), ARG("b") };

	(void)state;
	expect_request(&redis_lim, MSG("a\rb\r\r\n"), 2, want);
}

/* Redis never gets there (strchr stops at NUL); here a NUL is a byte. */
static void test_request_inline_nul_is_a_byte(void **state)
{
	static const struct arg want[] = { ARG("a\0b") };

	(void)state;
	expect_request(&redis_lim, MSG("a\0b\r\n"), 1, want);
}

static void test_request_inline_incomplete(void **state)
{
	(void)state;
	expect_request_incomplete(&redis_lim, MSG("PING"));
	expect_request_incomplete(&redis_lim, MSG("PING\r"));
	expect_request_incomplete(&redis_lim, MSG("SET \"a b"));
}

/* The arguments are unescaped into the parser's scratch space. */
static void test_request_inline_args_point_into_parser(void **state)
{
	(void)state;
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(parse_copy(MSG("PING x\r\n")), RESP_COMPLETE);
	assert_ptr_equal(req.argv[0].ptr, rp.scratch);
	assert_ptr_equal(req.argv[1].ptr, rp.scratch + 4);
	resp_request_parser_free(&rp);
}

#define INLINE_REQUEST "SET \"a b\\x41\\n\" 'c\\'d' e\r\n"
static const struct arg inline_args[] = { ARG("SET"), ARG("a bA\n"),
					  ARG("c'd"), ARG("e") };

static void test_request_inline_every_split(void **state)
{
	(void)state;
	expect_request_every_split(MSG(INLINE_REQUEST), NARGS(inline_args),
				   inline_args);
}

/* --- requests: pipelines and the parser's life ---------------------------- */

/* Back to back in one buffer, consumed one by one as the proxy does. */
static void test_request_pipeline(void **state)
{
	static const struct arg ping[] = { ARG("PING") };
	static const struct arg get[] = { ARG("GET"), ARG("k") };
	static const char msg[] = "*1\r\n$4\r\nPING\r\nPING\r\n*0\r\n"
				  "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n\nGET k\n";
	static const struct {
		size_t len, argc;
		const struct arg *args;
	} want[] = { { 14, 1, ping }, { 6, 1, ping }, { 4, 0, NULL },
		     { 20, 2, get },  { 1, 0, NULL }, { 6, 2, get } };
	struct buf b = { 0 };

	(void)state;
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(buf_append(&b, msg, sizeof(msg) - 1), 0);
	for (size_t i = 0; i < NARGS(want); i++) {
		assert_int_equal(resp_request_parse(&rp, buf_head(&b),
						    buf_len(&b), &req, err,
						    sizeof(err)),
				 RESP_COMPLETE);
		assert_int_equal(req.len, want[i].len);
		check_args(want[i].argc, want[i].args);
		buf_consume(&b, req.len);
	}
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(resp_request_parse(&rp, buf_head(&b), buf_len(&b),
					    &req, err, sizeof(err)),
			 RESP_INCOMPLETE);
	buf_free(&b);
	resp_request_parser_free(&rp);
}

/* After a protocol error the parser starts over. */
static void test_request_parser_restarts_after_error(void **state)
{
	static const struct arg want[] = { ARG("PING") };

	(void)state;
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(parse_copy(MSG("*1\r\n$x\r\n")), RESP_PROTO_ERROR);
	assert_int_equal(parse_copy(MSG("PING\r\n")), RESP_COMPLETE);
	check_args(1, want);
	resp_request_parser_free(&rp);
}

/* A count is a promise, not memory: arrays grow with what arrives. */
static void test_request_arrays_grow_with_arguments(void **state)
{
	(void)state;
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(parse_copy(MSG("*1000000\r\n$1\r\na\r\n")),
			 RESP_INCOMPLETE);
	assert_true(rp.args_cap <= 8);
	assert_int_equal(parse_copy(MSG("*1000000\r\n$1\r\na\r\n"
					"$536870912\r\n")),
			 RESP_INCOMPLETE);
	assert_true(rp.args_cap <= 8);
	resp_request_parser_free(&rp);
}

/* The arrays of one huge request are not kept for the next. */
static void test_request_huge_arrays_given_back(void **state)
{
	static const struct arg want[] = { ARG("PING") };
	struct buf b = { 0 };
	char hdr[16];

	(void)state;
	snprintf(hdr, sizeof(hdr), "*%d\r\n", 5000);
	assert_int_equal(buf_append(&b, hdr, strlen(hdr)), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_append(&b, "$1\r\na\r\n", 7), 0);
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(resp_request_parse(&rp, buf_head(&b), buf_len(&b),
					    &req, err, sizeof(err)),
			 RESP_COMPLETE);
	assert_int_equal(req.argc, 5000);
	assert_true(rp.args_cap >= 5000);
	assert_int_equal(parse_copy(MSG("PING\r\n")), RESP_COMPLETE);
	check_args(1, want);
	assert_true(rp.args_cap <= 8);
	resp_request_parser_free(&rp);
	buf_free(&b);
}

/* --- requests: protocol errors and limits --------------------------------- */

static void test_request_error_invalid_multibulk_length(void **state)
{
	static const char *const bad[] = {
		"*abc\r\n", "*\r\n",	"*01\r\n",   "*+1\r\n", "* 1\r\n",
		"*1 \r\n",  "*1\n",	"*-0\r\n",   "*1\rX\r\n",
		"*99999999999999999999\r\n",
	};

	(void)state;
	for (size_t i = 0; i < NARGS(bad); i++)
		expect_request_error(&redis_lim, bad[i], strlen(bad[i]),
				     "Protocol error: invalid multibulk "
				     "length");
}

static void test_request_error_expected_dollar(void **state)
{
	(void)state;
	expect_request_error(&redis_lim, MSG("*1\r\nX3\r\nfoo\r\n"),
			     "Protocol error: expected '$', got 'X'");
	expect_request_error(&redis_lim, MSG("*2\r\n$1\r\na\r\n:1\r\n"),
			     "Protocol error: expected '$', got ':'");
	/* The '$' is checked before the length. */
	expect_request_error(&redis_lim, MSG("*1\r\nfoo\n"),
			     "Protocol error: expected '$', got 'f'");
}

static void test_request_error_invalid_bulk_length(void **state)
{
	static const char *const bad[] = {
		"*1\r\n$-1\r\n", "*1\r\n$abc\r\n", "*1\r\n$\r\n",
		"*1\r\n$01\r\n", "*1\r\n$3\n",	   "*1\r\n$ 3\r\n",
		"*1\r\n$99999999999999999999\r\n",
	};

	(void)state;
	for (size_t i = 0; i < NARGS(bad); i++)
		expect_request_error(&redis_lim, bad[i], strlen(bad[i]),
				     "Protocol error: invalid bulk length");
}

/* Redis skips the two bytes after a payload unread; the proxy checks. */
static void test_request_error_no_crlf_after_bulk(void **state)
{
	(void)state;
	expect_request_error(&redis_lim, MSG("*1\r\n$3\r\nfooXY"),
			     "Protocol error: expected CRLF after bulk data");
	expect_request_error(&redis_lim, MSG("*1\r\n$3\r\nfoo\rX"),
			     "Protocol error: expected CRLF after bulk data");
	expect_request_error(&redis_lim, MSG("*1\r\n$3\r\nfoo\n\r"),
			     "Protocol error: expected CRLF after bulk data");
}

static void test_request_error_unbalanced_quotes(void **state)
{
	static const char *const bad[] = {
		"GET \"abc\r\n", "GET 'abc\r\n", "GET \"a\"b\r\n",
		"GET 'a'b\r\n",	 "GET \"a\\\n",	 "GET a'b c'd\r\n",
		"SET \"a\nb\"\r\n", /* the newline ends the line */
	};

	(void)state;
	for (size_t i = 0; i < NARGS(bad); i++)
		expect_request_error(&redis_lim, bad[i], strlen(bad[i]),
				     "Protocol error: unbalanced quotes in "
				     "request");
}

/* A line of RESP_INLINE_MAX bytes is the longest without a newline. */
static void test_request_error_too_big_inline(void **state)
{
	char *line = malloc(RESP_INLINE_MAX + 2);

	(void)state;
	assert_non_null(line);
	memset(line, 'a', RESP_INLINE_MAX + 1);
	expect_request_incomplete(&redis_lim, line, RESP_INLINE_MAX);
	expect_request_error(&redis_lim, line, RESP_INLINE_MAX + 1,
			     "Protocol error: too big inline request");
	line[RESP_INLINE_MAX] = '\n';
	resp_request_parser_init(&rp, &redis_lim);
	assert_int_equal(parse_copy(line, RESP_INLINE_MAX + 1), RESP_COMPLETE);
	assert_int_equal(req.argc, 1);
	assert_int_equal(req.argv[0].len, RESP_INLINE_MAX);
	resp_request_parser_free(&rp);
	free(line);
}

static void test_request_error_too_big_count_strings(void **state)
{
	char *line = malloc(RESP_INLINE_MAX + 8);

	(void)state;
	assert_non_null(line);
	memset(line, '1', RESP_INLINE_MAX + 8);
	line[0] = '*';
	expect_request_incomplete(&redis_lim, line, RESP_INLINE_MAX);
	expect_request_error(&redis_lim, line, RESP_INLINE_MAX + 1,
			     "Protocol error: too big mbulk count string");
	memcpy(line, "*1\r\n$", 5);
	expect_request_incomplete(&redis_lim, line, RESP_INLINE_MAX + 4);
	expect_request_error(&redis_lim, line, RESP_INLINE_MAX + 5,
			     "Protocol error: too big bulk count string");
	free(line);
}

static void test_request_limit_max_bulk_len(void **state)
{
	static const struct arg want[] = { ARG("12345678") };

	(void)state;
	expect_request(&small_lim, MSG("*1\r\n$8\r\n12345678\r\n"), 1, want);
	expect_request_error(&small_lim, MSG("*1\r\n$9\r\n"),
			     "Protocol error: invalid bulk length");
}

static void test_request_limit_max_multibulk(void **state)
{
	static const struct arg want[] = { ARG("a"), ARG("b"), ARG("c"),
					   ARG("d") };

	(void)state;
	expect_request(&small_lim,
		       MSG("*4\r\n$1\r\na\r\n$1\r\nb\r\n"
			   "$1\r\nc\r\n$1\r\nd\r\n"),
		       4, want);
	expect_request_error(&small_lim, MSG("*5\r\n"),
			     "Protocol error: invalid multibulk length");
	expect_request(&small_lim, MSG("a b c d\r\n"), 4, want);
	expect_request_error(&small_lim, MSG("a b c d e\r\n"),
			     "Protocol error: too many arguments in inline "
			     "request");
}

/* --- replies ------------------------------------------------------------- */

/* One call of the scanner on a fresh copy of msg[0..len). */
static int scan_copy(const struct resp_limits *lim, const char *msg,
		     size_t len, size_t *reply_len)
{
	char *c = copy(msg, len);
	int r = resp_reply_scan(&rs, lim, c, len, reply_len, err, sizeof(err));

	free(c);
	return r;
}

/* msg starts with one complete reply of `want` bytes. */
static void expect_reply_len(const struct resp_limits *lim, const char *msg,
			     size_t len, size_t want)
{
	size_t n = 0;

	resp_reply_scanner_reset(&rs);
	assert_int_equal(scan_copy(lim, msg, len, &n), RESP_COMPLETE);
	assert_int_equal(n, want);
}

static void expect_reply(const char *msg, size_t len)
{
	expect_reply_len(&redis_lim, msg, len, len);
}

static void expect_reply_error(const struct resp_limits *lim,
			       const char *msg, size_t len, const char *want)
{
	size_t n;

	resp_reply_scanner_reset(&rs);
	assert_int_equal(scan_copy(lim, msg, len, &n), RESP_PROTO_ERROR);
	assert_string_equal(err, want);
}

static void expect_reply_incomplete_lim(const struct resp_limits *lim,
					const char *msg, size_t len)
{
	size_t n;

	resp_reply_scanner_reset(&rs);
	assert_int_equal(scan_copy(lim, msg, len, &n), RESP_INCOMPLETE);
}

static void expect_reply_incomplete(const char *msg, size_t len)
{
	expect_reply_incomplete_lim(&redis_lim, msg, len);
}

/* As expect_request_every_split, for a reply. */
static void expect_reply_every_split(const char *msg, size_t len)
{
	size_t n = 0;

	for (size_t k = 1; k < len; k++) {
		resp_reply_scanner_reset(&rs);
		assert_int_equal(scan_copy(&redis_lim, msg, k, &n),
				 RESP_INCOMPLETE);
		assert_int_equal(scan_copy(&redis_lim, msg, len, &n),
				 RESP_COMPLETE);
		assert_int_equal(n, len);
	}
	resp_reply_scanner_reset(&rs);
	for (size_t k = 1; k < len; k++)
		assert_int_equal(scan_copy(&redis_lim, msg, k, &n),
				 RESP_INCOMPLETE);
	assert_int_equal(scan_copy(&redis_lim, msg, len, &n), RESP_COMPLETE);
	assert_int_equal(n, len);
}

static void test_reply_resp2_types(void **state)
{
	(void)state;
	expect_reply(MSG("+OK\r\n"));
	expect_reply(MSG("+\r\n"));
	expect_reply(MSG("-ERR unknown command 'x'\r\n"));
	expect_reply(MSG(":0\r\n"));
	expect_reply(MSG(":-9223372036854775808\r\n"));
	expect_reply(MSG(":9223372036854775807\r\n"));
	expect_reply(MSG("$3\r\nfoo\r\n"));
	expect_reply(MSG("$0\r\n\r\n"));
	expect_reply(MSG("$4\r\n\r\n\0\n\r\n"));
	expect_reply(MSG("$-1\r\n"));
	expect_reply(MSG("*-1\r\n"));
	expect_reply(MSG("*0\r\n"));
	expect_reply(MSG("*3\r\n:1\r\n$-1\r\n*2\r\n+a\r\n-b\r\n"));
}

static void test_reply_resp3_types(void **state)
{
	(void)state;
	expect_reply(MSG("_\r\n"));
	expect_reply(MSG(",1.5\r\n"));
	expect_reply(MSG(",-inf\r\n"));
	expect_reply(MSG("#t\r\n"));
	expect_reply(MSG("#f\r\n"));
	expect_reply(MSG("(3492890328409238509324850943850943825024385\r\n"));
	expect_reply(MSG("(-1\r\n"));
	expect_reply(MSG("!21\r\nSYNTAX invalid syntax\r\n"));
	expect_reply(MSG("=15\r\ntxt:Some string\r\n"));
	expect_reply(MSG("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"));
	expect_reply(MSG("%0\r\n"));
	expect_reply(MSG("~2\r\n+a\r\n+b\r\n"));
	expect_reply(MSG(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"));
}

/* An attribute and the reply after it are one reply. */
static void test_reply_attribute(void **state)
{
	(void)state;
	expect_reply_incomplete(MSG("|1\r\n+key\r\n+val\r\n"));
	expect_reply(MSG("|1\r\n+key\r\n+val\r\n+actual\r\n"));
	expect_reply(MSG("|0\r\n:1\r\n"));
	/* Inside an aggregate it takes no element's place. */
	expect_reply(MSG("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n"));
	expect_reply_incomplete(MSG("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n"));
}

#define NESTED_REPLY                                                   \
	"|1\r\n+ttl\r\n:3600\r\n"                                      \
	"%2\r\n"                                                       \
	"+k\r\n"                                                       \
	"*3\r\n$3\r\nfoo\r\n_\r\n|1\r\n+a\r\n#t\r\n,1.5\r\n"           \
	"~1\r\n(-123\r\n"                                              \
	">2\r\n=7\r\ntxt:a\r\n\r\n!3\r\nERR\r\n"

static void test_reply_nested(void **state)
{
	(void)state;
	expect_reply(MSG(NESTED_REPLY));
}

static void test_reply_nested_every_split(void **state)
{
	(void)state;
	expect_reply_every_split(MSG(NESTED_REPLY));
	expect_reply_every_split(MSG("$5\r\n\r\nab\n\r\n"));
}

static void test_reply_pipeline(void **state)
{
	static const char msg[] = "+OK\r\n*2\r\n:1\r\n$-1\r\n_\r\n";
	static const size_t want[] = { 5, 13, 3 };
	size_t off = 0, n;

	(void)state;
	resp_reply_scanner_reset(&rs);
	for (size_t i = 0; i < NARGS(want); i++) {
		assert_int_equal(resp_reply_scan(&rs, &redis_lim, msg + off,
						 sizeof(msg) - 1 - off, &n, err,
						 sizeof(err)),
				 RESP_COMPLETE);
		assert_int_equal(n, want[i]);
		off += n;
	}
	assert_int_equal(off, sizeof(msg) - 1);
}

/* The scanner starts over after a complete reply, even one found in
 * pieces. */
static void test_reply_scanner_resets_after_complete(void **state)
{
	size_t n;

	(void)state;
	resp_reply_scanner_reset(&rs);
	assert_int_equal(scan_copy(&redis_lim, MSG("*2\r\n:1\r\n"), &n),
			 RESP_INCOMPLETE);
	assert_int_equal(scan_copy(&redis_lim, MSG("*2\r\n:1\r\n:2\r\n"), &n),
			 RESP_COMPLETE);
	assert_int_equal(scan_copy(&redis_lim, MSG("+OK\r\n"), &n),
			 RESP_COMPLETE);
	assert_int_equal(n, 5);
}

static void test_reply_incomplete(void **state)
{
	(void)state;
	expect_reply_incomplete(MSG(""));
	expect_reply_incomplete(MSG("+OK"));
	expect_reply_incomplete(MSG("+OK\r"));
	expect_reply_incomplete(MSG("$3\r\nfoo"));
	expect_reply_incomplete(MSG("$3\r\nfoo\r"));
	expect_reply_incomplete(MSG("*2\r\n:1\r\n"));
	expect_reply_incomplete(MSG("%1\r\n+a\r\n"));
}

static void test_reply_error_unknown_type(void **state)
{
	(void)state;
	expect_reply_error(&redis_lim, MSG("?\r\n"),
			   "Protocol error: unknown reply type byte 0x3f");
	/* RESP3's streamed parts: the end marker and a chunk. */
	expect_reply_error(&redis_lim, MSG(".\r\n"),
			   "Protocol error: unknown reply type byte 0x2e");
	expect_reply_error(&redis_lim, MSG("*1\r\n;4\r\nabcd\r\n"),
			   "Protocol error: unknown reply type byte 0x3b");
	expect_reply_error(&redis_lim, MSG("\0"),
			   "Protocol error: unknown reply type byte 0x00");
}

/* Streamed strings and aggregates (`$?`, `*?`) are not supported. */
static void test_reply_error_streamed_lengths(void **state)
{
	(void)state;
	expect_reply_error(&redis_lim, MSG("$?\r\n;4\r\nabcd\r\n;0\r\n"),
			   "Protocol error: invalid bulk length");
	expect_reply_error(&redis_lim, MSG("*?\r\n:1\r\n.\r\n"),
			   "Protocol error: invalid aggregate length");
	expect_reply_error(&redis_lim, MSG("%?\r\n"),
			   "Protocol error: invalid aggregate length");
}

static void test_reply_error_bad_lengths(void **state)
{
	static const char *const bulk[] = { "$-2\r\n", "$x\r\n", "$\r\n",
					    "=-1\r\n", "!-1\r\n", "$3\n" };
	static const char *const agg[] = {
		"*-2\r\n", "~-1\r\n", ">-1\r\n",
		"%-1\r\n", "|-1\r\n", "*1x\r\n",
		"%4611686018427387904\r\n", "|4611686018427387904\r\n",
	};

	(void)state;
	for (size_t i = 0; i < NARGS(bulk); i++)
		expect_reply_error(&redis_lim, bulk[i], strlen(bulk[i]),
				   "Protocol error: invalid bulk length");
	for (size_t i = 0; i < NARGS(agg); i++)
		expect_reply_error(&redis_lim, agg[i], strlen(agg[i]),
				   "Protocol error: invalid aggregate length");
}

static void test_reply_error_bad_scalars(void **state)
{
	static const struct {
		const char *msg, *want;
	} bad[] = {
		{ ":abc\r\n", "Protocol error: invalid integer" },
		{ ":\r\n", "Protocol error: invalid integer" },
		{ ":1.5\r\n", "Protocol error: invalid integer" },
		{ ":01\r\n", "Protocol error: invalid integer" },
		{ ":9223372036854775808\r\n",
		  "Protocol error: invalid integer" },
		{ ":-9223372036854775809\r\n",
		  "Protocol error: invalid integer" },
		{ ":1\n", "Protocol error: invalid integer" },
		{ "(\r\n", "Protocol error: invalid big number" },
		{ "(-\r\n", "Protocol error: invalid big number" },
		{ "(12a\r\n", "Protocol error: invalid big number" },
		{ "#x\r\n", "Protocol error: invalid boolean" },
		{ "#tt\r\n", "Protocol error: invalid boolean" },
		{ "#\r\n", "Protocol error: invalid boolean" },
		{ "_x\r\n", "Protocol error: invalid null" },
		{ "+OK\n", "Protocol error: reply line not ended by CRLF" },
		{ ",1\n", "Protocol error: reply line not ended by CRLF" },
	};

	(void)state;
	for (size_t i = 0; i < NARGS(bad); i++)
		expect_reply_error(&redis_lim, bad[i].msg, strlen(bad[i].msg),
				   bad[i].want);
}

static void test_reply_error_no_crlf_after_bulk(void **state)
{
	(void)state;
	expect_reply_error(&redis_lim, MSG("$3\r\nfooXY"),
			   "Protocol error: expected CRLF after bulk data");
	expect_reply_error(&redis_lim, MSG("*1\r\n=5\r\ntxt:a\n\r"),
			   "Protocol error: expected CRLF after bulk data");
}

static void test_reply_limit_max_bulk_len(void **state)
{
	(void)state;
	expect_reply_len(&small_lim, MSG("$8\r\n12345678\r\n"), 14);
	expect_reply_error(&small_lim, MSG("$9\r\n"),
			   "Protocol error: bulk reply too big");
	expect_reply_error(&small_lim, MSG("*1\r\n!9\r\n"),
			   "Protocol error: bulk reply too big");
	/* A text line, type byte and CR included, is held to it too. */
	expect_reply_len(&small_lim, MSG("+123456\r\n"), 9);
	expect_reply_incomplete_lim(&small_lim, MSG("+1234567"));
	expect_reply_error(&small_lim, MSG("+12345678"),
			   "Protocol error: too big reply line");
}

/* RESP_MAX_DEPTH aggregates deep is the deepest. */
static void test_reply_limit_depth(void **state)
{
	struct buf b = { 0 };

	(void)state;
	for (int i = 0; i < RESP_MAX_DEPTH; i++)
		assert_int_equal(buf_append(&b, "*1\r\n", 4), 0);
	assert_int_equal(buf_append(&b, ":1\r\n", 4), 0);
	expect_reply(buf_head(&b), buf_len(&b));
	b.end -= 4;
	assert_int_equal(buf_append(&b, "%1\r\n", 4), 0);
	expect_reply_error(&redis_lim, buf_head(&b), buf_len(&b),
			   "Protocol error: reply nested too deep");
	buf_free(&b);
}

static void test_reply_header(void **state)
{
	static const struct {
		const char *msg;
		char type;
		int64_t num;
		size_t hdr_len;
	} v[] = {
		{ "$3\r\nfoo\r\n", '$', 3, 4 },
		{ "$-1\r\n", '$', -1, 5 },
		{ "*-1\r\n", '*', -1, 5 },
		{ "*2\r\n:1\r\n:2\r\n", '*', 2, 4 },
		{ ":-42\r\n", ':', -42, 6 },
		{ "%1\r\n+a\r\n+b\r\n", '%', 1, 4 },
		{ "|1\r\n+a\r\n+b\r\n_\r\n", '|', 1, 4 },
		{ "=5\r\ntxt:a\r\n", '=', 5, 4 },
		{ "!3\r\nERR\r\n", '!', 3, 4 },
		{ "~0\r\n", '~', 0, 4 },
		{ ">1\r\n+a\r\n", '>', 1, 4 },
		{ "+OK\r\n", '+', 0, 5 },
		{ "-ERR x\r\n", '-', 0, 8 },
		{ ",1.5\r\n", ',', 0, 6 },
		{ "#t\r\n", '#', 0, 4 },
		{ "(12\r\n", '(', 0, 5 },
		{ "_\r\n", '_', 0, 3 },
	};
	struct resp_header h;

	(void)state;
	for (size_t i = 0; i < NARGS(v); i++) {
		assert_int_equal(resp_reply_header(v[i].msg, strlen(v[i].msg),
						   &h),
				 0);
		assert_int_equal(h.type, v[i].type);
		assert_int_equal(h.num, v[i].num);
		assert_int_equal(h.hdr_len, v[i].hdr_len);
	}
}

static void test_reply_header_invalid(void **state)
{
	static const char *const bad[] = { "",	    "+OK",    "?x\r\n",
					   "$x\r\n", "+OK\n", "*1" };
	struct resp_header h;

	(void)state;
	for (size_t i = 0; i < NARGS(bad); i++)
		assert_int_equal(resp_reply_header(bad[i], strlen(bad[i]), &h),
				 -EINVAL);
}

static void test_reply_length(void **state)
{
	(void)state;
	assert_int_equal(resp_reply_length(MSG(NESTED_REPLY)),
			 sizeof(NESTED_REPLY) - 1);
	assert_int_equal(resp_reply_length(MSG(NESTED_REPLY "+OK\r\n")),
			 sizeof(NESTED_REPLY) - 1);
	assert_int_equal(resp_reply_length(NESTED_REPLY,
					   sizeof(NESTED_REPLY) - 2),
			 0);
	assert_int_equal(resp_reply_length(MSG("?\r\n")), 0);
	assert_int_equal(resp_reply_length(MSG("")), 0);
}

/* --- the encoder ---------------------------------------------------------- */

static void expect_bytes(struct buf *b, const char *want, size_t len)
{
	assert_int_equal(buf_len(b), len);
	assert_memory_equal(buf_head(b), want, len);
	buf_free(b);
}

static void test_encode_simple(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_simple(&b, "OK"), 0);
	assert_int_equal(resp_add_simple(&b, ""), 0);
	assert_int_equal(resp_add_simple(&b, "a\r\nb"), 0);
	expect_bytes(&b, MSG("+OK\r\n+\r\n+a  b\r\n"));
}

static void test_encode_error(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_error(&b, "ERR unknown command '%s', %d",
					"x\r\ny", 42),
			 0);
	assert_int_equal(resp_add_error(&b, "CROSSSLOT Keys in request don't "
					    "hash to the same slot"),
			 0);
	expect_bytes(&b, MSG("-ERR unknown command 'x  y', 42\r\n"
			     "-CROSSSLOT Keys in request don't hash to the "
			     "same slot\r\n"));
}

/* A long message: formatted straight into the buffer, whatever its size. */
static void test_encode_error_long(void **state)
{
	struct buf b = { 0 };
	char *msg = malloc(10001);

	(void)state;
	assert_non_null(msg);
	memset(msg, 'e', 10000);
	msg[10000] = '\0';
	assert_int_equal(resp_add_error(&b, "ERR %s", msg), 0);
	assert_int_equal(buf_len(&b), 10007);
	assert_memory_equal(buf_head(&b), "-ERR eee", 8);
	assert_memory_equal(buf_head(&b) + 10005, "\r\n", 2);
	buf_free(&b);
	free(msg);
}

static void test_encode_int(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_int(&b, 0), 0);
	assert_int_equal(resp_add_int(&b, -1), 0);
	assert_int_equal(resp_add_int(&b, INT64_MAX), 0);
	assert_int_equal(resp_add_int(&b, INT64_MIN), 0);
	expect_bytes(&b, MSG(":0\r\n:-1\r\n:9223372036854775807\r\n"
			     ":-9223372036854775808\r\n"));
}

static void test_encode_bulk(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_bulk(&b, "foo", 3), 0);
	assert_int_equal(resp_add_bulk(&b, NULL, 0), 0);
	assert_int_equal(resp_add_bulk(&b, "\0\r\n", 3), 0);
	expect_bytes(&b, MSG("$3\r\nfoo\r\n$0\r\n\r\n$3\r\n\0\r\n\r\n"));
}

static void test_encode_null(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_null(&b, RESP2), 0);
	assert_int_equal(resp_add_null(&b, RESP3), 0);
	expect_bytes(&b, MSG("$-1\r\n_\r\n"));
}

static void test_encode_array_and_map(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_array(&b, 3), 0);
	assert_int_equal(resp_add_array(&b, 0), 0);
	assert_int_equal(resp_add_array(&b, -1), 0);
	assert_int_equal(resp_add_map(&b, 2, RESP2), 0);
	assert_int_equal(resp_add_map(&b, 2, RESP3), 0);
	expect_bytes(&b, MSG("*3\r\n*0\r\n*-1\r\n*4\r\n%2\r\n"));
}

static void test_encode_command(void **state)
{
	static const struct resp_slice argv[] = {
		{ "SET", 3 }, { "", 0 }, { "a\0\r\nb", 5 }
	};
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(resp_add_command(&b, 3, argv), 0);
	assert_int_equal(resp_add_command(&b, 0, NULL), 0);
	expect_bytes(&b, MSG("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\0\r\nb\r\n"
			     "*0\r\n"));
}

/* What the encoder writes, the parser reads back as it was. */
static void test_encode_command_round_trip(void **state)
{
	struct resp_slice argv[NARGS(binary_args)];
	struct buf b = { 0 };

	(void)state;
	for (size_t i = 0; i < NARGS(binary_args); i++) {
		argv[i].ptr = binary_args[i].ptr;
		argv[i].len = binary_args[i].len;
	}
	assert_int_equal(resp_add_command(&b, NARGS(argv), argv), 0);
	expect_request(&redis_lim, buf_head(&b), buf_len(&b),
		       NARGS(binary_args), binary_args);
	buf_free(&b);
}

/* Encoders append after what the buffer holds, from any start offset. */
static void test_encode_appends_after_consumed_data(void **state)
{
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(buf_append(&b, "xxxx", 4), 0);
	buf_consume(&b, 3);
	assert_int_equal(resp_add_int(&b, 7), 0);
	assert_int_equal(resp_add_bulk(&b, "v", 1), 0);
	expect_bytes(&b, MSG("x:7\r\n$1\r\nv\r\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_consume),
		cmocka_unit_test(test_buf_consume_all_restarts_at_zero),
		cmocka_unit_test(test_buf_empty_append_and_free),
		cmocka_unit_test(test_buf_reserve_moves_before_growing),
		cmocka_unit_test(test_buf_reserve_grows_keeping_contents),
		cmocka_unit_test(test_buf_reserve_overflow_is_enomem),
		cmocka_unit_test(test_buf_read_fd),
		cmocka_unit_test(test_buf_read_fd_refuses_zero_bytes),
		cmocka_unit_test(test_buf_read_fd_bad_fd),
		cmocka_unit_test(test_buf_write_fd),
		cmocka_unit_test(test_buf_write_fd_full_socket),
		cmocka_unit_test(test_buf_write_fd_peer_gone_is_epipe),
		cmocka_unit_test(test_request_multibulk),
		cmocka_unit_test(test_request_multibulk_binary_and_empty_args),
		cmocka_unit_test(test_request_multibulk_args_point_into_buffer),
		cmocka_unit_test(test_request_multibulk_empty_counts),
		cmocka_unit_test(test_request_multibulk_incomplete),
		cmocka_unit_test(test_request_multibulk_every_split),
		cmocka_unit_test(test_request_inline),
		cmocka_unit_test(test_request_inline_blank_line_is_empty),
		cmocka_unit_test(test_request_inline_any_other_first_byte),
		cmocka_unit_test(test_request_inline_quotes),
		cmocka_unit_test(test_request_inline_double_quote_escapes),
		cmocka_unit_test(test_request_inline_single_quote_escapes),
		cmocka_unit_test(test_request_inline_quote_inside_argument),
		cmocka_unit_test(test_request_inline_vtab_and_form_feed),
		cmocka_unit_test(test_request_inline_inner_carriage_returns),
		cmocka_unit_test(test_request_inline_nul_is_a_byte),
		cmocka_unit_test(test_request_inline_incomplete),
		cmocka_unit_test(test_request_inline_args_point_into_parser),
		cmocka_unit_test(test_request_inline_every_split),
		cmocka_unit_test(test_request_pipeline),
		cmocka_unit_test(test_request_parser_restarts_after_error),
		cmocka_unit_test(test_request_arrays_grow_with_arguments),
		cmocka_unit_test(test_request_huge_arrays_given_back),
		cmocka_unit_test(test_request_error_invalid_multibulk_length),
		cmocka_unit_test(test_request_error_expected_dollar),
		cmocka_unit_test(test_request_error_invalid_bulk_length),
		cmocka_unit_test(test_request_error_no_crlf_after_bulk),
		cmocka_unit_test(test_request_error_unbalanced_quotes),
		cmocka_unit_test(test_request_error_too_big_inline),
		cmocka_unit_test(test_request_error_too_big_count_strings),
		cmocka_unit_test(test_request_limit_max_bulk_len),
		cmocka_unit_test(test_request_limit_max_multibulk),
		cmocka_unit_test(test_reply_resp2_types),
		cmocka_unit_test(test_reply_resp3_types),
		cmocka_unit_test(test_reply_attribute),
		cmocka_unit_test(test_reply_nested),
		cmocka_unit_test(test_reply_nested_every_split),
		cmocka_unit_test(test_reply_pipeline),
		cmocka_unit_test(test_reply_scanner_resets_after_complete),
		cmocka_unit_test(test_reply_incomplete),
		cmocka_unit_test(test_reply_error_unknown_type),
		cmocka_unit_test(test_reply_error_streamed_lengths),
		cmocka_unit_test(test_reply_error_bad_lengths),
		cmocka_unit_test(test_reply_error_bad_scalars),
		cmocka_unit_test(test_reply_error_no_crlf_after_bulk),
		cmocka_unit_test(test_reply_limit_max_bulk_len),
		cmocka_unit_test(test_reply_limit_depth),
		cmocka_unit_test(test_reply_header),
		cmocka_unit_test(test_reply_header_invalid),
		cmocka_unit_test(test_reply_length),
		cmocka_unit_test(test_encode_simple),
		cmocka_unit_test(test_encode_error),
		cmocka_unit_test(test_encode_error_long),
		cmocka_unit_test(test_encode_int),
		cmocka_unit_test(test_encode_bulk),
		cmocka_unit_test(test_encode_null),
		cmocka_unit_test(test_encode_array_and_map),
		cmocka_unit_test(test_encode_command),
		cmocka_unit_test(test_encode_command_round_trip),
		cmocka_unit_test(test_encode_appends_after_consumed_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
