/*
 * The crash test's client: a model of what invd acknowledged, a load that
 * grows it, and a check of invd's data against it after each kill -9.
 *
 *   crashload init  STATE -t HOST:PORT -u SOCK [-p PRODUCTS] [-s STOCK]
 *   crashload run   STATE -t ... -u ... -r SEED -c CYCLE [-n CONNS]
 *                   [-d MAXSECONDS] [-a ACKLOG]
 *   crashload check STATE -t ... -u ... -r SEED [-A]
 *
 * run drives CONNS threads, half over TCP and half over the socket, each
 * with one request in flight, until invd goes away. Every 2xx reply is
 * applied to the model and logged; a request without a reply is unknown:
 * it may or may not have applied, and the model keeps exactly the two
 * possibilities until check resolves them from invd's data.
 *
 * The stock rule. Creating, paying, shipping, canceling or deleting an
 * order never changes stock + (quantities of its product's PENDING, PAID
 * and SHIPPED orders); only PUT /products/{id} with a stock does. So each
 * product has a base, and invd must always show stock + held == base. A
 * stock PUT is sent only while no other request on that product (or its
 * orders) is in flight, so the orders it saw are the model's: on its 200,
 * base = new stock + held. An unknown request on a product bars further
 * PUTs on it until check.
 *
 * Exit: 0, 1 on an invariant violation (each printed), 2 on usage.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/hmac.h"
#include "common/model.h"

#define REPLY_MAX	(4 << 20)
#define IO_TIMEOUT	20	/* seconds without progress: unknown */
#define EVENT_ID_LEN	48

enum op {
	OP_CREATE,
	OP_PAY,			/* webhook payment.succeeded */
	OP_FAIL,		/* webhook payment.failed */
	OP_CANCEL,		/* PUT status CANCELED */
	OP_SHIP,		/* PUT status SHIPPED */
	OP_DELETE,
	OP_STOCK,		/* PUT /products/{id} {"stock": S} */
	OP_REDELIVER,		/* a processed event again: duplicate */
	OP_N
};

/* Per mille of each op; one that finds nothing to act on creates. */
static const int op_weight[OP_N] = {
	[OP_CREATE] = 400, [OP_PAY] = 160, [OP_FAIL] = 40,
	[OP_CANCEL] = 90, [OP_SHIP] = 80, [OP_DELETE] = 100,
	[OP_STOCK] = 60, [OP_REDELIVER] = 70,
};

static const char *const op_names[OP_N] = {
	"create", "pay", "fail", "cancel", "ship", "delete", "stock",
	"redeliver",
};

/* An unknown outcome on an order: its status may be old or target. */
enum unk {
	UNK_NONE = 0,
	UNK_MOVE,		/* to target */
	UNK_DELETE		/* CANCELED: gone; else CANCELED */
};

struct prod {
	uint64_t	id;
	int64_t		base;		/* stock + held */
	int		busy;		/* requests in flight on it */
	int		putting;	/* a stock PUT in flight */
	int		noput;		/* an unknown request touched it */
	int		unk_put;	/* a stock PUT without reply */
	int64_t		unk_stock;
};

struct ord {
	uint64_t		id;
	uint64_t		pid;
	int64_t			qty;
	enum order_status	status;
	int			gone;	/* deleted, acknowledged */
	int			busy;
	enum unk		unk;
	enum order_status	target;
	char			unk_event[EVENT_ID_LEN];
};

struct event {
	char		id[EVENT_ID_LEN];
	uint64_t	oid;
	int		failed;		/* payment.failed */
	int		cycle;
};

struct unk_create {
	uint64_t	pid;
	int64_t		qty;
	int		used;
};

struct model {
	struct prod		*p;
	size_t			 np;
	struct ord		*o;
	size_t			 no, co;
	struct event		*e;
	size_t			 ne, ce;
	struct unk_create	*uc;
	size_t			 nuc, cuc;
	uint64_t		 evseq;
};

