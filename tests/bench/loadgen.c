/*
 * loadgen: a small closed-loop HTTP/1.1 load client on libevent, for the
 * transports wrk cannot reach (a Unix socket) and, with the same code, TCP,
 * so that the two are compared with one client.
 *
 *   loadgen (-u SOCKET | -t HOST:PORT) [-c CONNS] (-d SECONDS | -n COUNT)
 *           [-m METHOD] [-p PATH] [-b BODY] [-r RANGE] [-s SEED]
 *
 * CONNS keep-alive connections (default 64) each send one request, wait for
 * the whole reply, and send the next. In PATH and BODY, "{id}" is replaced by
 * a random integer in 1..RANGE and "{seq}" by the request's sequence number
 * (1, 2, ...). With -d the run lasts SECONDS (replies still in flight at the
 * end are not counted); with -n it sends exactly COUNT requests and waits for
 * every reply (used to seed data quickly).
 *
 * Prints one JSON line on stdout:
 *   {"requests":N,"duration_s":S,"rps":R,"p50_us":..,"p99_us":..,
 *    "p999_us":..,"max_us":..,"non2xx":N,"errors":N}
 * errors counts connections that failed or closed with a request in flight.
 * The first few non-2xx replies are shown on stderr. Exit status 0 when the
 * run completed (whatever the statuses), 1 on a setup failure or when no
 * connection could be made.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/util.h"

/* Latency histogram: 1 us buckets below 100 ms, 1 ms buckets up to 100 s. */
#define HIST_FINE	100000u
#define HIST_COARSE	100000u
#define HIST_SIZE	(HIST_FINE + HIST_COARSE)

struct lg;

struct conn {
	struct lg		*lg;
	struct bufferevent	*bev;
	uint64_t		 t0;		/* send time, us */
	int			 busy;		/* a request is in flight */
	int			 in_body;	/* headers read, body pending */
	size_t			 body_left;
	int			 status;
	int			 close_after;
};

struct lg {
	struct event_base	*base;
	struct sockaddr_storage	 addr;
	socklen_t		 alen;
	int			 is_tcp;
	const char		*method;
	const char		*path;
	const char		*body;
	uint64_t		 range;
	uint64_t		 count;		/* 0: run for duration */
	double			 duration;
	int			 nconns;
	struct conn		*conns;
	uint64_t		 rng;
	uint64_t		 seq;		/* requests issued */
	uint64_t		 done;		/* replies received */
	uint64_t		 non2xx;
	uint64_t		 errors;
	uint64_t		 connect_failures;
	uint64_t		 max_us;
	int			 stopping;
	int			 shown;
	uint64_t		*hist;
};

static uint64_t
rnd(struct lg *lg)
{
	uint64_t x = lg->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return lg->rng = x;
}

/* Append TPL to OUT with {id} and {seq} replaced. */
static void
expand(struct lg *lg, struct evbuffer *out, const char *tpl, uint64_t seq,
    uint64_t id)
{
	const char *p = tpl, *q;

	while ((q = strchr(p, '{')) != NULL) {
		evbuffer_add(out, p, (size_t)(q - p));
		if (strncmp(q, "{id}", 4) == 0) {
			evbuffer_add_printf(out, "%" PRIu64, id);
			p = q + 4;
		} else if (strncmp(q, "{seq}", 5) == 0) {
			evbuffer_add_printf(out, "%" PRIu64, seq);
			p = q + 5;
		} else {
			evbuffer_add(out, q, 1);
			p = q + 1;
		}
	}
	evbuffer_add(out, p, strlen(p));
	(void)lg;
}

static void conn_open(struct conn *);

static void
send_request(struct conn *c)
{
	struct lg	*lg = c->lg;
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct evbuffer	*b;
	uint64_t	 seq, id;

	if (lg->stopping || (lg->count > 0 && lg->seq >= lg->count)) {
		c->busy = 0;
		return;
	}
	seq = ++lg->seq;
	id = lg->range > 0 ? rnd(lg) % lg->range + 1 : seq;
	evbuffer_add_printf(out, "%s ", lg->method);
	expand(lg, out, lg->path, seq, id);
	evbuffer_add_printf(out, " HTTP/1.1\r\nHost: localhost\r\n");
	if (lg->body != NULL) {
		b = evbuffer_new();
		expand(lg, b, lg->body, seq, id);
		evbuffer_add_printf(out, "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n", evbuffer_get_length(b));
		evbuffer_add_buffer(out, b);
		evbuffer_free(b);
	} else {
		evbuffer_add(out, "\r\n", 2);
	}
	c->busy = 1;
	c->in_body = 0;
	c->t0 = (uint64_t)mono_us();
}

static void
record(struct lg *lg, uint64_t us)
{
	size_t i;

