#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GAP 2 /* blanks between columns */

void table_init(struct table *t, const struct table_col *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	if (ncols > TABLE_MAX_COLS)
		abort(); /* a caller's constant */
	t->ncols = ncols;
	memcpy(t->cols, cols, ncols * sizeof(*cols));
}

/* A copy of `src` with control characters replaced; NULL if no memory. */
static char *copy_cell(const char *src)
{
	char *dst = strdup(src ? src : "-");

	for (char *p = dst; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return dst;
}

int table_row(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		void *p = realloc(t->cells, cap * t->ncols * sizeof(*t->cells));

		if (!p)
			return -ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		char **cell = &t->cells[t->nrows * t->ncols + c];

		*cell = copy_cell(cells[c]);
		if (!*cell) {
			while (c--)
				free(*--cell);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

static void print_line(const struct table *t, FILE *out, const size_t *width,
		       const char *const *cells)
{
	for (size_t c = 0; c < t->ncols; c++) {
		bool last = c + 1 == t->ncols;
		int w = (int)width[c];

		if (c)
			fprintf(out, "%*s", GAP, "");
		if (t->cols[c].right)
			fprintf(out, "%*s", w, cells[c]);
		else if (last)
			fputs(cells[c], out);
		else
			fprintf(out, "%-*s", w, cells[c]);
	}
	fputc('\n', out);
}

void table_print(const struct table *t, FILE *out)
{
	size_t width[TABLE_MAX_COLS];
	const char *line[TABLE_MAX_COLS];

	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->cols[c].head);
		line[c] = t->cols[c].head;
	}
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);

			if (n > width[c])
				width[c] = n;
		}
	print_line(t, out, width, line);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			line[c] = t->cells[r * t->ncols + c];
		print_line(t, out, width, line);
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
