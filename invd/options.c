/*
 * invd's option table. Each row gives the long and short name, the
 * environment variable, the type, the default, the bounds and the help
 * line; parsing, the environment and --help all come from these rows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/api.h"
#include "invd/options.h"

enum opt_key {
	KEY_DATA,
	KEY_LISTEN,
	KEY_SOCKET,
	KEY_MAP_SIZE,
	KEY_MAX_BODY,
	KEY_MAX_HEADERS,
	KEY_MAX_CONNECTIONS,
	KEY_IDLE_TIMEOUT,
	KEY_READ_TIMEOUT,
	KEY_LOG_LEVEL,
	KEY_SYNC,
	KEY_SECRET,
	KEY_SECRET_FILE,
	KEY_TOLERANCE,
	KEY_RETENTION,
	KEY_CONFIG,
	KEY_CHECK,
	KEY_CHECK_DATA,
	KEY_HELP,
	KEY_VERSION
};

enum opt_type {
	OPT_PATH,		/* a path; "off" too where off_ok */
	OPT_LISTEN,		/* HOST:PORT, repeatable, or "off" */
	OPT_SIZE,		/* bytes with K, M, G, T */
	OPT_COUNT,		/* a plain number */
	OPT_DURATION,		/* seconds with s, m, h, d */
	OPT_LEVEL,
	OPT_SYNC,		/* full or none */
	OPT_SECRET,		/* environment only, never printed */
	OPT_FLAG
};

struct opt_row {
	enum opt_key	 key;
	const char	*name;
	int		 letter;	/* 0: long option only */
	const char	*env;
	enum opt_type	 type;
	const char	*def;
	const char	*metavar;
	const char	*help;
	int		 off_ok;
	int64_t		 min, max;	/* OPT_SIZE, OPT_COUNT, OPT_DURATION */
	const char	*range;		/* the bounds as a person writes them */
};

/*
 * Indexed by key, so opt_table[KEY_DATA] is the data row. Columns: key,
 * long name, letter, environment, type, default, metavar, help, "off"
 * allowed, min, max, range as written.
 */