static struct {
	const char		*tcp_host;
	int			 tcp_port;
	const char		*sock;
	struct secret		 secret;
	pthread_mutex_t		 lock;
	struct model		 m;
	FILE			*acklog;
	int			 cycle;
	int			 stop;
	time_t			 deadline;
	unsigned long long	 acked, sent, unknown, refused;
	unsigned long long	 byop[OP_N];
	unsigned long long	 violations;
} g = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void __attribute__((format(printf, 1, 2)))
violation(const char *fmt, ...)
{
	va_list	ap;

	g.violations++;
	fprintf(stderr, "crashload: VIOLATION: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "crashload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *
xrealloc(void *p, size_t n, size_t size)
{
	if ((p = realloc(p, n * size)) == NULL)
		die("out of memory");
	return p;
}

/* xorshift64*: one stream per thread, from the seed. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int64_t
rnd_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

/* HTTP/1.1 over one kept-alive connection. */

struct conn {
	int	fd;
	int	unix_socket;
};

static int
conn_open(struct conn *c)
{
	struct sockaddr_in	sin;
	struct sockaddr_un	sun;
	struct timeval		tv = { IO_TIMEOUT, 0 };
	int			one = 1, r;

	if (c->unix_socket) {
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", g.sock);
		r = c->fd == -1 ? -1 :
		    connect(c->fd, (struct sockaddr *)&sun, sizeof sun);
	} else {
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)g.tcp_port);
		inet_pton(AF_INET, g.tcp_host, &sin.sin_addr);
		if (c->fd != -1)
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
		r = c->fd == -1 ? -1 :
		    connect(c->fd, (struct sockaddr *)&sin, sizeof sin);
	}
	if (r == -1) {
		if (c->fd != -1)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/*
 * Send one request and read its reply. 0 with *status and *body (the
 * caller frees), or -1 when no complete reply came: the outcome is then
 * unknown and the connection closed.
 */
static int
http(struct conn *c, const char *method, const char *path,
    const char *extra, const char *body, int *status, char **rbody)
{
	char	req[2048], *buf = NULL, *hend, *p;
	size_t	len, off, blen = body ? strlen(body) : 0, have = 0, cap = 0;
	size_t	clen = 0;
	ssize_t	n;
	int	close_after = 0;

	*rbody = NULL;
	if (c->fd == -1 && conn_open(c) == -1)
		return -1;
	len = (size_t)snprintf(req, sizeof req, "%s %s HTTP/1.1\r\n"
	    "Host: localhost\r\n%s%s%s", method, path, extra ? extra : "",
	    body ? "Content-Type: application/json\r\n" : "",
	    body ? "" : "\r\n");
	if (body)
		len += (size_t)snprintf(req + len, sizeof req - len,
		    "Content-Length: %zu\r\n\r\n%s", blen, body);
	if (len >= sizeof req)
		die("request too long");
	for (off = 0; off < len; off += (size_t)n)
		if ((n = send(c->fd, req + off, len - off, MSG_NOSIGNAL)) <= 0)
			goto fail;
	for (;;) {
		if (cap - have < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > REPLY_MAX)
				goto fail;
			buf = xrealloc(buf, cap + 1, 1);
		}
		if ((n = recv(c->fd, buf + have, cap - have, 0)) <= 0)
			goto fail;
		have += (size_t)n;
		buf[have] = '\0';
		if ((hend = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (sscanf(buf, "HTTP/1.%*d %d", status) != 1)
			goto fail;
		clen = 0;
		for (p = strstr(buf, "\r\n"); p != NULL && p < hend;
		    p = strstr(p + 2, "\r\n")) {
			if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
				clen = strtoul(p + 17, NULL, 10);
			if (strncasecmp(p + 2, "Connection: close", 17) == 0)
				close_after = 1;
		}
		if (have >= (size_t)(hend + 4 - buf) + clen)
			break;
	}
	hend = strstr(buf, "\r\n\r\n") + 4;
	*rbody = strndup(hend, clen);
	free(buf);
	if (close_after)
		conn_close(c);
	return 0;
fail:
	free(buf);
	conn_close(c);
	return -1;
}

/* The signed webhook delivery of an event, as invd checks it. */
static int
deliver(struct conn *c, const struct event *e, int *status, char **rbody)
{
	char	body[256], sig[128], hdr[192];

	snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"type\":\"%s\","
	    "\"order_id\":%" PRIu64 "}", e->id, e->failed ?
	    "payment.failed" : "payment.succeeded", e->oid);
	if (hmac_sign_seed(&g.secret, body, strlen(body), sig,
	    sizeof sig) == -1)
		die("cannot sign");
	snprintf(hdr, sizeof hdr, "X-Webhook-Signature: %s\r\n", sig);
	return http(c, "POST", "/webhooks/payment", hdr, body, status, rbody);
}

static int64_t
jint(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	return json_object_get_int64(v);
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

/* The model on disk: plain lines, rewritten whole. */

static void
model_save(const char *path)
{
	struct model	*m = &g.m;
	char		 tmp[4096];
	FILE		*f;
	size_t		 i;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	fprintf(f, "S %" PRIu64 "\n", m->evseq);
	for (i = 0; i < m->np; i++)
		fprintf(f, "P %" PRIu64 " %" PRId64 " %d %d %" PRId64 "\n",
		    m->p[i].id, m->p[i].base, m->p[i].noput, m->p[i].unk_put,
		    m->p[i].unk_stock);
	for (i = 0; i < m->no; i++)
		fprintf(f, "O %" PRIu64 " %" PRIu64 " %" PRId64 " %d %d %d %d "
		    "%s\n", m->o[i].id, m->o[i].pid, m->o[i].qty,
		    (int)m->o[i].status, m->o[i].gone, (int)m->o[i].unk,
		    (int)m->o[i].target, m->o[i].unk_event[0] ?
		    m->o[i].unk_event : "-");
	for (i = 0; i < m->ne; i++)
		fprintf(f, "E %s %" PRIu64 " %d %d\n", m->e[i].id, m->e[i].oid,
		    m->e[i].failed, m->e[i].cycle);
	for (i = 0; i < m->nuc; i++)
		fprintf(f, "U %" PRIu64 " %" PRId64 "\n", m->uc[i].pid,
		    m->uc[i].qty);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
		die("%s: write failed", tmp);
	if (rename(tmp, path) == -1)
		die("%s: %s", path, strerror(errno));
}

static struct ord *
order_add(struct model *m)
{
	if (m->no == m->co) {
		m->co = m->co ? m->co * 2 : 1024;
		m->o = xrealloc(m->o, m->co, sizeof *m->o);
	}
	memset(&m->o[m->no], 0, sizeof m->o[m->no]);
	return &m->o[m->no++];
}

static void
event_add(struct model *m, const char *id, uint64_t oid, int failed,
    int cycle)
{
	if (m->ne == m->ce) {
		m->ce = m->ce ? m->ce * 2 : 1024;
		m->e = xrealloc(m->e, m->ce, sizeof *m->e);
	}
	snprintf(m->e[m->ne].id, sizeof m->e[m->ne].id, "%s", id);
	m->e[m->ne].oid = oid;
	m->e[m->ne].failed = failed;
	m->e[m->ne].cycle = cycle;
	m->ne++;
}

static void
model_load(const char *path)
{
	struct model	*m = &g.m;
	struct ord	*o;
	char		 line[512], ev[EVENT_ID_LEN];
	FILE		*f;
	uint64_t	 oid;
	int		 st, gone, unk, target, failed, cycle;

	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		switch (line[0]) {
		case 'S':
			sscanf(line, "S %" SCNu64, &m->evseq);
			break;
		case 'P':
			m->p = xrealloc(m->p, m->np + 1, sizeof *m->p);
			memset(&m->p[m->np], 0, sizeof m->p[m->np]);
			sscanf(line, "P %" SCNu64 " %" SCNd64 " %d %d %" SCNd64,
			    &m->p[m->np].id, &m->p[m->np].base,
			    &m->p[m->np].noput, &m->p[m->np].unk_put,
			    &m->p[m->np].unk_stock);
			m->np++;
			break;
		case 'O':
			o = order_add(m);
			sscanf(line, "O %" SCNu64 " %" SCNu64 " %" SCNd64
			    " %d %d %d %d %47s", &o->id, &o->pid, &o->qty, &st,
			    &gone, &unk, &target, ev);
			o->status = (enum order_status)st;
			o->gone = gone;
			o->unk = (enum unk)unk;
			o->target = (enum order_status)target;
			if (strcmp(ev, "-") != 0)
				snprintf(o->unk_event, sizeof o->unk_event,
				    "%s", ev);
			break;
		case 'E':
			if (sscanf(line, "E %47s %" SCNu64 " %d %d", ev, &oid,
			    &failed, &cycle) == 4)
				event_add(m, ev, oid, failed, cycle);
			break;
		case 'U':
			m->uc = xrealloc(m->uc, m->nuc + 1, sizeof *m->uc);
			memset(&m->uc[m->nuc], 0, sizeof m->uc[m->nuc]);
			sscanf(line, "U %" SCNu64 " %" SCNd64, &m->uc[m->nuc].pid,
			    &m->uc[m->nuc].qty);
			m->nuc++;
			break;
		}
	}
	fclose(f);
}

static struct prod *
prod_by_id(uint64_t id)
{
	size_t	i;

	for (i = 0; i < g.m.np; i++)
		if (g.m.p[i].id == id)
			return &g.m.p[i];
	return NULL;
}

/* Stock the model's orders of p hold (all known: p is quiet). */
static int64_t
held(uint64_t pid)
{
	int64_t	sum = 0;
	size_t	i;

	for (i = 0; i < g.m.no; i++)
		if (g.m.o[i].pid == pid && !g.m.o[i].gone &&
		    order_status_holds_stock(g.m.o[i].status))
			sum += g.m.o[i].qty;
	return sum;
}

/* The load. */

struct job {
	enum op		 op;
	size_t		 pi;		/* product index */
	size_t		 oi;		/* order index, for order ops */
	int64_t		 n;		/* quantity or stock */
	struct event	 ev;
	char		 path[64], body[128];
	const char	*method;
};

/* An order in one of the wanted states, idle; -1 when none was found. */
static long
pick_order(uint64_t *rs, unsigned wanted)
{
	struct ord	*o;
	size_t		 i, tries;

	if (g.m.no == 0)
		return -1;
	for (tries = 0; tries < 32; tries++) {
		/* Favour recent orders: most old ones are settled. */
		i = g.m.no - 1 - (size_t)(rnd(rs) % (g.m.no < 400 ? g.m.no :
		    (rnd(rs) & 1) ? 400 : g.m.no));
		o = &g.m.o[i];
		if (!o->gone && !o->busy && o->unk == UNK_NONE &&
		    (wanted & (1u << o->status)) &&
		    !prod_by_id(o->pid)->putting)
			return (long)i;
	}
	return -1;
}

/* Choose and reserve the next request; called with the lock held. */
static void
job_pick(uint64_t *rs, struct job *j)
{
	struct prod	*p;
	struct ord	*o;
	long		 oi = -1;
	int		 r, w;
	size_t		 i;

	memset(j, 0, sizeof *j);
	r = (int)(rnd(rs) % 1000);
	for (j->op = 0; j->op < OP_N - 1; j->op++) {
		if (r < (w = op_weight[j->op]))
			break;
		r -= w;
	}
	switch (j->op) {
	case OP_PAY:
	case OP_FAIL:
		oi = pick_order(rs, 1u << ORDER_PENDING);
		break;
	case OP_CANCEL:
	case OP_DELETE:
		oi = pick_order(rs, (1u << ORDER_PENDING) | (1u << ORDER_PAID) |
		    (j->op == OP_DELETE ? 1u << ORDER_CANCELED : 0));
		break;
	case OP_SHIP:
		oi = pick_order(rs, 1u << ORDER_PAID);
		break;
	case OP_STOCK:
		i = (size_t)(rnd(rs) % g.m.np);
		p = &g.m.p[i];
		if (p->putting || p->noput) {
			j->op = OP_CREATE;
			break;
		}
		/* Bar new requests on p; the worker waits for quiet. */
		j->pi = i;
		j->n = rnd_range(rs, 50, 1000);
		p->putting = 1;
		j->method = "PUT";
		snprintf(j->path, sizeof j->path, "/products/%" PRIu64, p->id);
		snprintf(j->body, sizeof j->body, "{\"stock\":%" PRId64 "}",
		    j->n);
		return;
	case OP_REDELIVER:
		if (g.m.ne == 0) {
			j->op = OP_CREATE;
			break;
		}
		j->ev = g.m.e[rnd(rs) % g.m.ne];
		return;
	default:
		break;
	}
	if (j->op != OP_CREATE && oi == -1)
		j->op = OP_CREATE;
	if (j->op == OP_CREATE) {
		for (i = 0; i < 8; i++) {
			j->pi = (size_t)(rnd(rs) % g.m.np);
			if (!g.m.p[j->pi].putting)
				break;
		}
		p = &g.m.p[j->pi];
		if (p->putting) {
			j->op = OP_REDELIVER;	/* nothing else is free */
			if (g.m.ne == 0) {
				j->op = OP_N;
				return;
			}
			j->ev = g.m.e[rnd(rs) % g.m.ne];
			return;
		}
		p->busy++;
		j->n = rnd_range(rs, 1, 5);
		j->method = "POST";
		snprintf(j->path, sizeof j->path, "/orders");
		snprintf(j->body, sizeof j->body, "{\"product_id\":%" PRIu64
		    ",\"quantity\":%" PRId64 "}", p->id, j->n);
		return;
	}
	j->oi = (size_t)oi;
	o = &g.m.o[oi];
	o->busy = 1;
	p = prod_by_id(o->pid);
	j->pi = (size_t)(p - g.m.p);
	p->busy++;
	snprintf(j->path, sizeof j->path, "/orders/%" PRIu64, o->id);
	switch (j->op) {
	case OP_PAY:
	case OP_FAIL:
		snprintf(j->ev.id, sizeof j->ev.id, "ev-%d-%" PRIu64, g.cycle,
		    ++g.m.evseq);
		j->ev.oid = o->id;
		j->ev.failed = j->op == OP_FAIL;
		j->ev.cycle = g.cycle;
		break;
	case OP_CANCEL:
	case OP_SHIP:
		j->method = "PUT";
		snprintf(j->body, sizeof j->body, "{\"status\":\"%s\"}",
		    j->op == OP_CANCEL ? "CANCELED" : "SHIPPED");
		break;
	default:
		j->method = "DELETE";
		break;
	}
}

static void
ack_log(const struct job *j, int status, const char *body)
{
	if (g.acklog == NULL)
		return;
	if (j->op == OP_PAY || j->op == OP_FAIL || j->op == OP_REDELIVER)
		fprintf(g.acklog, "%d %s POST /webhooks/payment %s %d %s\n",
		    g.cycle, op_names[j->op], j->ev.id, status, body);
	else
		fprintf(g.acklog, "%d %s %s %s %s %d %s\n", g.cycle,
		    op_names[j->op], j->method, j->path, j->body[0] ?
		    j->body : "-", status, body[0] ? body : "-");
}

/* The status an order op moves to. */
static enum order_status
job_target(const struct job *j, const struct ord *o)
{
	switch (j->op) {
	case OP_PAY:
		return ORDER_PAID;
	case OP_SHIP:
		return ORDER_SHIPPED;
	case OP_DELETE:
		return o->status;	/* unused */
	default:
		return ORDER_CANCELED;
	}
}

/*
 * Apply a reply (or its absence, ok == 0) to the model; lock held. Which
 * errors are right is exact: only a create may be refused, for stock.
 */
static void
job_done(const struct job *j, int ok, int status, const char *body)
{
	struct json_object	*jo = NULL;
	struct prod		*p = &g.m.p[j->pi];
	struct ord		*o = NULL, *no;
	struct unk_create	*u;

	g.sent++;
	if (j->op == OP_REDELIVER) {
		if (!ok)
			return;
		jo = json_tokener_parse(body);
		if (status != 200 || strcmp(jstr(jo, "status"),
		    "duplicate") != 0 || (uint64_t)jint(jo, "order_id") !=
		    j->ev.oid)
			violation("redelivery of %s: %d %s", j->ev.id, status,
			    body);
		g.acked++;
		g.byop[j->op]++;
		ack_log(j, status, body);
		json_object_put(jo);
		return;
	}
	if (j->op != OP_CREATE && j->op != OP_STOCK)
		o = &g.m.o[j->oi];
	p->busy--;
	if (o != NULL)
		o->busy = 0;
	/* An unanswered PUT keeps its product quiet until the check. */
	if (j->op == OP_STOCK && ok && status < 500)
		p->putting = 0;
	if (!ok || status >= 500) {
		if (ok)
			violation("%s %s: %d %s", j->method ? j->method :
			    "POST", j->path, status, body);
		g.unknown++;
		p->noput = 1;
		if (j->op == OP_CREATE) {
			if (g.m.nuc == g.m.cuc) {
				g.m.cuc = g.m.cuc ? g.m.cuc * 2 : 64;
				g.m.uc = xrealloc(g.m.uc, g.m.cuc,
				    sizeof *g.m.uc);
			}
			u = &g.m.uc[g.m.nuc++];
			u->pid = p->id;
			u->qty = j->n;
			u->used = 0;
		} else if (j->op == OP_STOCK) {
			p->unk_put = 1;
			p->unk_stock = j->n;
		} else {
			o->unk = j->op == OP_DELETE ? UNK_DELETE : UNK_MOVE;
			o->target = job_target(j, o);
			if (j->op == OP_PAY || j->op == OP_FAIL)
				snprintf(o->unk_event, sizeof o->unk_event,
				    "%s", j->ev.id);
		}
		return;
	}
	if (status >= 300) {
		if (j->op == OP_CREATE && status == 409 &&
		    strstr(body, "Insufficient stock") != NULL) {
			g.refused++;
			return;
		}
		violation("%s %s %s: %d %s", op_names[j->op], j->path,
		    j->body, status, body);
		return;
	}
	g.acked++;
	g.byop[j->op]++;
	ack_log(j, status, body);
	jo = json_tokener_parse(body);
	switch (j->op) {
	case OP_CREATE:
		if (status != 201 || jint(jo, "id") <= 0 ||
		    jint(jo, "quantity") != j->n)
			violation("create: %d %s", status, body);
		no = order_add(&g.m);
		no->id = (uint64_t)jint(jo, "id");
		no->pid = p->id;
		no->qty = j->n;
		no->status = ORDER_PENDING;
		break;
	case OP_STOCK:
		if (jint(jo, "stock") != j->n)
			violation("stock PUT: %s", body);
		p->base = j->n + held(p->id);
		break;
	case OP_PAY:
	case OP_FAIL:
		if (strcmp(jstr(jo, "status"), "processed") != 0 ||
		    strcmp(jstr(jo, "new_status"),
		    order_status_name(job_target(j, o))) != 0)
			violation("webhook %s: %s", j->ev.id, body);
		o->status = job_target(j, o);
		event_add(&g.m, j->ev.id, j->ev.oid, j->ev.failed, g.cycle);
		break;
	case OP_CANCEL:
	case OP_SHIP:
		if (strcmp(jstr(jo, "status"),
		    order_status_name(job_target(j, o))) != 0)
			violation("%s %s: %s", j->method, j->path, body);
		o->status = job_target(j, o);
		break;
	case OP_DELETE:
		if (status != 204)
			violation("DELETE %s: %d", j->path, status);
		if (o->status == ORDER_CANCELED)
			o->gone = 1;
		else
			o->status = ORDER_CANCELED;
		break;
	default:
		break;
	}
	json_object_put(jo);
}

struct worker {
	pthread_t	th;
	int		idx;
	uint64_t	seed;
};

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct conn	 c = { -1, w->idx % 2 };
	struct job	 j;
	struct prod	*p;
	uint64_t	 rs = w->seed;
	char		*body;
	int		 status, ok;

	for (;;) {
		pthread_mutex_lock(&g.lock);
		if (g.stop || time(NULL) >= g.deadline) {
			pthread_mutex_unlock(&g.lock);
			break;
		}
		job_pick(&rs, &j);
		if (j.op == OP_STOCK) {
			p = &g.m.p[j.pi];
			while (p->busy > 0 && !p->noput && !g.stop) {
				pthread_mutex_unlock(&g.lock);
				usleep(200);
				pthread_mutex_lock(&g.lock);
			}
			if (p->noput || g.stop) {
				p->putting = 0;
				pthread_mutex_unlock(&g.lock);
				continue;
			}
			p->busy++;
		}
		pthread_mutex_unlock(&g.lock);
		if (j.op == OP_N) {
			usleep(1000);
			continue;
		}
		if (j.op == OP_PAY || j.op == OP_FAIL ||
		    j.op == OP_REDELIVER)
			ok = deliver(&c, &j.ev, &status, &body) == 0;
		else
			ok = http(&c, j.method, j.path, NULL,
			    j.body[0] ? j.body : NULL, &status, &body) == 0;
		pthread_mutex_lock(&g.lock);
		job_done(&j, ok, status, ok ? body : "");
		/* No reply and no new connection: invd is gone. */
		if (!ok && conn_open(&c) == -1)
			g.stop = 1;
		pthread_mutex_unlock(&g.lock);
		free(body);
	}
	conn_close(&c);
	return NULL;
}

static int
cmd_run(uint64_t seed, int conns, int maxsec, const char *acklog)
{
	struct worker	*w;
	int		 i;

	if (acklog != NULL && (g.acklog = fopen(acklog, "a")) == NULL)
		die("%s: %s", acklog, strerror(errno));
	g.deadline = time(NULL) + maxsec;
	if ((w = calloc((size_t)conns, sizeof *w)) == NULL)
		die("out of memory");
	for (i = 0; i < conns; i++) {
		w[i].idx = i;
		w[i].seed = seed * 1000003 + (uint64_t)i + 1;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			die("pthread_create failed");
	}
	for (i = 0; i < conns; i++)
		pthread_join(w[i].th, NULL);
	free(w);
	if (g.acklog != NULL)
		fclose(g.acklog);
	printf("run: cycle %d: %llu sent, %llu acknowledged, %llu refused "
	    "(stock), %llu without reply;", g.cycle, g.sent, g.acked,
	    g.refused, g.unknown);
	for (i = 0; i < OP_N; i++)
		printf(" %s %llu", op_names[i], g.byop[i]);
	printf("\n");
	return g.violations ? 1 : 0;
}

static int
cmd_init(int nprod, int64_t stock, uint64_t seed)
{
	struct conn		 c = { -1, 0 };
	struct json_object	*jo;
	char			 body[256], *rb;
	int			 i, status;

	for (i = 0; i < nprod; i++) {
		snprintf(body, sizeof body, "{\"sku\":\"CR-%" PRIu64 "-%d\","
		    "\"name\":\"Crash test %d\",\"price\":1.5,\"stock\":%"
		    PRId64 "}", seed, i, i, stock);
		if (http(&c, "POST", "/products", NULL, body, &status,
		    &rb) == -1 || status != 201)
			die("creating product %d failed", i);
		jo = json_tokener_parse(rb);
		g.m.p = xrealloc(g.m.p, g.m.np + 1, sizeof *g.m.p);
		memset(&g.m.p[g.m.np], 0, sizeof g.m.p[g.m.np]);
		g.m.p[g.m.np].id = (uint64_t)jint(jo, "id");
		g.m.p[g.m.np].base = stock;
		g.m.np++;
		json_object_put(jo);
		free(rb);
	}
	conn_close(&c);
	return 0;
}

/* The check. */

struct srv_order {
	uint64_t		id, pid;
	int64_t			qty;
	enum order_status	status;
	int			seen;	/* matched to the model */
};

static int
srv_cmp(const void *a, const void *b)
{
	const struct srv_order	*x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct srv_order *
srv_find(struct srv_order *v, size_t n, uint64_t id)
{
	struct srv_order	key = { .id = id };

	return bsearch(&key, v, n, sizeof *v, srv_cmp);
}

/* GET that must answer 200 with JSON; dies otherwise (invd is up). */
static struct json_object *
get_json(struct conn *c, const char *path)
{
	struct json_object	*jo;
	char			*rb;
	int			 status;

	if (http(c, "GET", path, NULL, NULL, &status, &rb) == -1)
		die("GET %s: no reply", path);
	if (status != 200 || (jo = json_tokener_parse(rb)) == NULL)
		die("GET %s: %d %s", path, status, rb);
	free(rb);
	return jo;
}

static int
cmd_check(int all, uint64_t seed)
{
	struct conn		 c = { -1, 1 };
	struct srv_order	*so = NULL, *s;
	struct json_object	*jo, *it;
	struct ord		*o;
	struct prod		*p;
	struct event		 ev;
	char			 path[128], *rb;
	size_t			 nso = 0, cso = 0, i, k, len;
	uint64_t		 after = 0, rs = seed | 1, invariants = 0;
	uint64_t		 redelivered = 0, adopted = 0;
	int64_t			*stock, *hold;
	int			 status, last_cycle = 0;

	/* invd's view: every order, every product's stock. */
	for (;;) {
		snprintf(path, sizeof path, "/orders?limit=1000&after=%"
		    PRIu64, after);
		jo = get_json(&c, path);
		len = json_object_array_length(jo);
		for (k = 0; k < len; k++) {
			it = json_object_array_get_idx(jo, k);
			if (nso == cso) {
				cso = cso ? cso * 2 : 4096;
				so = xrealloc(so, cso, sizeof *so);
			}
			s = &so[nso++];
			s->id = (uint64_t)jint(it, "id");
			s->pid = (uint64_t)jint(it, "product_id");
			s->qty = jint(it, "quantity");
			s->seen = 0;
			if (order_status_parse(jstr(it, "status"),
			    &s->status) == -1)
				die("order %" PRIu64 ": status %s", s->id,
				    jstr(it, "status"));
			after = s->id;
		}
		json_object_put(jo);
		if (len < 1000)
			break;
	}
	qsort(so, nso, sizeof *so, srv_cmp);
	stock = calloc(g.m.np, sizeof *stock);
	hold = calloc(g.m.np, sizeof *hold);
	if (stock == NULL || hold == NULL)
		die("out of memory");
	for (i = 0; i < g.m.np; i++) {
		snprintf(path, sizeof path, "/products/%" PRIu64, g.m.p[i].id);
		jo = get_json(&c, path);
		stock[i] = jint(jo, "stock");
		json_object_put(jo);
	}

	/*
	 * Each order the model knows: exactly its acknowledged status, or,
	 * after a request without reply, exactly what that request did.
	 */
	for (i = 0; i < g.m.no; i++) {
		o = &g.m.o[i];
		s = srv_find(so, nso, o->id);
		invariants++;
		if (s != NULL)
			s->seen = 1;
		if (o->gone) {
			if (s != NULL)
				violation("order %" PRIu64 ": deleted (204) but "
				    "still there, %s", o->id,
				    order_status_name(s->status));
			continue;
		}
		if (s == NULL) {
			if (o->unk == UNK_DELETE &&
			    o->status == ORDER_CANCELED) {
				o->gone = 1;
				o->unk = UNK_NONE;
				continue;
			}
			violation("order %" PRIu64 ": acknowledged %s, missing",
			    o->id, order_status_name(o->status));
			continue;
		}
		if (s->pid != o->pid || s->qty != o->qty)
			violation("order %" PRIu64 ": product %" PRIu64 " qty %"
			    PRId64 ", acknowledged %" PRIu64 " qty %" PRId64,
			    o->id, s->pid, s->qty, o->pid, o->qty);
		if (s->status == o->status) {
			/* Not applied: an unknown webhook left no event. */
			o->unk = UNK_NONE;
			o->unk_event[0] = '\0';
			continue;
		}
		if ((o->unk == UNK_MOVE && s->status == o->target) ||
		    (o->unk == UNK_DELETE && s->status == ORDER_CANCELED &&
		    o->status != ORDER_CANCELED)) {
			o->status = s->status;
			o->unk = UNK_NONE;
			if (o->unk_event[0] != '\0') {
				/* Applied: its event id must be recorded. */
				event_add(&g.m, o->unk_event, o->id,
				    s->status == ORDER_CANCELED, -1);
				o->unk_event[0] = '\0';
			}
			continue;
		}
		violation("order %" PRIu64 ": %s, acknowledged %s%s%s", o->id,
		    order_status_name(s->status), order_status_name(o->status),
		    o->unk == UNK_MOVE ? ", or unknown move to " : "",
		    o->unk == UNK_MOVE ? order_status_name(o->target) : "");
		o->status = s->status;
		o->unk = UNK_NONE;
	}

	/* Orders the model does not know: each an unanswered create. */
	for (i = 0; i < nso; i++) {
		s = &so[i];
		if (s->seen)
			continue;
		invariants++;
		for (k = 0; k < g.m.nuc; k++)
			if (!g.m.uc[k].used && g.m.uc[k].pid == s->pid &&
			    g.m.uc[k].qty == s->qty)
				break;
		if (k == g.m.nuc || s->status != ORDER_PENDING) {
			violation("order %" PRIu64 " (product %" PRIu64 ", qty %"
			    PRId64 ", %s) was never requested", s->id, s->pid,
			    s->qty, order_status_name(s->status));
			continue;
		}
		g.m.uc[k].used = 1;
		o = order_add(&g.m);
		o->id = s->id;
		o->pid = s->pid;
		o->qty = s->qty;
		o->status = s->status;
		adopted++;
	}
	g.m.nuc = 0;

	/* Stock: stock + held == base, never negative. */
	for (i = 0; i < nso; i++)
		if (order_status_holds_stock(so[i].status) &&
		    (p = prod_by_id(so[i].pid)) != NULL)
			hold[p - g.m.p] += so[i].qty;
	for (i = 0; i < g.m.np; i++) {
		p = &g.m.p[i];
		invariants += 2;
		if (stock[i] < 0)
			violation("product %" PRIu64 ": negative stock %" PRId64,
			    p->id, stock[i]);
		if (p->unk_put && stock[i] == p->unk_stock)
			p->base = stock[i] + hold[i];
		else if (stock[i] + hold[i] != p->base)
			violation("product %" PRIu64 ": stock %" PRId64 " + held %"
			    PRId64 " != %" PRId64 "%s", p->id, stock[i], hold[i],
			    p->base, p->unk_put ? " (nor the unanswered PUT)" :
			    "");
		p->unk_put = 0;
		p->noput = 0;
		p->base = stock[i] + hold[i];
	}

	/*
	 * Every processed event id is still recorded: a redelivery is a
	 * duplicate. All of the last cycle's, a sample of older ones.
	 */
	for (i = 0; i < g.m.ne; i++)
		if (g.m.e[i].cycle > last_cycle)
			last_cycle = g.m.e[i].cycle;
	for (i = 0; i < g.m.ne; i++) {
		ev = g.m.e[i];
		if (!all && ev.cycle != -1 && ev.cycle != last_cycle &&
		    rnd(&rs) % g.m.ne >= 200)
			continue;
		if (deliver(&c, &ev, &status, &rb) == -1)
			die("redelivering %s: no reply", ev.id);
		invariants++;
		redelivered++;
		jo = json_tokener_parse(rb);
		if (status != 200 || strcmp(jstr(jo, "status"),
		    "duplicate") != 0)
			violation("event %s: redelivery answered %d %s", ev.id,
			    status, rb);
		json_object_put(jo);
		free(rb);
		if (g.m.e[i].cycle == -1)
			g.m.e[i].cycle = last_cycle;
	}
	conn_close(&c);
	printf("check: %zu orders on disk (%llu unanswered creates applied), "
	    "%zu products, %llu event ids redelivered, %llu invariants "
	    "checked, %llu violations\n", nso, (unsigned long long)adopted,
	    g.m.np, (unsigned long long)redelivered,
	    (unsigned long long)invariants, g.violations);
	free(stock);
	free(hold);
	free(so);
	return g.violations ? 1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: crashload init|run|check STATE -t HOST:PORT "
	    "-u SOCK [-r SEED] [-c CYCLE] [-n CONNS] [-d SECONDS] "
	    "[-a ACKLOG] [-p PRODUCTS] [-s STOCK] [-A]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char	*mode, *state, *acklog = NULL, *secret, *colon;
	uint64_t	 seed = 1;
	int		 ch, conns = 48, maxsec = 60, nprod = 16, all = 0, r;
	int64_t		 stock = 1000;

	if (argc < 3)
		usage();
	mode = argv[1];
	state = argv[2];
	optind = 3;
	while ((ch = getopt(argc, argv, "t:u:r:c:n:d:a:p:s:A")) != -1) {
		switch (ch) {
		case 't':
			if ((colon = strrchr(optarg, ':')) == NULL)
				usage();
			g.tcp_host = strndup(optarg, (size_t)(colon - optarg));
			g.tcp_port = atoi(colon + 1);
			break;
		case 'u':
			g.sock = optarg;
			break;
		case 'r':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			g.cycle = atoi(optarg);
			break;
		case 'n':
			conns = atoi(optarg);
			break;
		case 'd':
			maxsec = atoi(optarg);
			break;
		case 'a':
			acklog = optarg;
			break;
		case 'p':
			nprod = atoi(optarg);
			break;
		case 's':
			stock = strtoll(optarg, NULL, 10);
			break;
		case 'A':
			all = 1;
			break;
		default:
			usage();
		}
	}
	if (g.tcp_host == NULL || g.sock == NULL || conns < 1 || nprod < 1)
		usage();
	if ((secret = getenv("INVD_WEBHOOK_SECRET")) == NULL || *secret == 0)
		die("INVD_WEBHOOK_SECRET is not set");
	g.secret.raw = (unsigned char *)strdup(secret);
	g.secret.rawlen = strlen(secret);
	if (strcmp(mode, "init") == 0) {
		r = cmd_init(nprod, stock, seed);
		model_save(state);
		return r;
	}
	model_load(state);
	if (g.m.np == 0)
		die("%s: no products", state);
	if (strcmp(mode, "run") == 0)
		r = cmd_run(seed, conns, maxsec, acklog);
	else if (strcmp(mode, "check") == 0)
		r = cmd_check(all, seed);
	else
		usage();
	model_save(state);
	return r;
}
