/*
 * invd: the Orders & Inventory daemon. Parse options, open the store, bind
 * (or inherit) the listeners, tell systemd it is ready, run one event loop
 * until SIGTERM or SIGINT, then drain and close everything cleanly. SIGHUP
 * re-reads what can change at run time.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/api.h"
#include "common/hmac.h"
#include "common/log.h"
#include "invd/metrics.h"
#include "invd/notify.h"
#include "invd/options.h"
#include "invd/router.h"
#include "invd/server.h"
#include "invd/store.h"
#include "invd/writer.h"

/*
 * Seconds to flush replies at shutdown. A reply to a client that hung up
 * is never reported complete by libevent 2.1, so this bounds the wait.
 */
#define DRAIN_TIMEOUT	3
#define PRUNE_INTERVAL	60	/* seconds between webhook id prunes */
#define PRUNE_BATCH	1000	/* ids per prune transaction */

/* Pruning goes through the writer like any other write. */
struct prune_job {
	struct writer_job	 job;
	struct daemon		*d;
	size_t			 removed;
	int			 queued;
};

struct daemon {
	struct event_base	*base;
	struct server		*server;
	struct writer		*writer;
	struct prune_job	 prune_job;
	struct app		*app;
	struct config		*cfg;
	int			 argc;
	char			**argv;
	struct event		*deadline;
	struct event		*prune;
	int			 stopping;
};

/*
 * Forget expired webhook event ids in short batches: a full batch means
 * more are due, so the next runs at once, after waiting requests.
 */
static void
prune_again(struct daemon *d, size_t removed)
{
	struct timeval	tv = { PRUNE_INTERVAL, 0 };

	if (d->stopping)
		return;
	if (removed == PRUNE_BATCH)
		tv.tv_sec = 0;
	evtimer_add(d->prune, &tv);
}

static void
prune_run(struct writer_job *wj, struct app *app)
{
	struct prune_job	*pj = (struct prune_job *)wj;

	pj->removed = webhooks_prune(app, PRUNE_BATCH);
}

static void
prune_reset(struct writer_job *wj)
{
	((struct prune_job *)wj)->removed = 0;
}

static void
prune_done(struct writer_job *wj, const struct inv_error *err)
{
	struct prune_job	*pj = (struct prune_job *)wj;

	pj->queued = 0;
	prune_again(pj->d, err != NULL ? 0 : pj->removed);
}

static void
on_prune(evutil_socket_t fd, short what, void *arg)
{
	struct daemon		*d = arg;
	struct prune_job	*pj = &d->prune_job;

	(void)fd;
	(void)what;
	if (d->writer == NULL) {
		prune_again(d, webhooks_prune(d->app, PRUNE_BATCH));
		return;
	}
	if (pj->queued)
		return;
	pj->queued = 1;
	pj->d = d;
	pj->job.run = prune_run;
	pj->job.reset = prune_reset;
	pj->job.done = prune_done;
	writer_submit(d->writer, &pj->job);
}

/*
 * Secrets come from the environment and a file; both may be given. The
 * result replaces *ss only when all of it loaded.
 */
static int
load_secrets(const struct config *cfg, struct secrets *ss)
{
	struct secrets		fresh;
	struct inv_error	err;

	memset(&fresh, 0, sizeof fresh);
	if (cfg->webhook_secret != NULL &&
	    secrets_add_text(&fresh, cfg->webhook_secret,
	    strlen(cfg->webhook_secret), &err) == -1) {
		log_errorx("INVD_WEBHOOK_SECRET: %s", err.detail);
		goto fail;
	}
	if (cfg->webhook_secret_file != NULL &&
	    secrets_load_file(&fresh, cfg->webhook_secret_file, &err) == -1) {
		log_errorx("webhook secret file: %s", err.detail);
		goto fail;
	}
	secrets_clear(ss);
	*ss = fresh;
	return 0;
fail:
	secrets_clear(&fresh);
	return -1;
}

