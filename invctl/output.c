/*
 * Requests made for a command and what the user sees of their replies:
 * aligned tables and key: value lines for people, the API's JSON as it is
 * with --json, and "invctl: <detail>" on stderr when something failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/json.h"
#include "common/util.h"
#include "invctl/output.h"

#define ANSI_BOLD	"\033[1m"
#define ANSI_RED	"\033[31m"
#define ANSI_GREEN	"\033[32m"
#define ANSI_YELLOW	"\033[33m"
#define ANSI_CYAN	"\033[36m"
#define ANSI_RESET	"\033[0m"

/* Pages --all follows at most, in case a server links in a loop. */
#define MAX_PAGES	100000

void
out_error(const struct ctl *ctl, const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	if (ctl != NULL && ctl->color_err)
		fprintf(stderr, ANSI_RED "invctl:" ANSI_RESET " ");
	else
		fprintf(stderr, "invctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Columns on screen a UTF-8 string takes; bytes when it is not text. */
static size_t
text_width(const char *s)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		n, len = strlen(s), width = 0;
	int		w;

	memset(&st, 0, sizeof st);
	while (len > 0) {
		n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2)
			return strlen(s);
		if (n == 0)
			break;
		w = wcwidth(wc);
		width += w > 0 ? (size_t)w : 0;
		s += n;
		len -= n;
	}
	return width;
}

