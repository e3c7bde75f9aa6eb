/*
 * Group commit on a writer thread. The event loop queues write jobs; the
 * writer takes everything queued, runs each job in a transaction nested in
 * one parent (store_batch_*), commits the parent once and hands the jobs
 * back through an eventfd. While one commit syncs, the next batch fills.
 *
 * Jobs run one after another on one thread in queue order, so the outcome
 * is that of some one-at-a-time order of the same requests: serialisable
 * by construction. A job refused (no stock, say) rolls back only its own
 * nested transaction; a failed commit fails every job of the batch.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "invd/metrics.h"
#include "invd/router.h"
#include "invd/store.h"
#include "invd/writer.h"

#define WRITER_BATCH_MAX	512	/* jobs in one transaction */
#define WRITER_ATTEMPTS		4	/* runs of one batch (the map grew) */

TAILQ_HEAD(job_list, writer_job);

struct writer {
	struct app		*app;
	struct event		*ev;
	int			 efd;
	pthread_t		 thread;
	int			 started;

	pthread_mutex_t		 mu;	/* guards all below */
	pthread_cond_t		 cond;
	struct job_list		 queue;	/* waiting for a batch */
	struct job_list		 done;	/* applied, for the loop */
	int			 stop;
	struct writer_stats	 stats;
};

static void
jobs_fail(struct job_list *jobs, const struct inv_error *err)
{
	struct writer_job	*j;

	TAILQ_FOREACH(j, jobs, entry) {
		j->failed = 1;
		j->err = *err;
	}
}

/*
 * Apply jobs in one batch. On a map that is full for good, apply each job
 * alone instead, so only those that do not fit are refused.
 */
static void
writer_batch(struct writer *w, struct job_list *jobs, int single)
{
	struct store		*st = w->app->store;
	struct writer_job	*j;
	struct job_list		 one, rest;
	struct inv_error	 err;
	int			 attempt, r = -1;

	inv_error_clear(&err);
	for (attempt = 0; attempt < WRITER_ATTEMPTS; attempt++) {
		if (attempt > 0)
			TAILQ_FOREACH(j, jobs, entry)
				j->reset(j);
		if ((r = store_batch_begin(st, &err)) == -1)
			break;
		pthread_rwlock_rdlock(&w->app->lock);
		TAILQ_FOREACH(j, jobs, entry)
			j->run(j, w->app);
		pthread_rwlock_unlock(&w->app->lock);
		pthread_mutex_lock(&w->mu);
		w->stats.batches++;
		pthread_mutex_unlock(&w->mu);
		r = store_batch_commit(st, &err);
		if (r == 0)
			return;
		if (r == -1)
			break;
		if (r == 2) {
			/* Alone, a job's own 507 is its whole outcome. */
			if (single)
				return;
			TAILQ_INIT(&rest);
			while ((j = TAILQ_FIRST(jobs)) != NULL) {
				TAILQ_REMOVE(jobs, j, entry);
				TAILQ_INIT(&one);
				TAILQ_INSERT_TAIL(&one, j, entry);
				j->reset(j);
				writer_batch(w, &one, 1);
				TAILQ_INSERT_TAIL(&rest, j, entry);
			}
			TAILQ_CONCAT(jobs, &rest, entry);
			return;
		}
		/* r == 1: the map grew; run the batch again. */
	}
	if (r == 1)
		inv_error_set(&err, INV_EINTERNAL,
		    "Internal storage error: the write could not be committed");
	log_warnx("group commit failed: %s", err.detail);
	jobs_fail(jobs, &err);
}

static void *
writer_main(void *arg)
{
	struct writer		*w = arg;
	struct job_list		 batch;
	struct writer_job	*j;
	unsigned long long	 n;
	uint64_t		 one = 1;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (TAILQ_EMPTY(&w->queue) && !w->stop)
			pthread_cond_wait(&w->cond, &w->mu);
		if (TAILQ_EMPTY(&w->queue)) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		TAILQ_INIT(&batch);
		for (n = 0; n < WRITER_BATCH_MAX &&
		    (j = TAILQ_FIRST(&w->queue)) != NULL; n++) {
			TAILQ_REMOVE(&w->queue, j, entry);
			TAILQ_INSERT_TAIL(&batch, j, entry);
		}
		w->stats.jobs += n;
		if (n > w->stats.max_batch)
			w->stats.max_batch = n;
		pthread_mutex_unlock(&w->mu);

		writer_batch(w, &batch, 0);
		metrics_commit(n, TAILQ_FIRST(&batch)->failed);
		log_debug("group commit: %llu write%s", n, n == 1 ? "" : "s");

		pthread_mutex_lock(&w->mu);
		TAILQ_CONCAT(&w->done, &batch, entry);
		pthread_mutex_unlock(&w->mu);
		/* Cannot fail short of a bug: the counter cannot overflow. */
		if (write(w->efd, &one, sizeof one) == -1 && errno != EAGAIN)
			log_warn("writer: eventfd");
	}
	return NULL;
}

/* Hand finished jobs to their done() on the loop thread. */
static void
writer_finish(struct writer *w)
{
	struct job_list		 done;
	struct writer_job	*j;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&w->mu);
	TAILQ_CONCAT(&done, &w->done, entry);
	pthread_mutex_unlock(&w->mu);
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, j, entry);
		j->done(j, j->failed ? &j->err : NULL);
	}
}

static void
writer_wakeup(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	n;

	(void)what;
	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("writer: eventfd");
	writer_finish(arg);
}

int
writer_start(struct writer **out, struct event_base *base, struct app *app,
    char **cause)
{
	struct writer	*w;
	sigset_t	 all, old;
	int		 rc;

	*out = NULL;
	*cause = NULL;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		*cause = strdup("out of memory");
		return -1;
	}
	w->app = app;
	w->efd = -1;
	TAILQ_INIT(&w->queue);
	TAILQ_INIT(&w->done);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		if (asprintf(cause, "eventfd: %s", strerror(errno)) == -1)
			*cause = NULL;
		goto fail;
	}
	w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, writer_wakeup,
	    w);
	if (w->ev == NULL || event_add(w->ev, NULL) == -1) {
		*cause = strdup("cannot watch the writer's eventfd");
		goto fail;
	}
	/* Signals are the loop's business: the writer blocks them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		if (asprintf(cause, "cannot start the writer thread: %s",
		    strerror(rc)) == -1)
			*cause = NULL;
		goto fail;
	}
	w->started = 1;
	*out = w;
	return 0;
fail:
	writer_stop(w);
	return -1;
}

void
writer_submit(struct writer *w, struct writer_job *j)
{
	j->failed = 0;
	inv_error_clear(&j->err);
	pthread_mutex_lock(&w->mu);
	TAILQ_INSERT_TAIL(&w->queue, j, entry);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

void
writer_stats(struct writer *w, struct writer_stats *s)
{
	pthread_mutex_lock(&w->mu);
	*s = w->stats;
	pthread_mutex_unlock(&w->mu);
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		writer_finish(w);
		log_info("%llu writes in %llu commits, largest batch %llu",
		    w->stats.jobs, w->stats.batches, w->stats.max_batch);
	}
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->efd != -1)
		close(w->efd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