static void
log_secrets(const struct secrets *ss)
{
	if (ss->n == 0)
		log_info("no webhook secret: POST /webhooks/payment answers "
		    "503");
	else
		log_info("%zu webhook secret%s loaded", ss->n,
		    ss->n == 1 ? "" : "s");
}

/* Settings only a restart applies: say so instead of ignoring them. */
static void
report_static(const struct config *old, const struct config *new)
{
	size_t	i;
	int	same;

	if (strcmp(old->data, new->data) != 0)
		log_warnx("reload: data changed; restart invd to apply it");
	same = (old->socket == NULL) == (new->socket == NULL) &&
	    (old->socket == NULL || strcmp(old->socket, new->socket) == 0);
	if (!same)
		log_warnx("reload: socket changed; restart invd to apply it");
	same = old->nlisten == new->nlisten;
	for (i = 0; same && i < old->nlisten; i++)
		same = strcmp(old->listen[i], new->listen[i]) == 0;
	if (!same)
		log_warnx("reload: listen changed; restart invd to apply it");
	if (old->map_size != new->map_size)
		log_warnx("reload: map-size changed; restart invd to apply it");
	if (old->max_body != new->max_body)
		log_warnx("reload: max-body changed; restart invd to apply it");
	if (old->sync_none != new->sync_none)
		log_warnx("reload: sync changed; restart invd to apply it");
	if (old->max_headers != new->max_headers)
		log_warnx("reload: max-headers changed; restart invd to apply "
		    "it");
	if (old->max_connections != new->max_connections)
		log_warnx("reload: max-connections changed; restart invd to "
		    "apply it");
	if (old->idle_timeout != new->idle_timeout)
		log_warnx("reload: idle-timeout changed; restart invd to apply "
		    "it");
	if (old->read_timeout != new->read_timeout)
		log_warnx("reload: read-timeout changed; restart invd to apply "
		    "it");
}

/* Move the settings only a restart applies from running into fresh. */
static void
keep_static(struct config *fresh, struct config *running)
{
	struct config	tmp = *fresh;

	fresh->data = running->data;
	fresh->socket = running->socket;
	memcpy(fresh->listen, running->listen, sizeof fresh->listen);
	fresh->nlisten = running->nlisten;
	fresh->map_size = running->map_size;
	fresh->max_body = running->max_body;
	fresh->sync_none = running->sync_none;
	fresh->max_headers = running->max_headers;
	fresh->max_connections = running->max_connections;
	fresh->idle_timeout = running->idle_timeout;
	fresh->read_timeout = running->read_timeout;
	/* running now holds fresh's copies, freed with it. */
	running->data = tmp.data;
	running->socket = tmp.socket;
	memcpy(running->listen, tmp.listen, sizeof running->listen);
	running->nlisten = tmp.nlisten;
}

/*
 * SIGHUP: parse the whole configuration again into a new struct; apply
 * the log level, webhook secrets and webhook timings only if all of it is
 * valid, else keep running on the old one.
 */
static void
reload(struct daemon *d)
{
	struct config	fresh;
	struct secrets	ss;

	notify_send("RELOADING=1");
	log_info("SIGHUP: reloading the configuration");
	memset(&ss, 0, sizeof ss);
	if (options_parse(&fresh, d->argc, d->argv) != OPT_RUN ||
	    load_secrets(&fresh, &ss) == -1) {
		log_errorx("configuration reloading FAILED; keeping the "
		    "running one");
		options_free(&fresh);
		notify_send("READY=1");
		return;
	}
	report_static(d->cfg, &fresh);
	log_set_level(fresh.log_level);
	/* Write handlers read these on the writer thread. */
	pthread_rwlock_wrlock(&d->app->lock);
	secrets_clear(d->app->secrets);
	*d->app->secrets = ss;
	d->app->webhook_tolerance = fresh.webhook_tolerance;
	d->app->webhook_retention = fresh.webhook_retention;
	pthread_rwlock_unlock(&d->app->lock);
	log_secrets(d->app->secrets);
	/*
	 * Keep the running values of what did not apply, so the next reload
	 * compares with what really runs.
	 */
	keep_static(&fresh, d->cfg);
	options_free(d->cfg);
	*d->cfg = fresh;
	log_info("configuration reloaded");
	notify_send("READY=1");
}