/* A member as text: strings bare, null as "-", numbers as sent. */
static const char *
value_text(struct json_object *v)
{
	if (v == NULL)
		return "-";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

static const char *
status_color(const char *key, const char *value)
{
	if (strcmp(key, "status") != 0)
		return NULL;
	if (strcmp(value, "PENDING") == 0)
		return ANSI_YELLOW;
	if (strcmp(value, "PAID") == 0)
		return ANSI_CYAN;
	if (strcmp(value, "SHIPPED") == 0)
		return ANSI_GREEN;
	if (strcmp(value, "CANCELED") == 0)
		return ANSI_RED;
	return NULL;
}

static void
print_cell(const struct ctl *ctl, const char *color, const char *s,
    size_t width, int right, int last)
{
	size_t	w = text_width(s), pad = width > w ? width - w : 0;

	if (right)
		printf("%*s", (int)pad, "");
	if (ctl->color && color != NULL)
		printf("%s%s%s", color, s, ANSI_RESET);
	else
		fputs(s, stdout);
	if (!right && !last)
		printf("%*s", (int)pad, "");
}

void
out_object(const struct ctl *ctl, struct json_object *obj)
{
	size_t		 width = 0, w;
	const char	*text;

	json_object_object_foreach(obj, key, v) {
		(void)v;
		if ((w = strlen(key)) > width)
			width = w;
	}
	json_object_object_foreach(obj, key2, v2) {
		text = value_text(v2);
		if (ctl->color)
			printf(ANSI_BOLD "%s:" ANSI_RESET, key2);
		else
			printf("%s:", key2);
		printf("%*s ", (int)(width - strlen(key2)), "");
		print_cell(ctl, status_color(key2, text), text, 0, 0, 1);
		putchar('\n');
	}
}

void
out_table(const struct ctl *ctl, struct json_object *arr,
    const char *const *cols)
{
	struct json_object	*row, *v;
	size_t			 ncols, nrows, i, c, w;
	size_t			 width[16];
	int			 numeric[16];
	char			 head[64];
	const char		*text;

	for (ncols = 0; cols[ncols] != NULL && ncols < 16; ncols++) {
		width[ncols] = strlen(cols[ncols]);
		numeric[ncols] = 1;
	}
	nrows = json_object_array_length(arr);
	for (i = 0; i < nrows; i++) {
		row = json_object_array_get_idx(arr, i);
		for (c = 0; c < ncols; c++) {
			if (!json_object_object_get_ex(row, cols[c], &v))
				v = NULL;
			if (!json_object_is_type(v, json_type_int) &&
			    !json_object_is_type(v, json_type_double))
				numeric[c] = 0;
			if ((w = text_width(value_text(v))) > width[c])
				width[c] = w;
		}
	}
	if (nrows == 0)
		for (c = 0; c < ncols; c++)
			numeric[c] = 0;
	for (c = 0; c < ncols; c++) {
		for (i = 0; cols[c][i] != '\0' && i < sizeof head - 1; i++)
			head[i] = (cols[c][i] >= 'a' && cols[c][i] <= 'z') ?
			    (char)(cols[c][i] - 'a' + 'A') : cols[c][i];
		head[i] = '\0';
		if (c > 0)
			fputs("  ", stdout);
		print_cell(ctl, ANSI_BOLD, head, width[c], numeric[c],
		    c + 1 == ncols);
	}
	putchar('\n');
	for (i = 0; i < nrows; i++) {
		row = json_object_array_get_idx(arr, i);
		for (c = 0; c < ncols; c++) {
			if (!json_object_object_get_ex(row, cols[c], &v))
				v = NULL;
			text = value_text(v);
			if (c > 0)
				fputs("  ", stdout);
			print_cell(ctl, status_color(cols[c], text), text,
			    width[c], numeric[c], c + 1 == ncols);
		}
		putchar('\n');
	}
}

void
out_json_text(const char *text, size_t len)
{
	fwrite(text, 1, len, stdout);
	if (len == 0 || text[len - 1] != '\n')
		putchar('\n');
}

/* Print the API's detail for a refused request. */
static void
print_refusal(const struct ctl *ctl, const struct client_reply *reply)
{
	struct json_object	*obj = NULL, *detail;
	struct inv_error	 err;

	if (json_parse_strict(buf_str(&reply->body), reply->body.len, &obj,
	    &err) == 0 && json_object_is_type(obj, json_type_object) &&
	    json_object_object_get_ex(obj, "detail", &detail) &&
	    detail != NULL)
		out_error(ctl, "%s", value_text(detail));
	else
		out_error(ctl, "HTTP %d %s", reply->status,
		    inv_status_phrase(reply->status));
	json_object_put(obj);
}

enum cmd_retval
out_request(struct cmd_ctx *ctx, const char *method, const char *path,
    const char *body, struct client_reply *reply)
{
	return out_request_headers(ctx, method, path, body, NULL, reply);
}

enum cmd_retval
out_request_headers(struct cmd_ctx *ctx, const char *method,
    const char *path, const char *body, const struct client_header *headers,
    struct client_reply *reply)
{
	struct inv_error	err;

	inv_error_clear(&err);
	if (client_request_headers(&ctx->ctl->client, method, path, body,
	    headers, reply, &err) == -1) {
		out_error(ctx->ctl, "%s", err.detail);
		return err.code == INV_EINTERNAL ? CMD_REFUSED :
		    CMD_UNREACHABLE;
	}
	if (reply->status >= 200 && reply->status < 300)
		return CMD_OK;
	print_refusal(ctx->ctl, reply);
	return CMD_REFUSED;
}

/* Parse a 2xx reply body; on failure say so and return NULL. */
static struct json_object *
parse_reply(struct cmd_ctx *ctx, const struct client_reply *reply,
    json_type type)
{
	struct json_object	*obj = NULL;
	struct inv_error	 err;

	if (json_parse_strict(buf_str(&reply->body), reply->body.len, &obj,
	    &err) == -1) {
		out_error(ctx->ctl, "invalid JSON in the reply: %s",
		    err.detail);
		return NULL;
	}
	if (!json_object_is_type(obj, type)) {
		out_error(ctx->ctl, "unexpected reply: %s",
		    type == json_type_array ? "not a list" : "not an object");
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

enum cmd_retval
out_call(struct cmd_ctx *ctx, const char *method, const char *path,
    const char *body, const char *done)
{
	return out_call_headers(ctx, method, path, body, NULL, done);
}

enum cmd_retval
out_call_headers(struct cmd_ctx *ctx, const char *method, const char *path,
    const char *body, const struct client_header *headers, const char *done)
{
	struct client_reply	 reply;
	struct json_object	*obj = NULL;
	enum cmd_retval		 rv;

	client_reply_init(&reply);
	if ((rv = out_request_headers(ctx, method, path, body, headers,
	    &reply)) != CMD_OK)
		goto out;
	if (reply.body.len == 0) {
		/* 204: --json prints nothing, as the API sent nothing. */
		if (!ctx->json && done != NULL)
			printf("%s\n", done);
		goto out;
	}
	if (ctx->json) {
		out_json_text(reply.body.data, reply.body.len);
		goto out;
	}
	if ((obj = parse_reply(ctx, &reply, json_type_object)) == NULL) {
		rv = CMD_REFUSED;
		goto out;
	}
	out_object(ctx->ctl, obj);
out:
	json_object_put(obj);
	client_reply_deinit(&reply);
	return rv;
}

/*
 * Append the members of a page (a JSON array's text) to out, without its
 * brackets, so the pages join into one array exactly as the API sent them.
 */
static int
splice_page(struct buf *out, const char *text, size_t len, int *first)
{
	const char	*s = text, *e = text + len;

	while (s < e && strchr(" \t\r\n", *s) != NULL)
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]) != NULL)
		e--;
	if (e - s < 2 || *s != '[' || e[-1] != ']')
		return -1;
	s++;
	e--;
	while (s < e && strchr(" \t\r\n", *s) != NULL)
		s++;
	if (s == e)
		return 0;
	if (!*first && buf_add(out, ",", 1) == -1)
		return -1;
	*first = 0;
	return buf_add(out, s, (size_t)(e - s));
}

