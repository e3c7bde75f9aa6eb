/*
 * One HTTP request to invd at a time with libevent's evhttp client, over
 * TCP or over the daemon's Unix socket, and the reply copied out.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/api.h"
#include "invctl/client.h"

/* A name evhttp is given for the Unix socket; it is never looked up. */
#define UNIX_FAKE_HOST	"invd.unix.invalid"

struct exchange {
	struct event_base	*base;
	struct client_reply	*reply;
	int			 done;
	int			 failed;
	int			 have_error;
	enum evhttp_request_error error;
	int			 saved_errno;
	int			 oom;
};

int
client_conf_socket(struct client_conf *conf, const char *path,
    struct inv_error *err)
{
	struct sockaddr_un	sun;

	client_conf_deinit(conf);
	if (*path == '\0')
		return inv_error_set(err, INV_EINVALID,
		    "--socket must not be empty");
	if (strlen(path) >= sizeof sun.sun_path)
		return inv_error_set(err, INV_EINVALID,
		    "socket path too long: %.64s...", path);
	if ((conf->socket_path = strdup(path)) == NULL ||
	    (conf->display = strdup(path)) == NULL)
		return inv_error_set(err, INV_EINTERNAL, "out of memory");
	return 0;
}

int
client_conf_url(struct client_conf *conf, const char *url,
    struct inv_error *err)
{
	const char	*p, *hend, *colon;
	long		 port = 80;
	char		*end;
	size_t		 hlen;

	client_conf_deinit(conf);
	if (strncmp(url, "http://", 7) != 0)
		goto bad;
	p = url + 7;
	hend = p + strcspn(p, "/?#");
	if (*hend == '?' || *hend == '#' ||
	    (*hend == '/' && hend[1] != '\0'))
		goto bad;
	if (*p == '[') {
		/* An IPv6 literal: [::1]:8080 */
		if ((colon = memchr(p, ']', (size_t)(hend - p))) == NULL)
			goto bad;
		hlen = (size_t)(colon - p - 1);
		p++;
		colon++;
		if (colon != hend && *colon != ':')
			goto bad;
		if (colon == hend)
			colon = NULL;
	} else {
		colon = memchr(p, ':', (size_t)(hend - p));
		hlen = colon ? (size_t)(colon - p) : (size_t)(hend - p);
	}
	if (hlen == 0)
		goto bad;
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon + 1 == end || end != hend || errno != 0 ||
		    port < 1 || port > 65535)
			goto bad;
	}
	if ((conf->host = strndup(p, hlen)) == NULL ||
	    (conf->display = strndup(url, (size_t)(hend - url))) == NULL)
		return inv_error_set(err, INV_EINTERNAL, "out of memory");
	conf->port = (int)port;
	return 0;
bad:
	client_conf_deinit(conf);
	return inv_error_set(err, INV_EINVALID,
	    "--url must look like http://HOST:PORT, not %.128s", url);
}

void
client_conf_deinit(struct client_conf *conf)
{
	free(conf->socket_path);
	free(conf->host);
	free(conf->display);
	conf->socket_path = conf->host = conf->display = NULL;
	conf->port = 0;
}

void
client_reply_init(struct client_reply *reply)
{
	memset(reply, 0, sizeof *reply);
}

void
client_reply_deinit(struct client_reply *reply)
{
	buf_free(&reply->body);
	free(reply->next);
	reply->next = NULL;
	reply->status = 0;
}

/*
 * The target of the rel="next" entry of a Link header, reduced to its
 * path and query. NULL when there is none. The caller frees.
 */
