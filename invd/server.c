/*
 * The evhttp edge. It alone sees evhttp_request: it enforces the limits,
 * copies method, path, query, Content-Type and body into a struct request,
 * calls router_dispatch() and turns the struct response into one reply,
 * then writes the access line.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
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
#include <event2/bufferevent.h>
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
#include "invd/metrics.h"
#include "invd/notify.h"
#include "invd/options.h"
#include "invd/router.h"
#include "invd/server.h"
#include "invd/writer.h"

#define SERVER_BOUND_MAX	NOTIFY_FDS_MAX	/* inherited or bound */
_Static_assert(CONFIG_LISTEN_MAX + 1 <= SERVER_BOUND_MAX, "listener slots");
#define SERVER_FD_RESERVE	64	/* fds kept for LMDB, logs, listeners */
#define SERVER_PAUSE_LOG	60	/* seconds between "limit reached" lines */

/*
 * One per open connection, found by its descriptor. libevent's own timeout
 * restarts on every byte, so a client trickling a byte a second would hold
 * a connection forever; the deadline bounds a whole request instead.
 */
struct conn {
	struct server			*srv;
	struct bufferevent		*bev;
	struct evhttp_connection	*evcon;		/* NULL until set up */
	struct evbuffer_cb_entry	*incb;
	struct evbuffer_cb_entry	*outcb;
	struct event			*deadline;
	struct event			*setup;
	int				 fd;		/* -1 until set up */
	int				 reading;	/* deadline armed */
	int				 busy;		/* read, not yet answered */
	TAILQ_ENTRY(conn)		 entry;
};

struct server {
	struct evhttp			*http;
	struct app			*app;
	struct evhttp_bound_socket	*bound[SERVER_BOUND_MAX];
	size_t				 nbound;
	char				*socket_path;	/* ours to unlink */
	struct writer			*writer;	/* NULL: write inline */
	size_t				 pending;	/* replies in flight */
	size_t				 deferred;	/* at the writer */
	int				 draining;
	void				(*drained)(void *);
	void				*drained_arg;
	struct event_base		*base;
	TAILQ_HEAD(, conn)		 conn_list;
	struct conn			**conns;	/* by descriptor */
	size_t				 nslots;
	size_t				 nconns;	/* open now */
	size_t				 max_conns;
	size_t				 max_headers;
	struct timeval			 read_timeout;
	int				 paused;	/* not accepting */
	int				 freeing;
	int64_t				 paused_logged;	/* mono_us() */
};

/*
 * libevent 2.1 has no hook for the errors it answers itself (a bad request
 * line, a body over the limit, an unknown method), and evhttp_send_error()
 * writes an HTML page. We define evhttp_send_error() here: libevent calls it
 * through the PLT, so this one runs instead and every reply stays JSON.
 * libevent gives it no argument, hence this one pointer.
 */
static struct server	*server_current;

/* A write request waiting for its group commit. */
struct server_job {
	struct writer_job	 job;		/* first: the writer's view */
	struct server		*srv;
	struct evhttp_request	*ereq;
	const struct route	*route;
	struct request		 req;		/* a copy in mem */
	struct response		 resp;
	int64_t			 t0;
	char			*mem;
};

static void	server_request(struct evhttp_request *, void *);
static void	conn_done(struct server *, struct evhttp_request *);

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
server_check_drained(struct server *srv)
{
	if (srv->draining && srv->pending == 0 && srv->deferred == 0 &&
	    srv->drained != NULL) {
		srv->drained(srv->drained_arg);
		srv->drained = NULL;
	}
}

