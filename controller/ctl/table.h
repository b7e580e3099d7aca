/*
 * table: aligned columns for redisha-ctl's human output. Rows are copied
 * in, widths computed when printing; numeric columns align right. Control
 * characters in cells are shown as '?', so a name read from a file cannot
 * drive the terminal.
 */
#ifndef REDISHA_CTL_TABLE_H
#define REDISHA_CTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 10

struct table_col {
	const char *head;
	bool right; /* align right (numbers) */
};

struct table {
	size_t ncols;
	struct table_col cols[TABLE_MAX_COLS];
	char **cells; /* nrows * ncols copies, row-major */
	size_t nrows, cap;
};

/* `ncols` columns (at most TABLE_MAX_COLS, a caller's constant). */
void table_init(struct table *t, const struct table_col *cols, size_t ncols);

/* Append a row of t->ncols strings (NULL shows as "-"). 0 or -ENOMEM. */
int table_row(struct table *t, const char *const *cells)
	__attribute__((warn_unused_result));

/* Header and rows, columns two spaces apart, no trailing blanks. */
void table_print(const struct table *t, FILE *out);

void table_free(struct table *t);

#endif /* REDISHA_CTL_TABLE_H */
