/*
 * Route a plain request through the route table: 404 for unknown paths,
 * 405 with Allow for known paths and other methods, {id} checked, bodies
 * checked for type and parsed strictly before any handler runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/api.h"
#include "common/json.h"
#include "common/util.h"
#include "common/validate.h"
#include "invd/router.h"

static const char *const method_names[METHOD_N] = {
	[METHOD_GET] = "GET",
	[METHOD_POST] = "POST",
	[METHOD_PUT] = "PUT",
	[METHOD_DELETE] = "DELETE",
	[METHOD_PATCH] = "PATCH",
	[METHOD_HEAD] = "HEAD",
	[METHOD_OPTIONS] = "OPTIONS",
	[METHOD_OTHER] = "OTHER",
};

const char *
method_name(enum http_method m)
{
	if ((int)m < 0 || m >= METHOD_N)
		return "OTHER";
	return method_names[m];
}

enum http_method
method_parse(const char *s)
{
	int	i;

	for (i = 0; i < METHOD_OTHER; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (enum http_method)i;
	return METHOD_OTHER;
}

const char *
request_query(const struct request *req, const char *key)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, key) == 0)
			v = req->query[i].value;
	return v;
}

const char *
request_header(const struct request *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].key, name) == 0)
			return req->headers[i].value;
	return NULL;
}

void
response_free(struct response *resp)
{
	json_object_put(resp->json);
	free(resp->location);
	free(resp->link);
	free(resp->raw_owned);
	memset(resp, 0, sizeof *resp);
}

void
response_error(struct response *resp, const struct inv_error *err)
{
	struct json_object	*o;

	json_object_put(resp->json);
	resp->json = NULL;
	free(resp->raw_owned);
	resp->raw = resp->raw_owned = NULL;
	resp->raw_len = 0;
	resp->status = inv_error_status(err->code);
	if ((o = json_object_new_object()) == NULL)
		return;
	if (json_add(o, "detail", json_object_new_string(
	    err->detail[0] != '\0' ? err->detail :
	    inv_status_phrase(resp->status))) == -1) {
		json_object_put(o);
		return;
	}
	resp->json = o;
}

/*
 * Match path against a pattern; a "{id}" segment matches one non-empty
 * segment, copied into id. One too long for id becomes "", which
 * validation refuses, rather than a truncated number that might pass.
 */
