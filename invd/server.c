/*
 * The evhttp edge. It alone sees evhttp_request: it enforces the limits,
 * copies method, path, query, Content-Type and body into a struct request,
 * calls router_dispatch() and turns the struct response into one reply,
 * then writes the access line.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "common/api.h"
#include "common/errors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/util.h"
#include "invd/notify.h"
#include "invd/options.h"
#include "invd/router.h"
#include "invd/server.h"

#define SERVER_BOUND_MAX	NOTIFY_FDS_MAX	/* inherited or bound */
_Static_assert(CONFIG_LISTEN_MAX + 1 <= SERVER_BOUND_MAX, "listener slots");
#define SERVER_TIMEOUT		30	/* seconds to read a request */

struct server {
	struct evhttp			*http;
	struct app			*app;
	struct evhttp_bound_socket	*bound[SERVER_BOUND_MAX];
	size_t				 nbound;
	char				*socket_path;	/* ours to unlink */
	size_t				 pending;	/* replies in flight */
	int				 draining;
	void				(*drained)(void *);
	void				*drained_arg;
};

/*
 * libevent 2.1 has no hook for the errors it answers itself (a bad request
 * line, a body over the limit, an unknown method), and evhttp_send_error()
 * writes an HTML page. We define evhttp_send_error() here: libevent calls it
 * through the PLT, so this one runs instead and every reply stays JSON.
 * libevent gives it no argument, hence this one pointer.
 */
static struct server	*server_current;

static void	server_request(struct evhttp_request *, void *);

static int __attribute__((format(printf, 2, 3)))
cause_set(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return -1;
}

static enum http_method
server_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:		return METHOD_GET;
	case EVHTTP_REQ_POST:		return METHOD_POST;
	case EVHTTP_REQ_PUT:		return METHOD_PUT;
	case EVHTTP_REQ_DELETE:		return METHOD_DELETE;
	case EVHTTP_REQ_PATCH:		return METHOD_PATCH;
	case EVHTTP_REQ_HEAD:		return METHOD_HEAD;
	case EVHTTP_REQ_OPTIONS:	return METHOD_OPTIONS;
	default:			return METHOD_OTHER;
	}
}

static void
server_complete(struct evhttp_request *req, void *arg)
{
	struct server	*srv = arg;

	(void)req;
	if (srv->pending > 0)
		srv->pending--;
	if (srv->draining && srv->pending == 0 && srv->drained != NULL) {
		srv->drained(srv->drained_arg);
		srv->drained = NULL;
	}
}

/* The access line: method, target, status, bytes, microseconds. */
static void
server_log(struct evhttp_request *req, const char *method, int status,
    size_t bytes, int64_t t0)
{
	const char	*uri = evhttp_request_get_uri(req);
	char		 safe[256];
	size_t		 i;

	if (log_get_level() < LOG_LEVEL_INFO)
		return;
	/* Never let a client write control characters into the log. */
	for (i = 0; uri != NULL && uri[i] != '\0' && i < sizeof safe - 1; i++)
		safe[i] = (uri[i] < 0x20 || uri[i] == 0x7f) ? '?' : uri[i];
	safe[i] = '\0';
	log_info("%s %s %d %zu %lldus", method, i ? safe : "-", status, bytes,
	    (long long)(mono_us() - t0));
}

static void
server_send(struct server *srv, struct evhttp_request *req,
    struct response *resp, const char *method, int64_t t0, int close)
{
	static const char	 fallback[] = "{\"detail\":\"Out of memory\"}";
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*out = evhttp_request_get_output_buffer(req);
	const char		*s = NULL;
	size_t			 len = 0;

	if (resp->json != NULL)
		s = json_dump(resp->json, &len);
	if (s == NULL && resp->status != 204) {
		resp->status = 500;
		s = fallback;
		len = sizeof fallback - 1;
	}
	if (s != NULL) {
		evhttp_add_header(h, "Content-Type", INV_MIME_JSON);
		evbuffer_add(out, s, len);
	}
	if (resp->location != NULL)
		evhttp_add_header(h, "Location", resp->location);
	if (resp->link != NULL)
		evhttp_add_header(h, "Link", resp->link);
	if (resp->allow[0] != '\0')
		evhttp_add_header(h, "Allow", resp->allow);
	if (close)
		evhttp_add_header(h, "Connection", "close");
	server_log(req, method, resp->status, len, t0);
	srv->pending++;
	evhttp_request_set_on_complete_cb(req, server_complete, srv);
	evhttp_send_reply(req, resp->status, inv_status_phrase(resp->status),
	    NULL);
}

