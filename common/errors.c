/*
 * Error codes, their HTTP statuses and reason phrases: one table, indexed by
 * the code, so the mapping lives in exactly one place.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/errors.h"

static const int inv_status_table[INV_NCODES] = {
	[INV_OK] = 200,
	[INV_EBADREQ] = 400,
	[INV_EUNAUTH] = 401,
	[INV_EFORBIDDEN] = 403,
	[INV_ENOTFOUND] = 404,
	[INV_EMETHOD] = 405,
	[INV_ECONFLICT] = 409,
	[INV_ETOOLARGE] = 413,
	[INV_EMEDIA] = 415,
	[INV_EINVALID] = 422,
	[INV_EINTERNAL] = 500,
	[INV_EUNAVAIL] = 503,
	[INV_EFULL] = 507,
};

static const struct {
	int		 status;
	const char	*phrase;
} inv_phrases[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 417, "Expectation Failed" },
	{ 422, "Unprocessable Content" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 507, "Insufficient Storage" },
};

int
inv_error_set(struct inv_error *err, enum inv_code code, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof err->detail, fmt, ap);
	va_end(ap);
	return -1;
}

void
inv_error_clear(struct inv_error *err)
{
	err->code = INV_OK;
	err->detail[0] = '\0';
}

int
inv_error_status(enum inv_code code)
{
	if ((int)code < 0 || code >= INV_NCODES || inv_status_table[code] == 0)
		return 500;
	return inv_status_table[code];
}

const char *
inv_status_phrase(int status)
{
	size_t	i;

	for (i = 0; i < sizeof inv_phrases / sizeof inv_phrases[0]; i++)
		if (inv_phrases[i].status == status)
			return inv_phrases[i].phrase;
	if (status >= 500)
		return "Server Error";
	if (status >= 400)
		return "Client Error";
	return "OK";
}