static void
server_complete(struct evhttp_request *req, void *arg)
{
	struct server	*srv = arg;

	(void)req;
	if (srv->pending > 0)
		srv->pending--;
	server_check_drained(srv);
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
	const char		*s = NULL, *type = INV_MIME_JSON;
	size_t			 len = 0;

	if (resp->raw != NULL) {
		s = resp->raw;
		len = resp->raw_len;
		type = resp->raw_type;
	} else if (resp->json != NULL)
		s = json_dump(resp->json, &len);
	if (s == NULL && resp->status != 204) {
		resp->status = 500;
		s = fallback;
		len = sizeof fallback - 1;
		type = INV_MIME_JSON;
	}
	if (s != NULL) {
		evhttp_add_header(h, "Content-Type", type);
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
	metrics_request(resp->route, method, resp->status, resp->outcome,
	    mono_us() - t0);
	/*
	 * A deferred reply may find its client gone: libevent then frees the
	 * request without completing it, so it is not counted.
	 */
	if (evhttp_request_get_connection(req) != NULL) {
		srv->pending++;
		evhttp_request_set_on_complete_cb(req, server_complete, srv);
	}
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

/* Copy the request into one block the job owns; the JSON body moves. */
static int
job_copy(struct server_job *job, struct request *src)
{
	struct request	*dst = &job->req;
	size_t		 size, i, n;
	char		*p;

	n = src->nquery + src->nheaders;
	size = n * sizeof(struct param) + strlen(src->path) + 1 +
	    src->body_len + 1;
	if (src->content_type != NULL)
		size += strlen(src->content_type) + 1;
	for (i = 0; i < src->nquery; i++)
		size += strlen(src->query[i].key) +
		    strlen(src->query[i].value) + 2;
	for (i = 0; i < src->nheaders; i++)
		size += strlen(src->headers[i].key) +
		    strlen(src->headers[i].value) + 2;
	if ((job->mem = malloc(size)) == NULL)
		return -1;
	*dst = *src;
	p = job->mem + n * sizeof(struct param);
#define COPY(to, from) do {						\
	size_t	len_ = strlen(from) + 1;				\
	memcpy(p, (from), len_);					\
	(to) = p;							\
	p += len_;							\
} while (0)
	dst->query = (struct param *)job->mem;
	dst->headers = (struct param *)job->mem + src->nquery;
	for (i = 0; i < src->nquery; i++) {
		COPY(((struct param *)dst->query)[i].key, src->query[i].key);
		COPY(((struct param *)dst->query)[i].value,
		    src->query[i].value);
	}
	for (i = 0; i < src->nheaders; i++) {
		COPY(((struct param *)dst->headers)[i].key,
		    src->headers[i].key);
		COPY(((struct param *)dst->headers)[i].value,
		    src->headers[i].value);
	}
	COPY(dst->path, src->path);
	if (src->content_type != NULL)
		COPY(dst->content_type, src->content_type);
#undef COPY
	memcpy(p, src->body, src->body_len);
	p[src->body_len] = '\0';
	dst->body = p;
	src->json = NULL;
	return 0;
}

static void
job_run(struct writer_job *wj, struct app *app)
{
	struct server_job	*job = (struct server_job *)wj;

	router_call(app, job->route, &job->req, &job->resp);
}

static void
job_reset(struct writer_job *wj)
{
	struct server_job	*job = (struct server_job *)wj;

	response_free(&job->resp);
}

/* Committed (err NULL) or not: either way, now the client may know. */
static void
job_done(struct writer_job *wj, const struct inv_error *err)
{
	struct server_job	*job = (struct server_job *)wj;
	struct server		*srv = job->srv;

	if (err != NULL) {
		response_free(&job->resp);
		response_error(&job->resp, err);
	}
	job->resp.route = job->route->pattern;
	server_send(srv, job->ereq, &job->resp, method_name(job->req.method),
	    job->t0, 0);
	response_free(&job->resp);
	json_object_put(job->req.json);
	free(job->mem);
	free(job);
	srv->deferred--;
	server_check_drained(srv);
}

/* Hand a write to the writer; -1 (nothing queued) when out of memory. */
static int
server_defer(struct server *srv, struct evhttp_request *ereq,
    const struct route *route, struct request *req, int64_t t0)
{
	struct server_job	*job;

	if ((job = calloc(1, sizeof *job)) == NULL)
		return -1;
	if (job_copy(job, req) == -1) {
		free(job);
		return -1;
	}
	job->job.run = job_run;
	job->job.reset = job_reset;
	job->job.done = job_done;
	job->srv = srv;
	job->ereq = ereq;
	job->route = route;
	job->t0 = t0;
	srv->deferred++;
	writer_submit(srv->writer, &job->job);
	return 0;
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
	const struct route	*route;
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
	if ((route = router_match(srv->app, &req, &resp)) == NULL)
		goto send;
	if (srv->writer != NULL && route_writes(route)) {
		if (server_defer(srv, ereq, route, &req, t0) == 0)
			goto out;
		inv_error_set(&err, INV_EINTERNAL, "Out of memory");
		response_error(&resp, &err);
		goto send;
	}
	router_call(srv->app, route, &req, &resp);
send:
	/* Unknown methods may carry a body libevent did not read. */
	close = req.method == METHOD_OTHER;
	server_send(srv, ereq, &resp,
	    req.method == METHOD_OTHER ? "-" : method_name(req.method), t0,
	    close);
out:
	json_object_put(req.json);
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
	if (server_current != NULL)
		conn_done(server_current, req);
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
		    "%zu bytes", server_current ? server_current->max_headers :
		    (size_t)INV_MAX_HEADERS);
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

/*
 * Connection limits. libevent 2.1 counts nothing and has no cap, and tells
 * us of a new connection only by asking for its bufferevent. Each gets a
 * struct conn there; once libevent has built the connection around it, a
 * close callback takes the conn away again. At max-connections the
 * listeners stop accepting: further clients wait in the kernel's backlog
 * and are served as soon as a slot frees, rather than accepted only to be
 * refused.
 */
static void
server_accepting(struct server *srv, int on)
{
	struct evconnlistener	*lev;
	size_t			 i;
	int64_t			 now;

	if (srv->paused == !on)
		return;
	for (i = 0; i < srv->nbound; i++) {
		if ((lev = evhttp_bound_socket_get_listener(srv->bound[i])) ==
		    NULL)
			continue;
		if (on)
			evconnlistener_enable(lev);
		else
			evconnlistener_disable(lev);
	}
	srv->paused = !on;
	now = mono_us();
	if (!on && (srv->paused_logged == 0 ||
	    now - srv->paused_logged >= SERVER_PAUSE_LOG * 1000000LL)) {
		log_warnx("%zu connections open, the max-connections limit: "
		    "new ones wait until one closes", srv->nconns);
		srv->paused_logged = now;
	}
}

/* The conn of evcon, or NULL. */
static struct conn *
conn_find(struct server *srv, struct evhttp_connection *evcon)
{
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(evcon);
	struct conn		*c;
	int			 fd = bev != NULL ? bufferevent_getfd(bev) : -1;

	if (fd < 0 || (size_t)fd >= srv->nslots)
		return NULL;
	c = srv->conns[fd];
	return c != NULL && c->evcon == evcon ? c : NULL;
}

/*
 * Drop c. With live set its bufferevent still exists and c's input
 * callback comes off it. The count and the listeners follow.
 */
static void
conn_forget(struct conn *c, int live)
{
	struct server	*srv = c->srv;

	if (live && c->incb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->incb);
	if (live && c->outcb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_output(c->bev),
		    c->outcb);
	if (c->setup != NULL)
		event_free(c->setup);
	if (c->deadline != NULL)
		event_free(c->deadline);
	if (c->fd >= 0 && srv->conns[c->fd] == c)
		srv->conns[c->fd] = NULL;
	TAILQ_REMOVE(&srv->conn_list, c, entry);
	free(c);
	if (srv->nconns > 0)
		srv->nconns--;
	if (srv->paused && !srv->freeing && srv->nconns < srv->max_conns)
		server_accepting(srv, 1);
}

static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	conn_forget(arg, 1);
}

