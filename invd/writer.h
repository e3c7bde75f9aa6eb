/*
 * The writer: one thread that applies queued write jobs in group commits.
 * Everything queued while a commit syncs goes into the next one, so under
 * load one fsync acknowledges many writes, and the event loop (reads,
 * parsing, replies) never waits for the disk.
 */
#ifndef INV_WRITER_H
#define INV_WRITER_H

#include <sys/queue.h>

#include "common/errors.h"

struct app;
struct event_base;
struct writer;

struct writer_job {
	TAILQ_ENTRY(writer_job)	 entry;
	/*
	 * On the writer thread, inside the batch's transaction, holding
	 * app->lock shared. May run more than once: reset() comes between.
	 */
	void	(*run)(struct writer_job *, struct app *);
	/* On the writer thread: forget what run() produced. */
	void	(*reset)(struct writer_job *);
	/*
	 * On the event loop thread once the batch's fate is known: err is
	 * NULL when it committed (run()'s outcome stands), else why nothing
	 * of it was applied.
	 */
	void	(*done)(struct writer_job *, const struct inv_error *);
	/* Set by the writer for done(). */
	struct inv_error	 err;
	int			 failed;
};

struct writer_stats {
	unsigned long long	 batches;	/* commits attempted */
	unsigned long long	 jobs;
	unsigned long long	 max_batch;
};

/* Start the thread; done() callbacks run on base. -1 with *cause. */
int	writer_start(struct writer **, struct event_base *, struct app *,
	    char **);
/* Queue a job; it runs in the next batch. */
void	writer_submit(struct writer *, struct writer_job *);
/* Counters since start; safe on the loop thread. */
void	writer_stats(struct writer *, struct writer_stats *);
/*
 * Run what is queued, join the thread and call every outstanding done().
 * NULL is fine.
 */
void	writer_stop(struct writer *);

#endif
