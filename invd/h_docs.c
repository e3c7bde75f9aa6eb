/*
 * GET /openapi.json and GET /docs: the API describes itself. Both are
 * files of the source tree built into invd, so they need no disk, no
 * network and no CDN, and always match the binary that serves them.
 */
#include "common/api.h"
#include "invd/embed.h"
#include "invd/router.h"

static int
reply_embedded(struct response *resp, const unsigned char *data, size_t len,
    const char *type)
{
	resp->status = 200;
	resp->raw = (const char *)data;
	resp->raw_len = len;
	resp->raw_type = type;
	return 0;
}

int
h_openapi(struct app *app, const struct request *req, struct response *resp,
    struct inv_error *err)
{
	(void)app;
	(void)req;
	(void)err;
	return reply_embedded(resp, embed_openapi_json, embed_openapi_json_len,
	    INV_MIME_JSON);
}

int
h_docs(struct app *app, const struct request *req, struct response *resp,
    struct inv_error *err)
{
	(void)app;
	(void)req;
	(void)err;
	return reply_embedded(resp, embed_docs_html, embed_docs_html_len,
	    "text/html; charset=utf-8");
}