static char *
link_next(const char *value)
{
	const char	*p = value, *lt, *gt, *params, *end;
	const char	*uri;

	while ((lt = strchr(p, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL)
			return NULL;
		params = gt + 1;
		end = strchr(params, '<');
		if (end == NULL)
			end = params + strlen(params);
		p = end;
		if (memmem(params, (size_t)(end - params), "rel=\"next\"",
		    10) == NULL &&
		    memmem(params, (size_t)(end - params), "rel=next", 8) ==
		    NULL)
			continue;
		uri = lt + 1;
		/* An absolute URI: keep what follows the authority. */
		if (gt - uri > 2 && memmem(uri, (size_t)(gt - uri), "://",
		    3) != NULL) {
			uri = (const char *)memmem(uri, (size_t)(gt - uri),
			    "://", 3) + 3;
			while (uri < gt && *uri != '/')
				uri++;
		}
		if (uri >= gt || *uri != '/')
			return NULL;
		return strndup(uri, (size_t)(gt - uri));
	}
	return NULL;
}

static void
request_error_cb(enum evhttp_request_error error, void *arg)
{
	struct exchange	*x = arg;

	x->have_error = 1;
	x->error = error;
}

static void
request_done_cb(struct evhttp_request *req, void *arg)
{
	struct exchange		*x = arg;
	struct evbuffer		*in;
	const char		*link;
	size_t			 len;

	x->saved_errno = errno;
	x->done = 1;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		x->failed = 1;
		goto out;
	}
	x->reply->status = evhttp_request_get_response_code(req);
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if (buf_add(&x->reply->body, evbuffer_pullup(in, -1), len) == -1 ||
	    buf_add(&x->reply->body, "", 0) == -1)
		x->oom = 1;
	link = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Link");
	if (link != NULL)
		x->reply->next = link_next(link);
out:
	event_base_loopexit(x->base, NULL);
}

/*
 * Connect the Unix socket. evhttp in libevent 2.1 always connects by host
 * name itself, so the socket is handed over once evhttp waits for its
 * name lookup (one that cannot finish: an evdns base with no servers):
 * setting the fd cancels the lookup and the CONNECTED event makes evhttp
 * send the request on our socket.
 */