static void
conn_arm(struct conn *c)
{
	c->reading = 1;
	evtimer_add(c->deadline, &c->srv->read_timeout);
}

/*
 * Any byte of a request starts its deadline, if none runs yet. Bytes that
 * come while a request is being answered wait for the reply: that request
 * is in a handler's hands and its connection must not be closed under it.
 */
static void
conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;

	(void)buf;
	if (info->n_added > 0 && !c->reading && !c->busy)
		conn_arm(c);
}

/* The reply is out: bytes already here begin the next request. */
static void
conn_output(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;

	if (info->n_deleted == 0 || !c->busy || evbuffer_get_length(buf) > 0)
		return;
	c->busy = 0;
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		conn_arm(c);
}

/*
 * The request did not arrive whole in time. Close without a reply, as
 * libevent does on its own timeout.
 */
static void
conn_expired(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	(void)fd;
	(void)what;
	if (c->evcon == NULL)
		return;
	log_info("closing a connection: its request was not whole after "
	    "%lld s", (long long)c->srv->read_timeout.tv_sec);
	/* Calls conn_closed(), which frees c. */
	evhttp_connection_free(c->evcon);
}

/*
 * Runs right after the accept, before any I/O on the connection: libevent
 * has made the connection around c's bufferevent (and is its callback
 * argument). The reference taken in conn_bev() kept the bufferevent alive
 * in case libevent freed the connection meanwhile.
 */