	if (us < HIST_FINE)
		i = (size_t)us;
	else if ((us - HIST_FINE) / 1000 < HIST_COARSE)
		i = HIST_FINE + (size_t)((us - HIST_FINE) / 1000);
	else
		i = HIST_SIZE - 1;
	lg->hist[i]++;
	if (us > lg->max_us)
		lg->max_us = us;
}

static uint64_t
percentile(struct lg *lg, double p)
{
	uint64_t total = 0, want, acc = 0;
	size_t i;

	for (i = 0; i < HIST_SIZE; i++)
		total += lg->hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)total + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_SIZE; i++) {
		acc += lg->hist[i];
		if (acc >= want)
			return i < HIST_FINE ? i :
			    HIST_FINE + (i - HIST_FINE) * 1000;
	}
	return lg->max_us;
}

static void
check_finished(struct lg *lg)
{
	if (lg->count > 0 && lg->done >= lg->count)
		event_base_loopbreak(lg->base);
}

static void
reply_done(struct conn *c)
{
	struct lg *lg = c->lg;

	record(lg, (uint64_t)mono_us() - c->t0);
	lg->done++;
	if (c->status < 200 || c->status > 299)
		lg->non2xx++;
	c->busy = 0;
	check_finished(lg);
	if (c->close_after) {
		bufferevent_free(c->bev);
		c->bev = NULL;
		conn_open(c);
		return;
	}
	send_request(c);
}