/* Borrow a key/value list as params; -1 on allocation failure. */
static int
server_params(struct evkeyvalq *h, struct param **out, size_t *n)
{
	struct evkeyval	*e;
	struct param	*p;
	size_t		 i = 0;

	*out = NULL;
	*n = 0;
	TAILQ_FOREACH(e, h, next)
		i++;
	if (i == 0)
		return 0;
	if ((p = calloc(i, sizeof *p)) == NULL)
		return -1;
	i = 0;
	TAILQ_FOREACH(e, h, next) {
		p[i].key = e->key;
		p[i].value = e->value;
		i++;
	}
	*out = p;
	*n = i;
	return 0;
}

/* Copy the query into params; -1 if it is malformed. */
static int
server_query(const char *q, struct evkeyvalq *kv, struct param **out,
    size_t *n)
{
	*out = NULL;
	*n = 0;
	TAILQ_INIT(kv);
	if (q == NULL || *q == '\0')
		return 0;
	if (evhttp_parse_query_str(q, kv) == -1)
		return -1;
	return server_params(kv, out, n);
}

static void
server_request(struct evhttp_request *ereq, void *arg)
{
	struct server		*srv = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(ereq);
	struct evbuffer		*in = evhttp_request_get_input_buffer(ereq);
	struct evkeyvalq	 kv;
	struct request		 req;
	struct response		 resp;
	struct param		*params = NULL, *headers = NULL;
	struct inv_error	 err;
	char			*path = NULL;
	size_t			 plen = 0, nparams = 0, nheaders = 0;
	int64_t			 t0 = mono_us();
	int			 close = 0;

	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	TAILQ_INIT(&kv);
	req.method = server_method(ereq);
	if (uri != NULL && evhttp_uri_get_path(uri) != NULL)
		path = evhttp_uridecode(evhttp_uri_get_path(uri), 0, &plen);
	if (path == NULL || strlen(path) != plen) {
		inv_error_set(&err, INV_ENOTFOUND, "Not Found");
		response_error(&resp, &err);
		goto send;
	}
	/* Decoded values are C strings: a NUL would cut one short. */
	if (evhttp_uri_get_query(uri) != NULL &&
	    strstr(evhttp_uri_get_query(uri), "%00") != NULL) {
		inv_error_set(&err, INV_EINVALID,
		    "Query parameters must not contain NUL bytes");
		response_error(&resp, &err);
		goto send;
	}
	if (server_query(evhttp_uri_get_query(uri), &kv, &params,
	    &nparams) == -1) {
		inv_error_set(&err, INV_EBADREQ, "Malformed query string");
		response_error(&resp, &err);
		goto send;
	}
	if (server_params(evhttp_request_get_input_headers(ereq), &headers,
	    &nheaders) == -1) {
		inv_error_set(&err, INV_EINTERNAL, "Out of memory");
		response_error(&resp, &err);
		goto send;
	}
	req.path = path;
	req.query = params;
	req.nquery = nparams;
	req.headers = headers;
	req.nheaders = nheaders;
	req.content_type = evhttp_find_header(
	    evhttp_request_get_input_headers(ereq), "Content-Type");
	req.body_len = evbuffer_get_length(in);
	req.body = req.body_len ?
	    (const char *)evbuffer_pullup(in, -1) : "";
	if (req.body == NULL) {
		inv_error_set(&err, INV_EINTERNAL, "Out of memory");
		response_error(&resp, &err);
		goto send;
	}
	router_dispatch(srv->app, &req, &resp);
send:
	/* Unknown methods may carry a body libevent did not read. */
	close = req.method == METHOD_OTHER;
	server_send(srv, ereq, &resp,
	    req.method == METHOD_OTHER ? "-" : method_name(req.method), t0,
	    close);
	response_free(&resp);
	free(headers);
	free(params);
	evhttp_clear_headers(&kv);
	free(path);
}

/*
 * Replaces libevent's own (see server_current above). Requests with an
 * unknown method still reach the router, which answers 404 or 405 with
 * Allow; protocol errors get a JSON detail, and the connection is closed
 * since the stream can no longer be trusted.
 */