static void
conn_setup(evutil_socket_t unused, short what, void *arg)
{
	struct conn		*c = arg;
	struct server		*srv = c->srv;
	struct conn		**slots;
	bufferevent_data_cb	 readcb;
	void			*cbarg;
	size_t			 n;
	int			 fd;

	(void)unused;
	(void)what;
	bufferevent_getcb(c->bev, &readcb, NULL, NULL, &cbarg);
	fd = bufferevent_getfd(c->bev);
	if (readcb == NULL || cbarg == NULL || fd < 0)
		goto gone;
	if ((size_t)fd >= srv->nslots) {
		for (n = srv->nslots ? srv->nslots : 256; n <= (size_t)fd;)
			n *= 2;
		if ((slots = reallocarray(srv->conns, n, sizeof *slots)) ==
		    NULL) {
			log_warnx("out of memory: closing a new connection");
			evhttp_connection_free(cbarg);
			goto gone;
		}
		memset(slots + srv->nslots, 0,
		    (n - srv->nslots) * sizeof *slots);
		srv->conns = slots;
		srv->nslots = n;
	}
	/* A slot still taken means a close we were not told of. */
	if (srv->conns[fd] != NULL)
		conn_forget(srv->conns[fd], 0);
	c->evcon = cbarg;
	c->fd = fd;
	srv->conns[fd] = c;
	evhttp_connection_set_closecb(c->evcon, conn_closed, c);
	bufferevent_decref(c->bev);
	return;
gone:
	bufferevent_decref(c->bev);
	conn_forget(c, 0);
}

/* libevent asks for the bufferevent of each connection it accepts. */
static struct bufferevent *
conn_bev(struct event_base *base, void *arg)
{
	struct server	*srv = arg;
	struct conn	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		goto fail;
	c->srv = srv;
	c->fd = -1;
	TAILQ_INSERT_TAIL(&srv->conn_list, c, entry);
	srv->nconns++;
	if ((c->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->deadline = evtimer_new(base, conn_expired, c)) == NULL ||
	    (c->setup = event_new(base, -1, 0, conn_setup, c)) == NULL ||
	    (c->incb = evbuffer_add_cb(bufferevent_get_input(c->bev),
	    conn_input, c)) == NULL ||
	    (c->outcb = evbuffer_add_cb(bufferevent_get_output(c->bev),
	    conn_output, c)) == NULL)
		goto fail;
	bufferevent_incref(c->bev);
	/* Runs in this pass of the loop, before any I/O. */
	event_active(c->setup, 0, 0);
	if (srv->nconns >= srv->max_conns)
		server_accepting(srv, 0);
	return c->bev;
fail:
	log_warnx("out of memory: a new connection goes uncounted");
	if (c != NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		c->bev = NULL;
		conn_forget(c, 0);
	}
	return NULL;
}

