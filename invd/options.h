/*
 * invd's settings: one table row per option drives the command line, the
 * environment and --help.
 */
#ifndef INV_OPTIONS_H
#define INV_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/log.h"

#define CONFIG_LISTEN_MAX	8

struct config {
	char		*data;			/* data directory */
	char		*socket;		/* NULL: off */
	char		*listen[CONFIG_LISTEN_MAX];
	size_t		 nlisten;		/* 0: off */
	size_t		 map_size;		/* the map's maximum */
	size_t		 max_body;
	size_t		 max_headers;		/* request line + headers */
	size_t		 max_connections;	/* open at once */
	int64_t		 idle_timeout;		/* seconds without a byte */
	int64_t		 read_timeout;		/* seconds for one request */
	enum log_level	 log_level;
	char		*webhook_secret;	/* environment only; secret */
	char		*webhook_secret_file;
	int64_t		 webhook_tolerance;	/* seconds */
	int64_t		 webhook_retention;	/* seconds */
	int		 sync_none;		/* --sync=none */
	char		*config_file;		/* the file read, if any */
	int		 check_config;		/* --check-config */
	char		*check_data;		/* --check-data DIR */
};

enum opt_result {
	OPT_RUN = 0,
	OPT_EXIT_OK,		/* --help or --version printed */
	OPT_EXIT_USAGE		/* error printed; exit 2 */
};

/*
 * Fill cfg from defaults, then the environment, then argv (the last wins).
 * Errors are printed as one line naming the option.
 */
enum opt_result	options_parse(struct config *, int, char **);
/* Print the effective settings as key = value lines, secrets masked. */
void		options_print(const struct config *, FILE *);
/* Free cfg, wiping the secret. */
void		options_free(struct config *);

/* Parse "1G", "512M", "65536" (binary units); -1 if invalid. */
int		opt_parse_size(const char *, size_t *);
/* Parse "300", "300s", "5m", "12h", "7d" into seconds; -1 if invalid. */
int		opt_parse_duration(const char *, int64_t *);

#endif
