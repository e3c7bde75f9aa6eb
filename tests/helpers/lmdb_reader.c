/*
 * Another process on invd's LMDB environment, for the restart tests:
 * open DIR's environment and, with -t, begin a read transaction; print
 * "ready" and wait to be killed. A reader killed with SIGKILL leaves its
 * slot in the lock file, which invd must clear when it starts.
 *
 * usage: lmdb_reader [-t] DIR
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

int
main(int argc, char **argv)
{
	MDB_env	*env;
	MDB_txn	*txn;
	int	 rc, txn_too = argc == 3 && strcmp(argv[1], "-t") == 0;

	if (argc != 2 && !txn_too) {
		fprintf(stderr, "usage: lmdb_reader [-t] DIR\n");
		return 2;
	}
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 16)) != 0 ||
	    (rc = mdb_env_open(env, argv[argc - 1], MDB_RDONLY, 0640)) != 0 ||
	    (txn_too && (rc = mdb_txn_begin(env, NULL, MDB_RDONLY,
	    &txn)) != 0)) {
		fprintf(stderr, "lmdb_reader: %s: %s\n", argv[argc - 1],
		    mdb_strerror(rc));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