/* The request is whole: its deadline is over, whenever it is answered. */
static void
conn_done(struct server *srv, struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct conn			*c;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (c = conn_find(srv, evcon)) == NULL)
		return;
	evtimer_del(c->deadline);
	c->reading = 0;
	c->busy = 1;
}

static void
server_request_whole(struct evhttp_request *req, void *arg)
{
	conn_done(arg, req);
	server_request(req, arg);
}

/*
 * Every connection is a descriptor. Raise the soft open file limit to the
 * hard one if max-connections needs more; if even that is too low, serve
 * fewer connections rather than fail in accept().
 */
static void
server_fd_limit(struct server *srv)
{
	struct rlimit	rl;
	rlim_t		need = (rlim_t)srv->max_conns + SERVER_FD_RESERVE, old;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit");
		return;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
	    rl.rlim_max > rl.rlim_cur) {
		old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			log_warn("setrlimit");
			rl.rlim_cur = old;
		} else
			log_info("open file limit raised from %llu to %llu for "
			    "max-connections %zu", (unsigned long long)old,
			    (unsigned long long)rl.rlim_cur, srv->max_conns);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return;
	old = srv->max_conns;
	srv->max_conns = rl.rlim_cur > 2 * SERVER_FD_RESERVE ?
	    rl.rlim_cur - SERVER_FD_RESERVE : rl.rlim_cur / 2;
	log_warnx("open file limit %llu is too low for max-connections %zu; "
	    "serving at most %zu at once", (unsigned long long)rl.rlim_cur,
	    (size_t)old, srv->max_conns);
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
	srv->base = base;
	TAILQ_INIT(&srv->conn_list);
	srv->max_conns = cfg->max_connections;
	srv->max_headers = cfg->max_headers;
	srv->read_timeout.tv_sec = (time_t)cfg->read_timeout;
	server_fd_limit(srv);
	if ((srv->http = evhttp_new(base)) == NULL) {
		free(srv);
		return cause_set(cause, "evhttp_new failed");
	}
	/*
	 * Every method reaches the router, which answers 405 with Allow;
	 * libevent would answer 501. Limits are unlimited until set.
	 */
	evhttp_set_allowed_methods(srv->http, 0xffff);
	evhttp_set_max_headers_size(srv->http, (ev_ssize_t)srv->max_headers);
	evhttp_set_max_body_size(srv->http, app->max_body);
	/* Restarts on every byte: an idle limit, not a request deadline. */
	evhttp_set_timeout(srv->http, (int)cfg->idle_timeout);
	evhttp_set_bevcb(srv->http, conn_bev, srv);
	evhttp_set_default_content_type(srv->http, INV_MIME_JSON);
	/* Read an oversized body to its end so the 413 reaches the client. */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_gencb(srv->http, server_request_whole, srv);
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
server_set_writer(struct server *srv, struct writer *w)
{
	srv->writer = w;
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
	if (srv->pending == 0 && srv->deferred == 0)
		done(arg);
	else {
		srv->drained = done;
		srv->drained_arg = arg;
	}
}

void
server_free(struct server *srv)
{
	struct conn	*c;

	if (srv == NULL)
		return;
	if (server_current == srv)
		server_current = NULL;
	/* Closing connections must not wake listeners being freed. */
	srv->freeing = 1;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	/* Connections libevent freed before they were set up. */
	while ((c = TAILQ_FIRST(&srv->conn_list)) != NULL) {
		if (c->evcon == NULL)
			bufferevent_decref(c->bev);
		conn_forget(c, 0);
	}
	free(srv->conns);
	if (srv->socket_path != NULL) {
		unlink(srv->socket_path);
		free(srv->socket_path);
	}
	free(srv);
}