static int
unix_connect(const struct client_conf *conf, struct inv_error *err)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	inv_strlcpy(sun.sun_path, conf->socket_path, sizeof sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		inv_error_set(err, INV_EUNAVAIL, "socket: %s",
		    strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		inv_error_set(err, INV_EUNAVAIL, "cannot connect to %s: %s",
		    conf->display, strerror(errno));
		close(fd);
		return -1;
	}
	if (evutil_make_socket_nonblocking(fd) == -1) {
		inv_error_set(err, INV_EUNAVAIL, "cannot connect to %s: %s",
		    conf->display, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static enum evhttp_cmd_type
method_type(const char *method)
{
	if (strcmp(method, "POST") == 0)
		return EVHTTP_REQ_POST;
	if (strcmp(method, "PUT") == 0)
		return EVHTTP_REQ_PUT;
	if (strcmp(method, "DELETE") == 0)
		return EVHTTP_REQ_DELETE;
	return EVHTTP_REQ_GET;
}

static void
exchange_error(const struct client_conf *conf, const struct exchange *x,
    struct inv_error *err)
{
	if (x->have_error && x->error == EVREQ_HTTP_TIMEOUT)
		inv_error_set(err, INV_EUNAVAIL,
		    "timed out after %d s talking to %s", conf->timeout,
		    conf->display);
	else if (x->have_error && x->error == EVREQ_HTTP_EOF)
		inv_error_set(err, INV_EUNAVAIL,
		    "connection to %s closed without a reply", conf->display);
	else if (x->have_error && x->error == EVREQ_HTTP_INVALID_HEADER)
		inv_error_set(err, INV_EUNAVAIL, "invalid reply from %s",
		    conf->display);
	else if (!x->have_error)
		/* evhttp gives up quietly when connect() itself failed. */
		inv_error_set(err, INV_EUNAVAIL, "cannot connect to %s: %s",
		    conf->display, x->saved_errno == EHOSTUNREACH ||
		    x->saved_errno == ENETUNREACH ? strerror(x->saved_errno) :
		    strerror(ECONNREFUSED));
	else
		inv_error_set(err, INV_EUNAVAIL, "cannot connect to %s",
		    conf->display);
}

int
client_request(const struct client_conf *conf, const char *method,
    const char *path, const char *body, struct client_reply *reply,
    struct inv_error *err)
{
	return client_request_headers(conf, method, path, body, NULL, reply,
	    err);
}

int
client_request_headers(const struct client_conf *conf, const char *method,
    const char *path, const char *body, const struct client_header *extra,
    struct client_reply *reply, struct inv_error *err)
{
	struct event_base		*base = NULL;
	struct evdns_base		*dns = NULL;
	struct bufferevent		*bev = NULL;
	struct evhttp_connection	*evcon = NULL;
	struct evhttp_request		*req = NULL;
	struct evkeyvalq		*hdrs;
	struct exchange			 x;
	char				 host[300];
	int				 fd = -1, ret = -1;

	client_reply_deinit(reply);
	memset(&x, 0, sizeof x);
	x.reply = reply;
	if ((base = event_base_new()) == NULL) {
		inv_error_set(err, INV_EINTERNAL, "event_base_new failed");
		goto out;
	}
	x.base = base;
	if (conf->socket_path != NULL) {
		if ((fd = unix_connect(conf, err)) == -1)
			goto out;
		if ((dns = evdns_base_new(base, 0)) == NULL ||
		    (bev = bufferevent_socket_new(base, -1,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
			inv_error_set(err, INV_EINTERNAL, "out of memory");
			goto out;
		}
		/* The connection owns bev from here on. */
		evcon = evhttp_connection_base_bufferevent_new(base, dns, bev,
		    UNIX_FAKE_HOST, 80);
		if (evcon == NULL)
			bufferevent_free(bev);
		snprintf(host, sizeof host, "localhost");
	} else {
		evcon = evhttp_connection_base_new(base, NULL, conf->host,
		    (unsigned short)conf->port);
		snprintf(host, sizeof host, strchr(conf->host, ':') ?
		    "[%s]:%d" : "%s:%d", conf->host, conf->port);
	}
	if (evcon == NULL) {
		inv_error_set(err, INV_EINTERNAL, "cannot create connection");
		goto out;
	}
	evhttp_connection_set_timeout(evcon, conf->timeout);
	evhttp_connection_set_retries(evcon, 0);

	if ((req = evhttp_request_new(request_done_cb, &x)) == NULL) {
		inv_error_set(err, INV_EINTERNAL, "out of memory");
		goto out;
	}
	evhttp_request_set_error_cb(req, request_error_cb);
	hdrs = evhttp_request_get_output_headers(req);
	evhttp_add_header(hdrs, "Host", host);
	evhttp_add_header(hdrs, "User-Agent", "invctl/" INV_VERSION);
	evhttp_add_header(hdrs, "Accept", INV_MIME_JSON);
	evhttp_add_header(hdrs, "Connection", "close");
	for (; extra != NULL && extra->name != NULL; extra++) {
		if (evhttp_add_header(hdrs, extra->name, extra->value) == -1) {
			inv_error_set(err, INV_EINTERNAL,
			    "cannot add header %s", extra->name);
			evhttp_request_free(req);
			goto out;
		}
	}
	if (body != NULL) {
		evhttp_add_header(hdrs, "Content-Type", INV_MIME_JSON);
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    strlen(body));
	}
	/* On failure evhttp_make_request() has freed req itself. */
	if (evhttp_make_request(evcon, req, method_type(method), path) ==
	    -1) {
		inv_error_set(err, INV_EUNAVAIL, "cannot connect to %s",
		    conf->display);
		goto out;
	}
	if (fd != -1) {
		bufferevent_setfd(bev, fd);
		fd = -1;
		bufferevent_trigger_event(bev, BEV_EVENT_CONNECTED, 0);
	}
	if (!x.done)
		event_base_dispatch(base);
	if (!x.done || x.failed) {
		exchange_error(conf, &x, err);
		goto out;
	}
	if (x.oom) {
		inv_error_set(err, INV_EINTERNAL, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (ret == -1)
		client_reply_deinit(reply);
	if (fd != -1)
		close(fd);
	if (evcon != NULL)
		evhttp_connection_free(evcon);
	if (dns != NULL)
		evdns_base_free(dns, 0);
	if (base != NULL)
		event_base_free(base);
	return ret;
}