enum cmd_retval
out_list(struct cmd_ctx *ctx, const char *path, int all,
    const char *const *cols)
{
	struct client_reply	 reply;
	struct json_object	*page = NULL, *rows = NULL, *row;
	struct buf		 joined = BUF_INIT;
	char			*cur = NULL;
	enum cmd_retval		 rv = CMD_REFUSED;
	size_t			 i, n;
	int			 first = 1, pages = 0;

	client_reply_init(&reply);
	if ((cur = strdup(path)) == NULL || (rows = json_object_new_array()) ==
	    NULL || buf_add(&joined, "[", 1) == -1) {
		out_error(ctx->ctl, "out of memory");
		goto out;
	}
	for (;;) {
		if ((rv = out_request(ctx, "GET", cur, NULL, &reply)) != CMD_OK)
			goto out;
		rv = CMD_REFUSED;
		if ((page = parse_reply(ctx, &reply, json_type_array)) == NULL)
			goto out;
		if (ctx->json) {
			if (splice_page(&joined, reply.body.data,
			    reply.body.len, &first) == -1) {
				out_error(ctx->ctl, "out of memory");
				goto out;
			}
		}
		n = json_object_array_length(page);
		for (i = 0; i < n; i++) {
			row = json_object_array_get_idx(page, i);
			json_object_array_add(rows, json_object_get(row));
		}
		json_object_put(page);
		page = NULL;
		if (!all || reply.next == NULL)
			break;
		if (strcmp(reply.next, cur) == 0 || ++pages >= MAX_PAGES) {
			out_error(ctx->ctl, "the pages of %s do not end", path);
			goto out;
		}
		free(cur);
		cur = reply.next;
		reply.next = NULL;
	}
	if (ctx->json) {
		/* One page is printed as it came; pages join into one array. */
		if (!all)
			out_json_text(reply.body.data, reply.body.len);
		else {
			buf_add(&joined, "]", 1);
			out_json_text(joined.data, joined.len);
		}
	} else {
		out_table(ctx->ctl, rows, cols);
		if (reply.next != NULL && ctx->ctl->stdout_tty)
			fprintf(stderr, "(more: --after %s, or --all)\n",
			    json_object_array_length(rows) > 0 ?
			    value_text(json_object_object_get(
			    json_object_array_get_idx(rows,
			    json_object_array_length(rows) - 1), "id")) : "?");
	}
	rv = CMD_OK;
out:
	json_object_put(page);
	json_object_put(rows);
	buf_free(&joined);
	free(cur);
	client_reply_deinit(&reply);
	return rv;
}
