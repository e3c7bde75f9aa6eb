/*
 * commitloop: the machine's write limit for LMDB on a given filesystem.
 *
 *   commitloop DIR [SECONDS] [BATCH]
 *
 * Opens a fresh LMDB environment in DIR (created if missing) with the flags
 * invd uses (MDB_NOTLS, no MDB_NOSYNC: every commit is synced), then runs two
 * loops of SECONDS each (default 3):
 *   1. one write transaction per record: put one ~100-byte record, commit;
 *   2. BATCH records (default 100) per write transaction.
 * Prints one JSON line:
 *   {"single_commits_per_s":..,"single_commit_p50_us":..,
 *    "single_commit_p99_us":..,"batch":100,"batch_commits_per_s":..,
 *    "batch_records_per_s":..}
 */
#include <sys/stat.h>

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lmdb.h>

#include "common/util.h"

static void
die(const char *what, int rc)
{
	fprintf(stderr, "commitloop: %s: %s\n", what, mdb_strerror(rc));
	exit(1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Run for SECS seconds with BATCH puts per commit; returns commits done. */
static uint64_t
loop(MDB_env *env, MDB_dbi dbi, uint64_t *key, double secs, int batch,
    double *elapsed, uint64_t **lat, size_t *nlat)
{
	MDB_txn		*txn;
	MDB_val		 k, v;
	char		 rec[100];
	uint64_t	 t0 = (uint64_t)mono_us(), end, t, commits = 0, be;
	size_t		 cap = 0;
	int		 i, rc;

	memset(rec, 'x', sizeof(rec));
	end = t0 + (uint64_t)(secs * 1e6);
	*nlat = 0;
	*lat = NULL;
	do {
		t = (uint64_t)mono_us();
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
			die("mdb_txn_begin", rc);
		for (i = 0; i < batch; i++) {
			be = htobe64(++*key);	/* sorted bytes: MDB_APPEND */
			k.mv_size = sizeof(be);
			k.mv_data = &be;
			snprintf(rec, sizeof(rec), "{\"id\":%" PRIu64
			    ",\"product_id\":1,\"quantity\":1,\"status\":"
			    "\"PENDING\"}", *key);
			v.mv_size = sizeof(rec);
			v.mv_data = rec;
			if ((rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND)) != 0)
				die("mdb_put", rc);
		}
		if ((rc = mdb_txn_commit(txn)) != 0)
			die("mdb_txn_commit", rc);
		commits++;
		if (*nlat == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((*lat = realloc(*lat, cap * sizeof(**lat))) == NULL)
				die("realloc", ENOMEM);
		}
		(*lat)[(*nlat)++] = (uint64_t)mono_us() - t;
	} while ((uint64_t)mono_us() < end);
	*elapsed = (double)((uint64_t)mono_us() - t0) / 1e6;
	qsort(*lat, *nlat, sizeof(**lat), cmp_u64);
	return commits;
}

int
main(int argc, char **argv)
{
	MDB_env		*env;
	MDB_txn		*txn;
	MDB_dbi		 dbi;
	uint64_t	 key = 0, c1, c2, *lat;
	size_t		 nlat;
	double		 secs = 3, e1, e2;
	uint64_t	 p50, p99;
	int		 batch = 100, rc;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: commitloop DIR [SECONDS] [BATCH]\n");
		return 2;
	}
	if (argc > 2)
		secs = atof(argv[2]);
	if (argc > 3)
		batch = atoi(argv[3]);
	if (secs <= 0 || batch < 1)
		return 2;
	if (mkdir(argv[1], 0700) == -1 && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	if ((rc = mdb_env_create(&env)) != 0)
		die("mdb_env_create", rc);
	if ((rc = mdb_env_set_mapsize(env, (size_t)1 << 30)) != 0)
		die("mdb_env_set_mapsize", rc);
	if ((rc = mdb_env_open(env, argv[1], MDB_NOTLS, 0600)) != 0)
		die(argv[1], rc);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0)
		die("open", rc);

	c1 = loop(env, dbi, &key, secs, 1, &e1, &lat, &nlat);
	p50 = lat[nlat / 2];
	p99 = lat[(size_t)((double)nlat * 0.99)];
	free(lat);
	c2 = loop(env, dbi, &key, secs, batch, &e2, &lat, &nlat);
	free(lat);
	mdb_env_close(env);

	printf("{\"single_commits_per_s\":%.1f,\"single_commit_p50_us\":%"
	    PRIu64 ",\"single_commit_p99_us\":%" PRIu64 ",\"batch\":%d,"
	    "\"batch_commits_per_s\":%.1f,\"batch_records_per_s\":%.1f}\n",
	    (double)c1 / e1, p50, p99, batch, (double)c2 / e2,
	    (double)c2 * batch / e2);
	return 0;
}
