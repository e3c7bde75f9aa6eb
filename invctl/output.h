/*
 * Requests on behalf of a command and the printing of their replies:
 * tables, key: value lines, the API's JSON as it is, and errors.
 */
#ifndef INV_OUTPUT_H
#define INV_OUTPUT_H

#include <json-c/json.h>

#include "invctl/client.h"
#include "invctl/commands.h"

/* What a successful reply holds. */
enum out_kind {
	OUT_OBJECT,		/* one object: key: value lines */
	OUT_NONE		/* 204: a confirmation line */
};

/* Print "invctl: <message>" to stderr. */
void		 out_error(const struct ctl *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Send one request. CMD_OK for a 2xx reply (left in reply); otherwise the
 * API's detail or the transport error is printed and CMD_REFUSED or
 * CMD_UNREACHABLE returned.
 */
enum cmd_retval	 out_request(struct cmd_ctx *, const char *, const char *,
		    const char *, struct client_reply *);
/* out_request() with extra request headers (NULL for none). */
enum cmd_retval	 out_request_headers(struct cmd_ctx *, const char *,
		    const char *, const char *, const struct client_header *,
		    struct client_reply *);

/*
 * Send a request whose reply is one object and print it; done is the
 * line printed instead for a reply without a body.
 */
enum cmd_retval	 out_call(struct cmd_ctx *, const char *, const char *,
		    const char *, const char *);
/* out_call() with extra request headers (NULL for none). */
enum cmd_retval	 out_call_headers(struct cmd_ctx *, const char *,
		    const char *, const char *, const struct client_header *,
		    const char *);

/*
 * GET a list starting at path (its query included) and print it as a
 * table with the given columns (NULL-terminated). With all, follow the
 * Link rel="next" pages and print them as one list.
 */
enum cmd_retval	 out_list(struct cmd_ctx *, const char *, int,
		    const char *const *);

/* Print an object as aligned key: value lines. */
void		 out_object(const struct ctl *, struct json_object *);
/* Print an array of objects as a table of the given columns. */
void		 out_table(const struct ctl *, struct json_object *,
		    const char *const *);
/* Print a JSON text as it is, ending with one newline. */
void		 out_json_text(const char *, size_t);

#endif