static const struct opt_row opt_table[] = {
	[KEY_DATA] = { KEY_DATA, "data", 'd', "INVD_DATA", OPT_PATH,
	    INV_DEFAULT_DATA, "DIR", "LMDB data directory", 0, 0, 0, NULL },
	[KEY_LISTEN] = { KEY_LISTEN, "listen", 'l', "INVD_LISTEN", OPT_LISTEN,
	    INV_DEFAULT_LISTEN, "ADDR",
	    "TCP address HOST:PORT, repeatable; off for none", 1, 0, 0,
	    NULL },
	[KEY_SOCKET] = { KEY_SOCKET, "socket", 's', "INVD_SOCKET", OPT_PATH,
	    INV_DEFAULT_SOCKET, "PATH", "Unix socket path; off for none", 1,
	    0, 0, NULL },
	[KEY_MAP_SIZE] = { KEY_MAP_SIZE, "map-size", 'm', "INVD_MAP_SIZE",
	    OPT_SIZE, "1G", "SIZE", "largest size the database may grow to",
	    0, (int64_t)1 << 20, (int64_t)1 << 44, "1M to 16T" },
	[KEY_MAX_BODY] = { KEY_MAX_BODY, "max-body", 'b', "INVD_MAX_BODY",
	    OPT_SIZE, "1M", "SIZE", "largest request body accepted", 0, 1024,
	    (int64_t)64 << 20, "1K to 64M" },
	[KEY_MAX_HEADERS] = { KEY_MAX_HEADERS, "max-headers", 0,
	    "INVD_MAX_HEADERS", OPT_SIZE, "16K", "SIZE",
	    "largest request line and headers accepted", 0, 1024, 1 << 20,
	    "1K to 1M" },
	[KEY_MAX_CONNECTIONS] = { KEY_MAX_CONNECTIONS, "max-connections", 0,
	    "INVD_MAX_CONNECTIONS", OPT_COUNT, "4096", "N",
	    "connections open at once; more wait to be accepted", 0, 1,
	    1 << 20, "1 to 1048576" },
	[KEY_IDLE_TIMEOUT] = { KEY_IDLE_TIMEOUT, "idle-timeout", 0,
	    "INVD_IDLE_TIMEOUT", OPT_DURATION, "60s", "TIME",
	    "close a connection idle (no byte in or out) this long", 0, 1,
	    86400, "1s to 1d" },
	[KEY_READ_TIMEOUT] = { KEY_READ_TIMEOUT, "read-timeout", 0,
	    "INVD_READ_TIMEOUT", OPT_DURATION, "30s", "TIME",
	    "longest a request may take to arrive, from its first byte", 0,
	    1, 3600, "1s to 1h" },
	[KEY_LOG_LEVEL] = { KEY_LOG_LEVEL, "log-level", 'L', "INVD_LOG_LEVEL",
	    OPT_LEVEL, "info", "LEVEL",
	    "error, warn, info (a line per request) or debug", 0, 0, 0,
	    NULL },
	[KEY_SYNC] = { KEY_SYNC, "sync", 'S', "INVD_SYNC", OPT_SYNC, "full",
	    "MODE", "full: fsync every commit; none: for throwaway data only",
	    0, 0, 0, NULL },
	[KEY_SECRET] = { KEY_SECRET, "webhook-secret", 0,
	    "INVD_WEBHOOK_SECRET", OPT_SECRET, NULL, NULL,
	    "webhook secrets, one per line (environment only)", 0, 0, 0,
	    NULL },
	[KEY_SECRET_FILE] = { KEY_SECRET_FILE, "webhook-secret-file", 'w',
	    "INVD_WEBHOOK_SECRET_FILE", OPT_PATH, NULL, "FILE",
	    "file of webhook secrets, one per line", 0, 0, 0, NULL },
	[KEY_TOLERANCE] = { KEY_TOLERANCE, "webhook-tolerance", 0,
	    "INVD_WEBHOOK_TOLERANCE", OPT_DURATION, "5m", "TIME",
	    "accepted webhook-timestamp skew, either way", 0, 1, 86400,
	    "1s to 1d" },
	[KEY_RETENTION] = { KEY_RETENTION, "webhook-retention", 0,
	    "INVD_WEBHOOK_RETENTION", OPT_DURATION, "7d", "TIME",
	    "how long event ids are remembered", 0, 60, 3650 * 86400LL,
	    "1m to 3650d" },
	[KEY_CONFIG] = { KEY_CONFIG, "config", 'c', "INVD_CONFIG", OPT_PATH,
	    NULL, "FILE",
	    "configuration file of key = value lines [/etc/invd/invd.conf]",
	    0, 0, 0, NULL },
	[KEY_CHECK] = { KEY_CHECK, "check-config", 'n', NULL, OPT_FLAG, NULL,
	    NULL, "check the configuration, print the effective settings, "
	    "exit", 0, 0, 0, NULL },
	[KEY_CHECK_DATA] = { KEY_CHECK_DATA, "check-data", 0, NULL, OPT_PATH,
	    NULL, "DIR", "check DIR's indexes read-only (safe while invd "
	    "runs), exit", 0, 0, 0, NULL },
	[KEY_HELP] = { KEY_HELP, "help", 'h', NULL, OPT_FLAG, NULL, NULL,
	    "print this help", 0, 0, 0, NULL },
	[KEY_VERSION] = { KEY_VERSION, "version", 'V', NULL, OPT_FLAG, NULL,
	    NULL, "print the version", 0, 0, 0, NULL },
};
#define OPT_N	(sizeof opt_table / sizeof opt_table[0])

/* Multiply v by a unit, refusing overflow and junk after it. */
static int
parse_scaled(const char *s, const char *const *units,
    const unsigned long long *mults, unsigned long long *out)
{
	char			*end;
	unsigned long long	 v, mul = mults[0];
	size_t			 i;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	for (i = 0; units[i] != NULL; i++) {
		if (strcmp(end, units[i]) == 0) {
			mul = mults[i];
			end += strlen(end);
			break;
		}
	}
	if (*end != '\0' || (mul != 0 && v > UINT64_MAX / mul))
		return -1;
	*out = v * mul;
	return 0;
}

