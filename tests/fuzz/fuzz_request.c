/*
 * Fuzz the request path without the network: the input is one request in
 * a small framing, routed with router_dispatch() against a scratch store
 * opened once per process. Every answer must carry a status in 200..599
 * and, but for 204, a JSON body that parses strictly.
 *
 * Framing: "METHOD TARGET\n", then "Name: value\n" header lines up to an
 * empty line, then the body (the rest). TARGET is path?query, the query
 * split on & and = and percent-decoded. A header
 * "X-Webhook-Signature: auto" is replaced by the body's valid signature,
 * so the fuzzer gets past the webhook check to the parser and the store.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/hmac.h"
#include "common/util.h"
#include "common/json.h"
#include "invd/router.h"
#include "invd/store.h"

#define FUZZ_SECRET	"fuzz-webhook-secret"
#define FUZZ_PARAMS	64

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct app	app;
static struct secrets	secrets;
static char		datadir[256];

static void
cleanup(void)
{
	char	cmd[300];

	store_close(app.store);
	app.store = NULL;
	secrets_clear(&secrets);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", datadir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", datadir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct inv_error	 err;
	const char		*tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(datadir, sizeof datadir, "%s/invd-fuzz-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(datadir) == NULL)
		abort();
	/* Throwaway data: no fsync per request. */
	if (store_open(&app.store, datadir, (size_t)256 << 20, &err) == -1 ||
	    store_set_nosync(app.store, 1, &err) == -1 ||
	    secrets_add_text(&secrets, FUZZ_SECRET, strlen(FUZZ_SECRET),
	    &err) == -1) {
		fprintf(stderr, "fuzz_request: %s\n", err.detail);
		abort();
	}
	app.max_body = 4096;
	app.secrets = &secrets;
	app.webhook_tolerance = 300;
	app.webhook_retention = 86400;
	atexit(cleanup);
	return 0;
}

/* Percent-decode s in place, as evhttp does for query values. */
static void
decode(char *s)
{
	char	*o = s;

	for (; *s != '\0'; s++) {
		if (*s == '%' && hex_value(s[1]) >= 0 && hex_value(s[2]) >= 0) {
			*o++ = (char)(hex_value(s[1]) * 16 + hex_value(s[2]));
			s += 2;
		} else
			*o++ = *s == '+' ? ' ' : *s;
	}
	*o = '\0';
}

/* The next line of [*p, end) as a new string; NULL at the end. */
static char *
next_line(const char **p, const char *end)
{
	const char	*nl;
	char		*s;

	if (*p >= end)
		return NULL;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		nl = end;
	if ((s = strndup(*p, (size_t)(nl - *p))) == NULL)
		abort();
	*p = nl < end ? nl + 1 : end;
	return s;
}

static void
check_response(const struct response *resp)
{
	struct json_object	*back = NULL;
	struct inv_error	 err;
	const char		*text;
	size_t			 len;

	if (resp->status < 200 || resp->status > 599)
		abort();
	if (resp->status == 204) {
		if (resp->json != NULL)
			abort();
		return;
	}
	if (resp->json == NULL)
		abort();
	text = json_dump(resp->json, &len);
	if (json_parse_strict(text, len, &back, &err) == -1)
		abort();
	json_object_put(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size;
	struct param		 query[FUZZ_PARAMS], headers[FUZZ_PARAMS];
	struct request		 req;
	struct response		 resp;
	char			*line, *target = NULL, *method, *q, *tok, *save;
	char			*eq, *body = NULL, sig[128], *lines[FUZZ_PARAMS];
	size_t			 nlines = 0, i;
	int			 sign = 0;

	memset(&req, 0, sizeof req);
	if ((line = next_line(&p, end)) == NULL)
		return 0;
	method = line;
	if ((target = strchr(line, ' ')) == NULL) {
		free(line);
		return 0;
	}
	*target++ = '\0';
	req.method = method_parse(method);
	if ((q = strchr(target, '?')) != NULL) {
		*q++ = '\0';
		for (tok = strtok_r(q, "&", &save); tok != NULL &&
		    req.nquery < FUZZ_PARAMS; tok = strtok_r(NULL, "&", &save)) {
			if ((eq = strchr(tok, '=')) != NULL)
				*eq++ = '\0';
			decode(tok);
			if (eq != NULL)
				decode(eq);
			query[req.nquery].key = tok;
			query[req.nquery].value = eq != NULL ? eq : tok + strlen(tok);
			req.nquery++;
		}
	}
	req.path = target;
	req.query = query;
	while ((lines[nlines] = next_line(&p, end)) != NULL) {
		if (lines[nlines][0] == '\0') {
			free(lines[nlines]);
			break;
		}
		if ((eq = strchr(lines[nlines], ':')) == NULL) {
			free(lines[nlines]);
			continue;
		}
		*eq++ = '\0';
		while (*eq == ' ')
			eq++;
		headers[nlines].key = lines[nlines];
		headers[nlines].value = eq;
		if (strcasecmp(lines[nlines], "Content-Type") == 0 &&
		    req.content_type == NULL)
			req.content_type = eq;
		if (strcasecmp(lines[nlines], "X-Webhook-Signature") == 0 &&
		    strcmp(eq, "auto") == 0) {
			headers[nlines].value = sig;
			sign = 1;
		}
		if (++nlines == FUZZ_PARAMS)
			break;
	}
	/* The body in a buffer of its exact size: no terminator to lean on. */
	req.body_len = (size_t)(end - p);
	if (req.body_len > 0) {
		if ((body = malloc(req.body_len)) == NULL)
			abort();
		memcpy(body, p, req.body_len);
	}
	req.body = body;
	req.headers = headers;
	req.nheaders = nlines;
	if (sign && hmac_sign_seed(&secrets.v[0], body, req.body_len, sig,
	    sizeof sig) == -1)
		abort();
	router_dispatch(&app, &req, &resp);
	check_response(&resp);
	response_free(&resp);
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	free(body);
	free(line);
	return 0;
}
