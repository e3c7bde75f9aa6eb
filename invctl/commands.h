/*
 * The invctl command table: one row per command, each with typed option
 * specs. Parsing, --help, usage lines and completion all read it.
 */
#ifndef INV_COMMANDS_H
#define INV_COMMANDS_H

#include <stdint.h>
#include <stdio.h>

#include "common/model.h"
#include "invctl/client.h"

/* Exit statuses, documented in invctl(1). */
enum cmd_retval {
	CMD_OK = 0,
	CMD_REFUSED = 1,	/* the API answered 4xx or 5xx */
	CMD_USAGE = 2,		/* unknown command, missing or bad argument */
	CMD_UNREACHABLE = 3	/* cannot connect, or timed out */
};

/* What an argument is; each type is checked before any request. */
enum arg_type {
	ARG_FLAG,		/* no value */
	ARG_ID,			/* positive 64-bit integer */
	ARG_INT,		/* integer within [min, max] */
	ARG_PRICE,		/* decimal, > 0, at most two decimals */
	ARG_STATUS,		/* PENDING, PAID, SHIPPED, CANCELED */
	ARG_SKU,		/* validate_sku() */
	ARG_NAME,		/* validate_name() */
	ARG_STR,		/* any text */
	ARG_FILE,		/* a readable file */
	ARG_EVENT,		/* payment.succeeded, payment.failed */
	ARG_CHOICE		/* one of the words in lookup */
};

#define OPT_REQUIRED	0x1	/* must be given */
#define OPT_POSITIONAL	0x2	/* a bare word, not --name */
#define OPT_ONEOF	0x4	/* exactly one of the OPT_ONEOF specs */

struct opt_spec {
	const char	*name;		/* "sku" for --sku; "ID": positional */
	enum arg_type	 type;
	int		 flags;
	int64_t		 min, max;	/* ARG_INT bounds */
	const char	*metavar;	/* "S" in --sku S */
	const char	*lookup;	/* ARG_ID: path listing candidates;
					   ARG_CHOICE: "a|b", the values */
	const char	*help;
};

/* A parsed argument, indexed like the command's specs. */
struct arg_value {
	int			 set;
	const char		*str;	/* borrowed from argv */
	uint64_t		 id;
	int64_t			 num;	/* ARG_INT; cents for ARG_PRICE;
					   ARG_CHOICE: index of the value */
	enum order_status	 status;
	enum payment_event	 event;
};

/* Settings for the whole run: where invd is and how to print. */
struct ctl {
	struct client_conf	 client;
	int			 json;
	int			 color;		/* stdout */
	int			 color_err;	/* stderr */
	int			 stdout_tty;	/* stdout is a terminal */
};

struct cmd_entry;

struct cmd_ctx {
	struct ctl		*ctl;
	const struct cmd_entry	*entry;
	struct arg_value	*vals;
	int			 json;		/* --json, global or local */
};

struct cmd_entry {
	const char		*noun;
	const char		*verb;		/* NULL: just the noun */
	enum cmd_retval		(*exec)(struct cmd_ctx *);
	const struct opt_spec	*opts;		/* ends with a NULL name */
	const char		*summary;
};

/* The table, ending with a NULL noun. */
extern const struct cmd_entry	cmd_table[];
/* Options every command takes after its own (--json, --help). */
extern const struct opt_spec	cmd_common_opts[];
/* Global options before the command (--socket, --url, ...). */
extern const struct opt_spec	cmd_global_opts[];

/* cmd_product.c */
enum cmd_retval	cmd_product_add(struct cmd_ctx *);
enum cmd_retval	cmd_product_list(struct cmd_ctx *);
enum cmd_retval	cmd_product_get(struct cmd_ctx *);
enum cmd_retval	cmd_product_update(struct cmd_ctx *);
enum cmd_retval	cmd_product_delete(struct cmd_ctx *);

/* cmd_order.c */
enum cmd_retval	cmd_order_create(struct cmd_ctx *);
enum cmd_retval	cmd_order_list(struct cmd_ctx *);
enum cmd_retval	cmd_order_get(struct cmd_ctx *);
enum cmd_retval	cmd_order_move(struct cmd_ctx *);
enum cmd_retval	cmd_order_delete(struct cmd_ctx *);

/* cmd_webhook.c */
enum cmd_retval	cmd_webhook_send(struct cmd_ctx *);

/* cmd_health.c */
enum cmd_retval	cmd_health(struct cmd_ctx *);
enum cmd_retval	cmd_api(struct cmd_ctx *);

/* commands.c */

/*
 * Parse leading global options into ctl. Returns the number of words
 * used, or -1 (message printed, exit with *rv) on an error or when
 * --help or --version was handled. Only the one-shot command line calls
 * it with allow_target set; the shell accepts --json and --timeout.
 */
int		 commands_global(struct ctl *, int, char **, int,
		    enum cmd_retval *);
/*
 * Run one command line (without the program name): find the command by
 * unique prefixes, check every argument, call its handler.
 */
enum cmd_retval	 commands_run(struct ctl *, int, char **);
/* The most options a command has: the size of commands_parse()'s vals. */
#define CMD_MAX_OPTS	16
/*
 * Parse and type-check the words after a command's name into vals
 * (CMD_MAX_OPTS of them) and *json, without running anything. CMD_OK
 * with *run set: the command may run; CMD_OK with *run clear: help was
 * printed; CMD_USAGE: the error was printed.
 */
enum cmd_retval	 commands_parse(struct ctl *, const struct cmd_entry *, int,
		    char **, struct arg_value *, int *, int *);
/* Print the usage line of a command to f. */
void		 commands_usage(const struct cmd_entry *, FILE *);
/* Print the full help (--help) of the program or of a command. */
void		 commands_help(const struct cmd_entry *, FILE *);
/* Whether a noun has verbs (product, order) or is a command (health). */
int		 commands_noun_has_verbs(const char *);
/*
 * Unique-prefix lookup among the nouns (verb NULL) or the verbs of noun.
 * Returns the full name, or NULL with *ambiguous set when several match.
 */
const char	*commands_find_word(const char *, const char *, int *);
/* The entry for an exact noun and verb (verb NULL for health). */
const struct cmd_entry *commands_find(const char *, const char *);
/* The spec of a long option name given with or without "--". */
const struct opt_spec *commands_opt(const struct cmd_entry *, const char *);

/* Report a usage error for entry (NULL: the program) and return CMD_USAGE. */
enum cmd_retval	 cmd_usage_error(struct ctl *, const struct cmd_entry *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

/* The value of an option by name, or NULL when it was not given. */
const struct arg_value *cmd_arg(const struct cmd_ctx *, const char *);

/*
 * The n-th value of an ARG_CHOICE spec's "a|b|c" into out as a string.
 * Returns its length, or -1 when there is no such value.
 */
int		 commands_choice(const struct opt_spec *, int, char *, size_t);

#endif