int
opt_parse_size(const char *s, size_t *out)
{
	/* Binary units whatever the spelling: 1M = 1m = 1MiB = 2^20. */
	static const char *const units[] = { "", "K", "k", "KiB", "M", "m",
	    "MiB", "G", "g", "GiB", "T", "t", "TiB", NULL };
	static const unsigned long long mults[] = { 1, 1ULL << 10,
	    1ULL << 10, 1ULL << 10, 1ULL << 20, 1ULL << 20, 1ULL << 20,
	    1ULL << 30, 1ULL << 30, 1ULL << 30, 1ULL << 40, 1ULL << 40,
	    1ULL << 40 };
	unsigned long long	v;

	if (parse_scaled(s, units, mults, &v) == -1 || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

int
opt_parse_duration(const char *s, int64_t *out)
{
	static const char *const units[] = { "", "s", "m", "h", "d", NULL };
	static const unsigned long long mults[] = { 1, 1, 60, 3600, 86400 };
	unsigned long long	v;

	if (parse_scaled(s, units, mults, &v) == -1 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* HOST:PORT with a numeric port 0-65535; [v6]:PORT for IPv6. */
static int
listen_ok(const char *s)
{
	const char	*colon = strrchr(s, ':');
	char		*end;
	long		 port;

	if (colon == NULL || colon == s)
		return 0;
	if (s[0] == '[' && colon[-1] != ']')
		return 0;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	/* Port 0 asks the kernel for a free one. */
	return errno == 0 && *end == '\0' && end != colon + 1 && port >= 0 &&
	    port <= 65535;
}

static void
listen_clear(struct config *cfg)
{
	size_t	i;

	for (i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i]);
	cfg->nlisten = 0;
}

static void
secret_free(char **s)
{
	if (*s != NULL) {
		OPENSSL_cleanse(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static int
listen_add(struct config *cfg, const char *val, const char *who)
{
	char	*copy, *tok, *save;
	int	 r = -1;

	if ((copy = strdup(val)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (strcmp(tok, "off") == 0) {
			listen_clear(cfg);
			continue;
		}
		if (!listen_ok(tok)) {
			fprintf(stderr, "invd: %s: invalid address '%s' "
			    "(expected HOST:PORT or off)\n", who, tok);
			goto out;
		}
		if (cfg->nlisten == CONFIG_LISTEN_MAX) {
			fprintf(stderr, "invd: %s: at most %d addresses\n", who,
			    CONFIG_LISTEN_MAX);
			goto out;
		}
		if ((cfg->listen[cfg->nlisten] = strdup(tok)) == NULL)
			goto out;
		cfg->nlisten++;
	}
	r = 0;
out:
	free(copy);
	return r;
}

/* Where an OPT_SIZE or OPT_COUNT row keeps its value. */
static size_t *
size_field(struct config *cfg, enum opt_key key)
{
	switch (key) {
	case KEY_MAP_SIZE:		return &cfg->map_size;
	case KEY_MAX_HEADERS:		return &cfg->max_headers;
	case KEY_MAX_CONNECTIONS:	return &cfg->max_connections;
	default:			return &cfg->max_body;
	}
}

/* Where an OPT_DURATION row keeps its value. */
static int64_t *
duration_field(struct config *cfg, enum opt_key key)
{
	switch (key) {
	case KEY_TOLERANCE:		return &cfg->webhook_tolerance;
	case KEY_IDLE_TIMEOUT:		return &cfg->idle_timeout;
	case KEY_READ_TIMEOUT:		return &cfg->read_timeout;
	default:			return &cfg->webhook_retention;
	}
}

/*
 * Apply one value. With replace set, a list option drops what the
 * environment or the default gave instead of adding to it.
 */
static int
opt_apply(struct config *cfg, const struct opt_row *row, const char *val,
    const char *who, int replace)
{
	char	*copy = NULL, **dst;
	size_t	 size;
	int64_t	 secs;

	switch (row->type) {
	case OPT_LISTEN:
		if (replace)
			listen_clear(cfg);
		return listen_add(cfg, val, who);
	case OPT_SIZE:
		if (opt_parse_size(val, &size) == -1 ||
		    (int64_t)size < row->min || (int64_t)size > row->max) {
			fprintf(stderr, "invd: %s: invalid size '%s' (expected "
			    "%s, e.g. %s)\n", who, val, row->range, row->def);
			return -1;
		}
		*size_field(cfg, row->key) = size;
		return 0;
	case OPT_COUNT:
		if (opt_parse_size(val, &size) == -1 || strspn(val,
		    "0123456789") != strlen(val) || (int64_t)size < row->min ||
		    (int64_t)size > row->max) {
			fprintf(stderr, "invd: %s: invalid number '%s' "
			    "(expected %s, e.g. %s)\n", who, val, row->range,
			    row->def);
			return -1;
		}
		*size_field(cfg, row->key) = size;
		return 0;
	case OPT_DURATION:
		if (opt_parse_duration(val, &secs) == -1 || secs < row->min ||
		    secs > row->max) {
			fprintf(stderr, "invd: %s: invalid duration '%s' "
			    "(expected %s, e.g. %s)\n", who, val, row->range,
			    row->def);
			return -1;
		}
		*duration_field(cfg, row->key) = secs;
		return 0;
	case OPT_LEVEL:
		if (log_level_parse(val, &cfg->log_level) == -1) {
			fprintf(stderr, "invd: %s: invalid level '%s' "
			    "(expected error, warn, info or debug)\n", who, val);
			return -1;
		}
		return 0;
	case OPT_SYNC:
		if (strcmp(val, "full") != 0 && strcmp(val, "none") != 0) {
			fprintf(stderr, "invd: %s: invalid mode '%s' (expected "
			    "full or none)\n", who, val);
			return -1;
		}
		cfg->sync_none = strcmp(val, "none") == 0;
		return 0;
	case OPT_SECRET:
		secret_free(&cfg->webhook_secret);
		if ((cfg->webhook_secret = strdup(val)) == NULL)
			return -1;
		return 0;
	case OPT_PATH:
		if (*val == '\0') {
			fprintf(stderr, "invd: %s: empty path\n", who);
			return -1;
		}
		if (!row->off_ok || strcmp(val, "off") != 0)
			if ((copy = strdup(val)) == NULL)
				return -1;
		dst = row->key == KEY_DATA ? &cfg->data :
		    row->key == KEY_SOCKET ? &cfg->socket :
		    row->key == KEY_CONFIG ? &cfg->config_file :
		    row->key == KEY_CHECK_DATA ? &cfg->check_data :
		    &cfg->webhook_secret_file;
		free(*dst);
		*dst = copy;
		return 0;
	case OPT_FLAG:
		break;
	}
	return 0;
}

static void
usage(FILE *f)
{
	const struct opt_row	*r;
	char			 lhs[48], shortname[8];
	size_t			 i;

	fprintf(f, "usage: invd [options]\n\n"
	    "Orders & Inventory service: a JSON REST API over TCP and a Unix "
	    "socket.\n\noptions:\n");
	for (i = 0; i < OPT_N; i++) {
		r = &opt_table[i];
		if (r->type == OPT_SECRET)
			continue;
		snprintf(shortname, sizeof shortname, "-%c,", r->letter);
		snprintf(lhs, sizeof lhs, "%-4s--%s%s%s",
		    r->letter ? shortname : "", r->name,
		    r->metavar ? " " : "", r->metavar ? r->metavar : "");
		fprintf(f, "  %-32s %s", lhs, r->help);
		if (r->def != NULL)
			fprintf(f, " [%s]", r->def);
		fputc('\n', f);
	}
	fprintf(f, "\nenvironment:\n");
	for (i = 0; i < OPT_N; i++) {
		r = &opt_table[i];
		if (r->env != NULL)
			fprintf(f, "  %-26s %s%s\n", r->env,
			    r->type == OPT_SECRET ? "" : "--",
			    r->type == OPT_SECRET ? r->help : r->name);
	}
	fprintf(f, "\nThe command line wins over the environment, which wins "
	    "over the file.\nSee invd(8) and invd.conf(5).\n");
}

static const struct opt_row *
row_by_val(int val)
{
	size_t	i;

	for (i = 0; i < OPT_N; i++)
		if ((opt_table[i].letter != 0 && opt_table[i].letter == val) ||
		    256 + (int)opt_table[i].key == val)
			return &opt_table[i];
	return NULL;
}

/*
 * Defaults that depend on how invd runs: under systemd its directories
 * (StateDirectory=, RuntimeDirectory=, LoadCredential=), from a checkout
 * the ./var ones in the table.
 */
static int
apply_defaults(struct config *cfg)
{
	const struct opt_row	*r;
	const char		*dir;
	char			 path[4096];
	size_t			 i;

	for (i = 0; i < OPT_N; i++) {
		r = &opt_table[i];
		if (r->def != NULL && opt_apply(cfg, r, r->def, r->name, 1))
			return -1;
	}
	if ((dir = getenv("STATE_DIRECTORY")) != NULL && *dir != '\0') {
		snprintf(path, sizeof path, "%.*s", (int)strcspn(dir, ":"), dir);
		if (opt_apply(cfg, &opt_table[KEY_DATA], path, "STATE_DIRECTORY",
		    1) == -1)
			return -1;
	}
	if ((dir = getenv("RUNTIME_DIRECTORY")) != NULL && *dir != '\0') {
		snprintf(path, sizeof path, "%.*s/invd.sock",
		    (int)strcspn(dir, ":"), dir);
		if (opt_apply(cfg, &opt_table[KEY_SOCKET], path,
		    "RUNTIME_DIRECTORY", 1) == -1)
			return -1;
	}
	if ((dir = getenv("CREDENTIALS_DIRECTORY")) != NULL && *dir != '\0') {
		snprintf(path, sizeof path, "%s/webhook-secret", dir);
		if (access(path, R_OK) == 0 &&
		    opt_apply(cfg, &opt_table[KEY_SECRET_FILE], path,
		    "CREDENTIALS_DIRECTORY", 1) == -1)
			return -1;
	}
	return 0;
}

/* Trim blanks at both ends, in place. */
static char *
trim(char *s)
{
	size_t	n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		s[--n] = '\0';
	return s;
}

/*
 * Read key = value lines; keys are the long option names. A missing file
 * is an error only when named explicitly.
 */
static int
read_file(struct config *cfg, const char *path, int must_exist)
{
	const struct opt_row	*r;
	FILE			*f;
	char			 line[4096], who[4200], *key, *val, *eq;
	size_t			 i;
	int			 lineno = 0, listen_seen = 0, rv = -1;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		fprintf(stderr, "invd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		snprintf(who, sizeof who, "%s:%d", path, lineno);
		if ((eq = strchr(key, '=')) == NULL) {
			fprintf(stderr, "invd: %s: expected key = value\n", who);
			goto out;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		/* "value" in quotes keeps its inner blanks. */
		if (val[0] == '"' && strlen(val) >= 2 &&
		    val[strlen(val) - 1] == '"') {
			val[strlen(val) - 1] = '\0';
			val++;
		}
		for (i = 0; i < OPT_N; i++)
			if (strcmp(opt_table[i].name, key) == 0)
				break;
		r = i < OPT_N ? &opt_table[i] : NULL;
		if (r == NULL || r->type == OPT_FLAG || r->key == KEY_CONFIG ||
		    r->key == KEY_CHECK_DATA) {
			fprintf(stderr, "invd: %s: unknown setting '%s'\n", who,
			    key);
			goto out;
		}
		if (r->type == OPT_SECRET) {
			fprintf(stderr, "invd: %s: %s belongs in the environment "
			    "or a webhook-secret-file, not here\n", who, key);
			goto out;
		}
		snprintf(who, sizeof who, "%s:%d: %s", path, lineno, key);
		if (opt_apply(cfg, r, val, who,
		    r->type == OPT_LISTEN && !listen_seen++) == -1)
			goto out;
	}
	if (ferror(f)) {
		fprintf(stderr, "invd: %s: read error\n", path);
		goto out;
	}
	rv = 0;
out:
	fclose(f);
	return rv;
}

/*
 * Which file to read: --config, else INVD_CONFIG, else the one in
 * systemd's ConfigurationDirectory=, else /etc/invd/invd.conf if present.
 * "none" reads no file.
 */
static int
apply_file(struct config *cfg, const char *cli)
{
	const char	*env = getenv("INVD_CONFIG");
	const char	*dir = getenv("CONFIGURATION_DIRECTORY");
	char		 path[4096];

	if (cli == NULL && env != NULL && *env != '\0')
		cli = env;
	if (cli != NULL) {
		if (strcmp(cli, "none") == 0)
			return 0;
		if (opt_apply(cfg, &opt_table[KEY_CONFIG], cli, "--config",
		    1) == -1)
			return -1;
		return read_file(cfg, cli, 1);
	}
	if (dir != NULL && *dir != '\0')
		snprintf(path, sizeof path, "%.*s/invd.conf",
		    (int)strcspn(dir, ":"), dir);
	else
		snprintf(path, sizeof path, "%s", INV_DEFAULT_CONFIG);
	if (access(path, F_OK) != 0)
		return 0;
	if (opt_apply(cfg, &opt_table[KEY_CONFIG], path, "config", 1) == -1)
		return -1;
	return read_file(cfg, path, 1);
}

static int
apply_env(struct config *cfg)
{
	const struct opt_row	*r;
	const char		*env;
	size_t			 i;

	for (i = 0; i < OPT_N; i++) {
		r = &opt_table[i];
		if (r->env == NULL || r->key == KEY_CONFIG ||
		    (env = getenv(r->env)) == NULL)
			continue;
		if (opt_apply(cfg, r, env, r->env, 1) == -1)
			return -1;
	}
	return 0;
}

static void
opts_build(struct option *longopts, char *shortopts)
{
	const struct opt_row	*r;
	size_t			 i, k = 0, n = 0;

	shortopts[k++] = ':';
	for (i = 0; i < OPT_N; i++) {
		r = &opt_table[i];
		if (r->type == OPT_SECRET)
			continue;	/* never on a command line */
		longopts[n].name = r->name;
		longopts[n].has_arg = r->metavar ? required_argument :
		    no_argument;
		longopts[n].flag = NULL;
		longopts[n].val = r->letter ? r->letter : 256 + (int)r->key;
		n++;
		if (r->letter == 0)
			continue;
		shortopts[k++] = (char)r->letter;
		if (r->metavar)
			shortopts[k++] = ':';
	}
	shortopts[k] = '\0';
	memset(&longopts[n], 0, sizeof longopts[n]);
}

static int
bad_option(int c, char **argv)
{
	const char	*bad = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "invd: %s: missing argument\n", bad);
	else if (optopt != 0 && optopt < 256)
		fprintf(stderr, "invd: -%c: unknown option\n", optopt);
	else
		fprintf(stderr, "invd: %s: unknown option\n", bad);
	fprintf(stderr, "usage: invd [options] (see invd --help)\n");
	return OPT_EXIT_USAGE;
}

/*
 * Precedence, lowest first: defaults, the file, the environment, the
 * command line. The command line is read twice: once for --config, --help
 * and --version, once to apply it over everything else.
 */
enum opt_result
options_parse(struct config *cfg, int argc, char **argv)
{
	struct option		 longopts[OPT_N + 1];
	char			 shortopts[OPT_N * 2 + 2], who[64];
	const struct opt_row	*r;
	const char		*cli_config = NULL;
	int			 c, idx, cli_listen = 0;

	memset(cfg, 0, sizeof *cfg);
	/*
	 * getopt would take --webhook-secret for --webhook-secret-file and
	 * then print the secret as a file name: refuse it by name first.
	 */
	for (c = 1; c < argc; c++) {
		if (strcmp(argv[c], "--") == 0)
			break;
		if (strncmp(argv[c], "--webhook-secret", 16) == 0 &&
		    (argv[c][16] == '\0' || argv[c][16] == '=')) {
			fprintf(stderr, "invd: --webhook-secret: secrets are not "
			    "taken from the command line; use "
			    "INVD_WEBHOOK_SECRET or --webhook-secret-file\n");
			return OPT_EXIT_USAGE;
		}
	}
	opts_build(longopts, shortopts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(c, argv);
		if ((r = row_by_val(c)) == NULL)
			return OPT_EXIT_USAGE;
		if (r->key == KEY_HELP) {
			usage(stdout);
			return OPT_EXIT_OK;
		}
		if (r->key == KEY_VERSION) {
			printf("invd %s\n", INV_VERSION);
			return OPT_EXIT_OK;
		}
		if (r->key == KEY_CONFIG)
			cli_config = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "invd: %s: unexpected argument\n",
		    argv[optind]);
		return OPT_EXIT_USAGE;
	}
	if (apply_defaults(cfg) == -1 || apply_file(cfg, cli_config) == -1 ||
	    apply_env(cfg) == -1)
		return OPT_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		r = row_by_val(c);
		if (r->key == KEY_CHECK) {
			cfg->check_config = 1;
			continue;
		}
		if (r->key == KEY_CONFIG)
			continue;
		snprintf(who, sizeof who, "--%s", r->name);
		if (opt_apply(cfg, r, optarg, who,
		    r->type == OPT_LISTEN && !cli_listen++) == -1)
			return OPT_EXIT_USAGE;
	}
	if (cfg->nlisten == 0 && cfg->socket == NULL) {
		fprintf(stderr, "invd: --listen and --socket are both off: "
		    "nothing to serve\n");
		return OPT_EXIT_USAGE;
	}
	return OPT_RUN;
}

static void
print_size(FILE *f, const char *name, size_t v)
{
	static const char	units[] = "KMGT";
	int			u = -1;

	while (v >= 1024 && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u >= 0)
		fprintf(f, "%s = %zu%c\n", name, v, units[u]);
	else
		fprintf(f, "%s = %zu\n", name, v);
}

void
options_print(const struct config *cfg, FILE *f)
{
	size_t	i;

	fprintf(f, "# effective settings%s%s\n", cfg->config_file ?
	    ", with " : "", cfg->config_file ? cfg->config_file : "");
	fprintf(f, "data = %s\n", cfg->data);
	if (cfg->nlisten == 0)
		fprintf(f, "listen = off\n");
	for (i = 0; i < cfg->nlisten; i++)
		fprintf(f, "listen = %s\n", cfg->listen[i]);
	fprintf(f, "socket = %s\n", cfg->socket ? cfg->socket : "off");
	print_size(f, "map-size", cfg->map_size);
	print_size(f, "max-body", cfg->max_body);
	print_size(f, "max-headers", cfg->max_headers);
	fprintf(f, "max-connections = %zu\n", cfg->max_connections);
	fprintf(f, "idle-timeout = %llds\n", (long long)cfg->idle_timeout);
	fprintf(f, "read-timeout = %llds\n", (long long)cfg->read_timeout);
	fprintf(f, "log-level = %s\n", log_level_name(cfg->log_level));
	fprintf(f, "sync = %s\n", cfg->sync_none ? "none" : "full");
	/* Say whether a secret is set, never what it is. */
	fprintf(f, "webhook-secret = %s\n", cfg->webhook_secret ?
	    "******** (from INVD_WEBHOOK_SECRET)" : "(not set)");
	fprintf(f, "webhook-secret-file = %s\n", cfg->webhook_secret_file ?
	    cfg->webhook_secret_file : "(not set)");
	fprintf(f, "webhook-tolerance = %llds\n",
	    (long long)cfg->webhook_tolerance);
	fprintf(f, "webhook-retention = %llds\n",
	    (long long)cfg->webhook_retention);
}

void
options_free(struct config *cfg)
{
	listen_clear(cfg);
	free(cfg->data);
	free(cfg->socket);
	free(cfg->webhook_secret_file);
	free(cfg->config_file);
	free(cfg->check_data);
	secret_free(&cfg->webhook_secret);
	memset(cfg, 0, sizeof *cfg);
}