static int
route_match(const char *pattern, const char *path, char *id, size_t idlen)
{
	const char	*p = pattern, *s = path;
	size_t		 n;

	while (*p != '\0') {
		if (strncmp(p, "{id}", 4) == 0) {
			n = strcspn(s, "/");
			if (n == 0)
				return 0;
			if (n >= idlen)
				id[0] = '\0';
			else {
				memcpy(id, s, n);
				id[n] = '\0';
			}
			s += strcspn(s, "/");
			p += 4;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *s == '\0';
}

static void
allow_add(char *allow, size_t len, enum http_method m)
{
	const char	*name = method_name(m);
	size_t		 used = strlen(allow);

	if (strstr(allow, name) != NULL)
		return;
	snprintf(allow + used, len - used, "%s%s", used ? ", " : "", name);
}

/* application/json, with an optional charset that must be UTF-8. */
static int
content_type_ok(const char *ct)
{
	const char	*p;
	size_t		 n;

	if (ct == NULL)
		return 1;	/* the seed's clients often send none */
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if (n != strlen(INV_MIME_JSON) ||
	    strncasecmp(ct, INV_MIME_JSON, n) != 0)
		return 0;
	for (p = strchr(ct, ';'); p != NULL; p = strchr(p + 1, ';')) {
		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"')
			p++;
		if (strncasecmp(p, "utf-8", 5) != 0 &&
		    strncasecmp(p, "utf8", 4) != 0)
			return 0;
	}
	return 1;
}

const struct route *
router_match(struct app *app, struct request *req, struct response *resp)
{
	const struct route	*r, *hit = NULL;
	struct inv_error	 err;
	struct json_object	*body = NULL;
	char			 id[32], hit_id[32];
	int			 matched = 0;

	memset(resp, 0, sizeof *resp);
	inv_error_clear(&err);
	req->json = NULL;
	for (r = routes; r->pattern != NULL; r++) {
		if (!route_match(r->pattern, req->path, id, sizeof id))
			continue;
		matched = 1;
		resp->route = r->pattern;	/* for metrics, 405s too */
		allow_add(resp->allow, sizeof resp->allow, r->method);
		if (hit == NULL && r->method == req->method) {
			hit = r;
			memcpy(hit_id, id, sizeof id);
		}
	}
	if (!matched) {
		inv_error_set(&err, INV_ENOTFOUND, "Not Found");
		goto fail;
	}
	if (hit == NULL) {
		inv_error_set(&err, INV_EMETHOD, "Method Not Allowed");
		goto fail;
	}
	resp->allow[0] = '\0';
	if (strstr(hit->pattern, "{id}") != NULL &&
	    validate_id("id", hit_id, &req->id, &err) == -1)
		goto fail;
	if (hit->body != BODY_NONE) {
		if (!content_type_ok(req->content_type)) {
			inv_error_set(&err, INV_EMEDIA,
			    "Content-Type must be application/json");
			goto fail;
		}
		if (req->body_len > app->max_body) {
			inv_error_set(&err, INV_ETOOLARGE,
			    "Request body too large (limit %zu bytes)",
			    app->max_body);
			goto fail;
		}
		if (hit->body == BODY_RAW)
			return hit;
		if (req->body_len == 0) {
			inv_error_set(&err, INV_EINVALID,
			    "Request body must be a JSON object");
			goto fail;
		}
		if (json_parse_strict(req->body, req->body_len, &body,
		    &err) == -1)
			goto fail;
		if (!json_object_is_type(body, json_type_object)) {
			inv_error_set(&err, INV_EINVALID,
			    "Request body must be a JSON object");
			goto fail;
		}
		req->json = body;
	}
	return hit;
fail:
	json_object_put(body);
	response_error(resp, &err);
	return NULL;
}

void
router_call(struct app *app, const struct route *route,
    const struct request *req, struct response *resp)
{
	struct inv_error	err;

	inv_error_clear(&err);
	resp->route = route->pattern;
	if (route->handler(app, req, resp, &err) == 0)
		return;
	free(resp->location);
	free(resp->link);
	resp->location = resp->link = NULL;
	response_error(resp, &err);
}

int
route_writes(const struct route *route)
{
	return route->method != METHOD_GET && route->method != METHOD_HEAD &&
	    route->method != METHOD_OPTIONS;
}

void
router_dispatch(struct app *app, struct request *req, struct response *resp)
{
	const struct route	*route;

	if ((route = router_match(app, req, resp)) == NULL)
		return;
	router_call(app, route, req, resp);
	json_object_put(req->json);
	req->json = NULL;
}

int
list_params(const struct request *req, size_t *limit, uint64_t *after,
    struct inv_error *err)
{
	const char	*s;
	int64_t		 v;

	*limit = INV_LIST_DEFAULT;
	*after = 0;
	if ((s = request_query(req, "limit")) != NULL) {
		if (validate_int("limit", s, 1, INV_LIST_MAX, &v, err) == -1)
			return -1;
		*limit = (size_t)v;
	}
	if ((s = request_query(req, "after")) != NULL) {
		if (validate_int("after", s, 0, INT64_MAX, &v, err) == -1)
			return -1;
		*after = (uint64_t)v;
	}
	return 0;
}

static int
list_link(const struct request *req, size_t limit, uint64_t after,
    struct response *resp, struct inv_error *err)
{
	struct buf	b = BUF_INIT;
	size_t		i;
	int		r = 0;

	r |= buf_printf(&b, "<%s?", req->path);
	for (i = 0; i < req->nquery; i++) {
		if (strcmp(req->query[i].key, "limit") == 0 ||
		    strcmp(req->query[i].key, "after") == 0)
			continue;
		r |= buf_add_urlenc(&b, req->query[i].key);
		r |= buf_add(&b, "=", 1);
		r |= buf_add_urlenc(&b, req->query[i].value);
		r |= buf_add(&b, "&", 1);
	}
	r |= buf_printf(&b, "limit=%zu&after=%llu>; rel=\"next\"", limit,
	    (unsigned long long)after);
	if (r != 0) {
		buf_free(&b);
		return inv_error_set(err, INV_EINTERNAL, "Out of memory");
	}
	resp->link = b.data;
	return 0;
}

int
list_reply(const struct request *req, struct response *resp,
    const void *items, size_t n, size_t size, list_encode_fn encode,
    int more, size_t limit, uint64_t last_id, struct inv_error *err)
{
	struct json_object	*arr, *o;
	size_t			 i;

	if ((arr = json_object_new_array()) == NULL)
		return inv_error_set(err, INV_EINTERNAL, "Out of memory");
	for (i = 0; i < n; i++) {
		o = encode((const char *)items + i * size);
		if (o == NULL || json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			json_object_put(arr);
			return inv_error_set(err, INV_EINTERNAL,
			    "Out of memory");
		}
	}
	if (more && list_link(req, limit, last_id, resp, err) == -1) {
		json_object_put(arr);
		return -1;
	}
	resp->status = 200;
	resp->json = arr;
	return 0;
}