void
evhttp_send_error(struct evhttp_request *req, int error, const char *reason)
{
	struct response		resp;
	struct inv_error	err;
	enum inv_code		code;

	(void)reason;
	if (server_current != NULL && evhttp_request_get_command(req) == 0 &&
	    evhttp_request_get_uri(req) != NULL) {
		server_request(req, server_current);
		return;
	}
	memset(&resp, 0, sizeof resp);
	/* A request line that did not parse has no version: answer 1.1. */
	if (req->major != 1) {
		req->major = 1;
		req->minor = 1;
	}
	switch (error) {
	case 417:
		code = INV_EBADREQ;
		inv_error_set(&err, code, "Expectation Failed: only "
		    "100-continue is supported");
		break;
	case 413:
		code = INV_ETOOLARGE;
		inv_error_set(&err, code, "Request body too large (limit %zu "
		    "bytes)", server_current ? server_current->app->max_body :
		    (size_t)INV_MAX_BODY);
		break;
	case 404:
		code = INV_ENOTFOUND;
		inv_error_set(&err, code, "Not Found");
		break;
	default:
		code = INV_EBADREQ;
		inv_error_set(&err, code, "Malformed HTTP request: bad "
		    "request line, header or body framing, or headers over "
		    "%d bytes", INV_MAX_HEADERS);
		break;
	}
	response_error(&resp, &err);
	if (error == 417 || error == 501)
		resp.status = error;
	if (server_current != NULL)
		server_send(server_current, req, &resp, "-", mono_us(), 1);
	response_free(&resp);
}

static int
bind_tcp(struct server *srv, const char *addr, char **cause)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_storage		 ss;
	socklen_t			 slen = sizeof ss;
	char				 host[256];
	const char			*colon = strrchr(addr, ':');
	size_t				 hl = (size_t)(colon - addr);
	int				 port = atoi(colon + 1);

	if (addr[0] == '[') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof host)
		return cause_set(cause, "%s: address too long", addr);
	memcpy(host, addr, hl);
	host[hl] = '\0';
	bs = evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port);
	if (bs == NULL)
		return cause_set(cause, "cannot listen on %s:%d: %s", host,
		    port, strerror(errno));
	srv->bound[srv->nbound++] = bs;
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss,
	    &slen) == 0) {
		if (ss.ss_family == AF_INET)
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	log_info("listening on %s%s%s:%d", strchr(host, ':') ? "[" : "", host,
	    strchr(host, ':') ? "]" : "", port);
	return 0;
}

/*
 * A socket file left by a dead daemon is replaced; one a live process
 * answers on is not, and neither is anything that is not a socket.
 */
static int
unix_prepare(const char *path, const struct sockaddr_un *sun, char **cause)
{
	struct stat	sb;
	int		fd, r;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		return cause_set(cause, "%s: %s", path, strerror(errno));
	}
	if (!S_ISSOCK(sb.st_mode))
		return cause_set(cause, "%s exists and is not a socket", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return cause_set(cause, "socket: %s", strerror(errno));
	r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	close(fd);
	if (r == 0)
		return cause_set(cause, "%s: another invd is already "
		    "listening there", path);
	if (errno != ECONNREFUSED)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	log_info("removing stale socket %s", path);
	if (unlink(path) == -1 && errno != ENOENT)
		return cause_set(cause, "%s: %s", path, strerror(errno));
	return 0;
}