static void
on_drained(void *arg)
{
	struct daemon	*d = arg;

	event_base_loopbreak(d->base);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;

	(void)fd;
	(void)what;
	log_warnx("replies still pending after %d s; exiting", DRAIN_TIMEOUT);
	event_base_loopbreak(d->base);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { DRAIN_TIMEOUT, 0 };

	(void)what;
	if (sig == SIGHUP) {
		if (!d->stopping)
			reload(d);
		return;
	}
	if (d->stopping++)
		return;
	log_info("%s: shutting down", strsignal((int)sig));
	notify_send("STOPPING=1");
	d->deadline = evtimer_new(d->base, on_deadline, d);
	if (d->deadline != NULL)
		evtimer_add(d->deadline, &tv);
	server_drain(d->server, on_drained, d);
}

/* --check-config: everything that can be checked without serving. */
static int
check_config(const struct config *cfg)
{
	struct secrets	ss;
	int		r;

	memset(&ss, 0, sizeof ss);
	r = load_secrets(cfg, &ss);
	secrets_clear(&ss);
	if (r == -1)
		return 2;
	options_print(cfg, stdout);
	printf("# configuration OK\n");
	return 0;
}

/* The most mismatch lines printed; the count covers them all. */
#define CHECK_DATA_LINES	100

static void
check_data_line(void *arg, const char *line)
{
	unsigned long	*n = arg;

	if ((*n)++ < CHECK_DATA_LINES)
		printf("mismatch: %s\n", line);
}

/*
 * --check-data DIR: walk every index against its records, read-only.
 * 0 consistent, 1 mismatches (a line each, capped), 2 cannot open.
 */
static int
check_data(const char *dir)
{
	struct store_check	res;
	struct inv_error	err;
	unsigned long		lines = 0;
	int			r;

	if ((r = store_check(dir, &res, check_data_line, &lines,
	    &err)) == -1) {
		fprintf(stderr, "invd: --check-data: %s\n", err.detail);
		return 2;
	}
	if (lines > CHECK_DATA_LINES)
		printf("mismatch: ... %lu more not shown\n",
		    lines - CHECK_DATA_LINES);
	printf("checked %s: %llu products, %llu skus, %llu orders, "
	    "%llu orders_by_product, %llu pending_by_product, "
	    "%llu orders_by_status, %llu webhook events, "
	    "%llu webhook_events_by_time; next ids %llu, %llu\n", dir,
	    (unsigned long long)res.products, (unsigned long long)res.skus,
	    (unsigned long long)res.orders,
	    (unsigned long long)res.by_product,
	    (unsigned long long)res.pending,
	    (unsigned long long)res.by_status,
	    (unsigned long long)res.events,
	    (unsigned long long)res.events_by_time,
	    (unsigned long long)res.next_product_id,
	    (unsigned long long)res.next_order_id);
	if (r == 1) {
		printf("# data INCONSISTENT: %llu mismatches\n",
		    (unsigned long long)res.problems);
		return 1;
	}
	printf("# data OK\n");
	return 0;
}

