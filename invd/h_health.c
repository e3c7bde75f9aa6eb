/*
 * GET /health: the daemon is up and its event loop answers.
 */
#include "common/json.h"
#include "invd/router.h"

int
h_health(struct app *app, const struct request *req, struct response *resp,
    struct inv_error *err)
{
	struct json_object	*o;

	(void)app;
	(void)req;
	if ((o = json_object_new_object()) == NULL ||
	    json_add(o, "status", json_object_new_string("ok")) == -1) {
		json_object_put(o);
		return inv_error_set(err, INV_EINTERNAL, "Out of memory");
	}
	resp->status = 200;
	resp->json = o;
	return 0;
}