/* Parse the header block of LEN bytes at H. */
static void
parse_headers(struct conn *c, const char *h, size_t len)
{
	const char *p = h, *end = h + len, *eol;

	c->status = 0;
	c->body_left = 0;
	c->close_after = 0;
	if (len > 12 && strncmp(h, "HTTP/1.", 7) == 0)
		c->status = atoi(h + 9);
	while (p < end && (eol = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (eol - p > 15 && strncasecmp(p, "content-length:", 15) == 0)
			c->body_left = strtoul(p + 15, NULL, 10);
		else if (eol - p > 11 &&
		    strncasecmp(p, "connection:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				c->close_after = 1;
		}
		p = eol + 1;
	}
	if (strncmp(h, "HTTP/1.0", 8) == 0)
		c->close_after = 1;
}

static void
show_failure(struct conn *c, struct evbuffer *in)
{
	struct lg	*lg = c->lg;
	size_t		 n = c->body_left < 300 ? c->body_left : 300;
	char		 buf[301];

	if (lg->shown >= 3 || (c->status >= 200 && c->status <= 299))
		return;
	lg->shown++;
	n = evbuffer_copyout(in, buf, n);
	buf[n] = '\0';
	fprintf(stderr, "loadgen: HTTP %d: %s\n", c->status, buf);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct evbuffer_ptr pos;
	size_t		 hlen;
	char		*h;

	for (;;) {
		if (!c->busy) {
			/* Unsolicited bytes: drop them. */
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		}
		if (!c->in_body) {
			pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (pos.pos < 0)
				return;
			hlen = (size_t)pos.pos + 4;
			h = (char *)evbuffer_pullup(in, (ssize_t)hlen);
			parse_headers(c, h, hlen);
			evbuffer_drain(in, hlen);
			c->in_body = 1;
		}
		if (evbuffer_get_length(in) < c->body_left)
			return;
		show_failure(c, in);
		evbuffer_drain(in, c->body_left);
		c->in_body = 0;
		reply_done(c);
		if (c->bev != bev)
			return;		/* reconnected */
		if (evbuffer_get_length(in) == 0)
			return;
	}
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	struct lg	*lg = c->lg;
	int		 one = 1;

	if (what & BEV_EVENT_CONNECTED) {
		if (lg->is_tcp)
			setsockopt(bufferevent_getfd(bev), IPPROTO_TCP,
			    TCP_NODELAY, &one, sizeof(one));
		send_request(c);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (c->busy) {
			if (c->t0 == 0)
				lg->connect_failures++;
			else
				lg->errors++;
			/* The request is lost; count it as issued-not-done. */
			if (lg->count > 0)
				lg->seq--;
		}
		bufferevent_free(bev);
		c->bev = NULL;
		c->busy = 0;
		if (lg->connect_failures > 1000) {
			fprintf(stderr, "loadgen: cannot connect: %s\n",
			    strerror(errno));
			event_base_loopbreak(lg->base);
			return;
		}
		conn_open(c);
	}
}

static void
conn_open(struct conn *c)
{
	struct lg *lg = c->lg;

	if (lg->stopping || (lg->count > 0 && lg->seq >= lg->count))
		return;
	c->bev = bufferevent_socket_new(lg->base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->busy = 1;
	c->t0 = 0;
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&lg->addr,
	    (int)lg->alen) == -1) {
		/* on_event has run with BEV_EVENT_ERROR, or will. */
		return;
	}
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct lg *lg = arg;

	(void)fd;
	(void)what;
	lg->stopping = 1;
	event_base_loopbreak(lg->base);
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen (-u SOCKET | -t HOST:PORT) [-c CONNS] "
	    "(-d SECONDS | -n COUNT)\n"
	    "               [-m METHOD] [-p PATH] [-b BODY] [-r RANGE] "
	    "[-s SEED]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct lg		 lg;
	struct sockaddr_un	*sun;
	struct sockaddr_in	*sin;
	struct event		*timer = NULL;
	struct timeval		 tv;
	uint64_t		 t0, t1;
	double			 secs;
	char			*colon, *host;
	int			 ch, i, have_addr = 0;

	memset(&lg, 0, sizeof(lg));
	lg.method = "GET";
	lg.path = "/health";
	lg.nconns = 64;
	lg.rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() ^ (uint64_t)mono_us();
	while ((ch = getopt(argc, argv, "u:t:c:d:n:m:p:b:r:s:")) != -1) {
		switch (ch) {
		case 'u':
			sun = (struct sockaddr_un *)&lg.addr;
			sun->sun_family = AF_UNIX;
			if (strlen(optarg) >= sizeof(sun->sun_path))
				usage();
			strcpy(sun->sun_path, optarg);
			lg.alen = sizeof(*sun);
			have_addr = 1;
			break;
		case 't':
			sin = (struct sockaddr_in *)&lg.addr;
			sin->sin_family = AF_INET;
			if ((host = strdup(optarg)) == NULL ||
			    (colon = strrchr(host, ':')) == NULL)
				usage();
			*colon = '\0';
			if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
				usage();
			sin->sin_port = htons((uint16_t)atoi(colon + 1));
			lg.alen = sizeof(*sin);
			free(host);
			lg.is_tcp = 1;
			have_addr = 1;
			break;
		case 'c':
			lg.nconns = atoi(optarg);
			break;
		case 'd':
			lg.duration = atof(optarg);
			break;
		case 'n':
			lg.count = strtoull(optarg, NULL, 10);
			break;
		case 'm':
			lg.method = optarg;
			break;
		case 'p':
			lg.path = optarg;
			break;
		case 'b':
			lg.body = optarg;
			break;
		case 'r':
			lg.range = strtoull(optarg, NULL, 10);
			break;
		case 's':
			lg.rng = strtoull(optarg, NULL, 10) * 2654435761u + 1;
			break;
		default:
			usage();
		}
	}
	if (!have_addr || lg.nconns < 1 || (lg.duration <= 0 && lg.count == 0))
		usage();
	if (lg.count > 0 && (uint64_t)lg.nconns > lg.count)
		lg.nconns = (int)lg.count;
	if (lg.duration <= 0)
		lg.duration = 300;	/* a bound for -n runs too */

	if ((lg.hist = calloc(HIST_SIZE, sizeof(*lg.hist))) == NULL ||
	    (lg.conns = calloc((size_t)lg.nconns, sizeof(*lg.conns))) == NULL ||
	    (lg.base = event_base_new()) == NULL) {
		perror("loadgen");
		return 1;
	}
	tv.tv_sec = (time_t)lg.duration;
	tv.tv_usec = (suseconds_t)((lg.duration - (double)tv.tv_sec) * 1e6);
	timer = evtimer_new(lg.base, on_timer, &lg);
	evtimer_add(timer, &tv);

	t0 = (uint64_t)mono_us();
	for (i = 0; i < lg.nconns; i++) {
		lg.conns[i].lg = &lg;
		conn_open(&lg.conns[i]);
	}
	event_base_dispatch(lg.base);
	t1 = (uint64_t)mono_us();
	lg.stopping = 1;
	secs = (double)(t1 - t0) / 1e6;

	printf("{\"requests\":%" PRIu64 ",\"duration_s\":%.3f,\"rps\":%.1f,"
	    "\"p50_us\":%" PRIu64 ",\"p99_us\":%" PRIu64 ",\"p999_us\":%" PRIu64
	    ",\"max_us\":%" PRIu64 ",\"non2xx\":%" PRIu64 ",\"errors\":%" PRIu64
	    "}\n", lg.done, secs, secs > 0 ? (double)lg.done / secs : 0.0,
	    percentile(&lg, 50), percentile(&lg, 99), percentile(&lg, 99.9),
	    lg.max_us, lg.non2xx, lg.errors);
	fflush(stdout);

	for (i = 0; i < lg.nconns; i++)
		if (lg.conns[i].bev != NULL)
			bufferevent_free(lg.conns[i].bev);
	event_free(timer);
	event_base_free(lg.base);
	free(lg.conns);
	free(lg.hist);
	if (lg.done == 0)
		return 1;
	if (lg.count > 0 && lg.done < lg.count) {
		fprintf(stderr, "loadgen: only %" PRIu64 " of %" PRIu64
		    " replies\n", lg.done, lg.count);
		return 1;
	}
	return 0;
}