int
main(int argc, char **argv)
{
	struct config		 cfg;
	struct daemon		 d;
	struct app		 app;
	struct secrets		 secrets;
	struct store		*store = NULL;
	struct event		*sigs[3] = { NULL, NULL, NULL };
	static const int	 signos[3] = { SIGTERM, SIGINT, SIGHUP };
	struct inv_error	 err;
	char			*cause = NULL, ready[64];
	int			 fds[NOTIFY_FDS_MAX], nfds, i, rc = 1;

	switch (options_parse(&cfg, argc, argv)) {
	case OPT_EXIT_OK:
		options_free(&cfg);
		return 0;
	case OPT_EXIT_USAGE:
		options_free(&cfg);
		return 2;
	case OPT_RUN:
		break;
	}
	log_init("invd", getenv("JOURNAL_STREAM") != NULL);
	log_set_level(cfg.log_level);
	if (cfg.check_config) {
		rc = check_config(&cfg);
		options_free(&cfg);
		return rc;
	}
	if (cfg.check_data != NULL) {
		rc = check_data(cfg.check_data);
		options_free(&cfg);
		return rc;
	}
	signal(SIGPIPE, SIG_IGN);
	metrics_init(now_us());
	memset(&d, 0, sizeof d);
	memset(&secrets, 0, sizeof secrets);
	nfds = notify_listen_fds(fds, NOTIFY_FDS_MAX);
	if (load_secrets(&cfg, &secrets) == -1)
		goto out;
	log_secrets(&secrets);

	if (store_open(&store, cfg.data, cfg.map_size, &err) == -1) {
		log_errorx("%s", err.detail);
		goto out;
	}
	if (cfg.sync_none) {
		if (store_set_nosync(store, 1, &err) == -1) {
			log_errorx("%s", err.detail);
			goto out;
		}
		log_warnx("sync = none: commits are not synced to disk; "
		    "ACKNOWLEDGED WRITES CAN BE LOST on a power cut or OS "
		    "crash. Use only for throwaway data.");
	}
	memset(&app, 0, sizeof app);
	pthread_rwlock_init(&app.lock, NULL);
	app.store = store;
	app.max_body = cfg.max_body;
	app.secrets = &secrets;
	app.webhook_tolerance = cfg.webhook_tolerance;
	app.webhook_retention = cfg.webhook_retention;
	d.app = &app;
	d.cfg = &cfg;
	d.argc = argc;
	d.argv = argv;
	if ((d.base = event_base_new()) == NULL) {
		log_errorx("event_base_new failed");
		goto out;
	}
	if (server_start(&d.server, d.base, &app, &cfg, fds, nfds,
	    &cause) == -1) {
		log_errorx("%s", cause ? cause : "cannot start the server");
		goto out;
	}
	if (writer_start(&d.writer, d.base, &app, &cause) == -1) {
		log_errorx("%s", cause ? cause : "cannot start the writer");
		goto out;
	}
	server_set_writer(d.server, d.writer);
	for (i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(d.base, signos[i], on_signal, &d);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1) {
			log_errorx("cannot install signal handlers");
			goto out;
		}
	}
	if ((d.prune = evtimer_new(d.base, on_prune, &d)) == NULL) {
		log_errorx("cannot create the prune timer");
		goto out;
	}
	on_prune(-1, 0, &d);
	log_info("invd %s ready, data in %s", INV_VERSION, cfg.data);
	/* Listeners up and LMDB open: only now may clients be sent here. */
	snprintf(ready, sizeof ready, "READY=1\nMAINPID=%ld", (long)getpid());
	notify_send(ready);
	if (event_base_dispatch(d.base) == -1) {
		log_errorx("event loop failed");
		goto out;
	}
	rc = 0;
out:
	/* Commit and answer what is queued before the server goes. */
	d.stopping = 1;
	writer_stop(d.writer);
	if (rc == 0)
		log_info("stopped");
	server_free(d.server);
	if (d.deadline != NULL)
		event_free(d.deadline);
	if (d.prune != NULL)
		event_free(d.prune);
	for (i = 0; i < 3; i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	if (d.base != NULL)
		event_base_free(d.base);
	store_close(store);
	secrets_clear(&secrets);
	free(cause);
	options_free(&cfg);
	libevent_global_shutdown();
	return rc;
}