static int
bind_unix(struct server *srv, struct event_base *base, const char *path,
    char **cause)
{
	struct sockaddr_un		 sun;
	struct evconnlistener		*lev;
	struct evhttp_bound_socket	*bs;
	mode_t				 old;
	int				 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return cause_set(cause, "%s: socket path too long (max %zu)",
		    path, sizeof sun.sun_path - 1);
	memcpy(sun.sun_path, path, strlen(path));
	if (unix_prepare(path, &sun, cause) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return cause_set(cause, "socket: %s", strerror(errno));
	/* Created 0660 from the start: no window with a wider mode. */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		cause_set(cause, "cannot bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if ((srv->socket_path = strdup(path)) == NULL) {
		close(fd);
		unlink(path);
		return cause_set(cause, "out of memory");
	}
	if (chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		cause_set(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	lev = evconnlistener_new(base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (lev == NULL) {
		close(fd);
		return cause_set(cause, "%s: cannot listen", path);
	}
	if ((bs = evhttp_bind_listener(srv->http, lev)) == NULL) {
		evconnlistener_free(lev);
		return cause_set(cause, "%s: cannot listen", path);
	}
	srv->bound[srv->nbound++] = bs;
	log_info("listening on %s", path);
	return 0;
}

/* Serve on a listening socket the service manager opened for us. */
static int
adopt_fd(struct server *srv, struct event_base *base, int fd, char **cause)
{
	struct sockaddr_storage		 ss;
	struct evconnlistener		*lev;
	struct evhttp_bound_socket	*bs;
	socklen_t			 slen = sizeof ss;
	int				 type;
	socklen_t			 tlen = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != SOCK_STREAM)
		return cause_set(cause, "inherited fd %d is not a stream "
		    "socket", fd);
	if (getsockname(fd, (struct sockaddr *)&ss, &slen) == -1)
		return cause_set(cause, "inherited fd %d: %s", fd,
		    strerror(errno));
	if (evutil_make_socket_nonblocking(fd) == -1)
		return cause_set(cause, "inherited fd %d: %s", fd,
		    strerror(errno));
	lev = evconnlistener_new(base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (lev == NULL)
		return cause_set(cause, "inherited fd %d: cannot listen", fd);
	if ((bs = evhttp_bind_listener(srv->http, lev)) == NULL) {
		evconnlistener_free(lev);
		return cause_set(cause, "inherited fd %d: cannot listen", fd);
	}
	srv->bound[srv->nbound++] = bs;
	if (ss.ss_family == AF_UNIX)
		log_info("listening on inherited socket %s",
		    ((struct sockaddr_un *)&ss)->sun_path);
	else
		log_info("listening on inherited socket, fd %d", fd);
	return 0;
}

int
server_start(struct server **out, struct event_base *base, struct app *app,
    const struct config *cfg, const int *fds, int nfds, char **cause)
{
	struct server	*srv;
	size_t		 i;
	int		 k;

	*out = NULL;
	*cause = NULL;
	if ((srv = calloc(1, sizeof *srv)) == NULL)
		return cause_set(cause, "out of memory");
	srv->app = app;
	if ((srv->http = evhttp_new(base)) == NULL) {
		free(srv);
		return cause_set(cause, "evhttp_new failed");
	}
	/*
	 * Every method reaches the router, which answers 405 with Allow;
	 * libevent would answer 501. Limits are unlimited until set.
	 */
	evhttp_set_allowed_methods(srv->http, 0xffff);
	evhttp_set_max_headers_size(srv->http, INV_MAX_HEADERS);
	evhttp_set_max_body_size(srv->http, app->max_body);
	evhttp_set_timeout(srv->http, SERVER_TIMEOUT);
	evhttp_set_default_content_type(srv->http, INV_MIME_JSON);
	/* Read an oversized body to its end so the 413 reaches the client. */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_gencb(srv->http, server_request, srv);
	server_current = srv;

	if (nfds > 0) {
		/* The manager owns these paths: never unlink its socket. */
		if (nfds > SERVER_BOUND_MAX) {
			cause_set(cause, "%d inherited sockets, at most %d",
			    nfds, SERVER_BOUND_MAX);
			goto fail;
		}
		for (k = 0; k < nfds; k++)
			if (adopt_fd(srv, base, fds[k], cause) == -1)
				goto fail;
		*out = srv;
		return 0;
	}
	for (i = 0; i < cfg->nlisten; i++)
		if (bind_tcp(srv, cfg->listen[i], cause) == -1)
			goto fail;
	if (cfg->socket != NULL &&
	    bind_unix(srv, base, cfg->socket, cause) == -1)
		goto fail;
	*out = srv;
	return 0;
fail:
	server_free(srv);
	return -1;
}

void
server_drain(struct server *srv, void (*done)(void *), void *arg)
{
	size_t	i;

	for (i = 0; i < srv->nbound; i++)
		evhttp_del_accept_socket(srv->http, srv->bound[i]);
	srv->nbound = 0;
	if (srv->socket_path != NULL) {
		unlink(srv->socket_path);
		free(srv->socket_path);
		srv->socket_path = NULL;
	}
	srv->draining = 1;
	if (srv->pending == 0)
		done(arg);
	else {
		srv->drained = done;
		srv->drained_arg = arg;
	}
}

void
server_free(struct server *srv)
{
	if (srv == NULL)
		return;
	if (server_current == srv)
		server_current = NULL;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	if (srv->socket_path != NULL) {
		unlink(srv->socket_path);
		free(srv->socket_path);
	}
	free(srv);
}
