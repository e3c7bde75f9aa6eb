/*
 * Error codes and their HTTP statuses. A fallible function returns -1 and
 * fills a struct inv_error; only the edge turns it into {"detail": ...}.
 */
#ifndef INV_ERRORS_H
#define INV_ERRORS_H

#include <stdarg.h>

enum inv_code {
	INV_OK = 0,
	INV_EBADREQ,		/* 400 malformed request or rule refused */
	INV_EUNAUTH,		/* 401 */
	INV_EFORBIDDEN,		/* 403 */
	INV_ENOTFOUND,		/* 404 */
	INV_EMETHOD,		/* 405 */
	INV_ECONFLICT,		/* 409 */
	INV_ETOOLARGE,		/* 413 */
	INV_EMEDIA,		/* 415 */
	INV_EINVALID,		/* 422 field validation */
	INV_EINTERNAL,		/* 500 */
	INV_EUNAVAIL,		/* 503 */
	INV_EFULL,		/* 507 storage full */
	INV_NCODES
};

#define INV_DETAIL_MAX	256

struct inv_error {
	enum inv_code	code;
	char		detail[INV_DETAIL_MAX];
};

/* Set code and a printf-formatted detail; always returns -1. */
int	inv_error_set(struct inv_error *, enum inv_code, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Reset to INV_OK with an empty detail. */
void	inv_error_clear(struct inv_error *);
/* The HTTP status for a code (500 for anything unknown). */
int	inv_error_status(enum inv_code);
/* The HTTP reason phrase for a status, e.g. "Not Found". */
const char *inv_status_phrase(int);

#endif
