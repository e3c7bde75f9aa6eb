/*
 * The command table and the one parser that reads it: unique-prefix
 * lookup of nouns, verbs and options, typed argument checks before any
 * request, and the usage and help texts printed from the same rows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/api.h"
#include "common/errors.h"
#include "common/util.h"
#include "common/validate.h"
#include "invctl/commands.h"
#include "invctl/output.h"

#define MAX_OPTS	CMD_MAX_OPTS

static const struct opt_spec product_add_opts[] = {
	{ "sku", ARG_SKU, OPT_REQUIRED, 0, 0, "S", NULL,
	    "stock-keeping unit, unique (1-64 bytes, no spaces)" },
	{ "name", ARG_NAME, OPT_REQUIRED, 0, 0, "N", NULL,
	    "product name (1-200 bytes)" },
	{ "price", ARG_PRICE, OPT_REQUIRED, 0, 0, "P", NULL,
	    "unit price, greater than 0, at most two decimals" },
	{ "stock", ARG_INT, OPT_REQUIRED, 0, INV_STOCK_MAX, "N", NULL,
	    "units in stock (0 or more)" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec product_list_opts[] = {
	{ "limit", ARG_INT, 0, 1, INV_LIST_MAX, "N", NULL,
	    "products per page (default 100, at most 1000)" },
	{ "after", ARG_ID, 0, 0, 0, "ID", "/products",
	    "start after the product with this id" },
	{ "all", ARG_FLAG, 0, 0, 0, NULL, NULL,
	    "follow the pages to the end of the list" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec product_get_opts[] = {
	{ "ID", ARG_ID, OPT_POSITIONAL | OPT_ONEOF, 0, 0, "ID", "/products",
	    "product id" },
	{ "sku", ARG_SKU, OPT_ONEOF, 0, 0, "S", NULL,
	    "find the product by its SKU instead" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec product_update_opts[] = {
	{ "ID", ARG_ID, OPT_POSITIONAL | OPT_REQUIRED, 0, 0, "ID",
	    "/products", "product id" },
	{ "sku", ARG_SKU, 0, 0, 0, "S", NULL, "new SKU" },
	{ "name", ARG_NAME, 0, 0, 0, "N", NULL, "new name" },
	{ "price", ARG_PRICE, 0, 0, 0, "P", NULL, "new unit price" },
	{ "stock", ARG_INT, 0, 0, INV_STOCK_MAX, "N", NULL,
	    "new units in stock" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec product_id_opts[] = {
	{ "ID", ARG_ID, OPT_POSITIONAL | OPT_REQUIRED, 0, 0, "ID",
	    "/products", "product id" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec order_create_opts[] = {
	{ "product", ARG_ID, OPT_REQUIRED, 0, 0, "ID", "/products",
	    "id of the product ordered" },
	{ "quantity", ARG_INT, OPT_REQUIRED, 1, INV_QUANTITY_MAX, "N", NULL,
	    "units ordered (1 or more); taken from stock" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec order_list_opts[] = {
	{ "status", ARG_STATUS, 0, 0, 0, "S", NULL,
	    "only orders in this status: PENDING, PAID, SHIPPED, CANCELED" },
	{ "product", ARG_ID, 0, 0, 0, "ID", "/products",
	    "only orders of this product" },
	{ "limit", ARG_INT, 0, 1, INV_LIST_MAX, "N", NULL,
	    "orders per page (default 100, at most 1000)" },
	{ "after", ARG_ID, 0, 0, 0, "ID", "/orders",
	    "start after the order with this id" },
	{ "all", ARG_FLAG, 0, 0, 0, NULL, NULL,
	    "follow the pages to the end of the list" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec order_id_opts[] = {
	{ "ID", ARG_ID, OPT_POSITIONAL | OPT_REQUIRED, 0, 0, "ID", "/orders",
	    "order id" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec webhook_send_opts[] = {
	{ "order", ARG_ID, OPT_REQUIRED, 0, 0, "ID", "/orders",
	    "id of the order the payment is for" },
	{ "event", ARG_EVENT, 0, 0, 0, "TYPE", NULL,
	    "payment.succeeded (default) or payment.failed" },
	{ "event-id", ARG_STR, 0, 0, 0, "ID", NULL,
	    "event id; replays use the same (default: evt_<random>)" },
	{ "secret", ARG_STR, 0, 0, 0, "S", NULL,
	    "signing secret (else --secret-file, INVD_WEBHOOK_SECRET)" },
	{ "secret-file", ARG_FILE, 0, 0, 0, "F", NULL,
	    "the secret is F's first line not blank and not #" },
	{ "scheme", ARG_CHOICE, 0, 0, 0, "SCHEME", "seed|standard",
	    "signature headers: seed (default) or standard" },
	{ "print", ARG_FLAG, 0, 0, 0, NULL, NULL,
	    "print the request for curl instead of sending it" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct opt_spec no_opts[] = {
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

/*
 * Every command. Adding one is a row here and its function; help, the
 * shell and the bash, zsh and fish completions follow.
 */
const struct cmd_entry cmd_table[] = {
	{ "product", "add", cmd_product_add, product_add_opts,
	    "Add a product" },
	{ "product", "list", cmd_product_list, product_list_opts,
	    "List products, one page or --all" },
	{ "product", "get", cmd_product_get, product_get_opts,
	    "Show one product, by id or --sku" },
	{ "product", "update", cmd_product_update, product_update_opts,
	    "Change some fields of a product" },
	{ "product", "delete", cmd_product_delete, product_id_opts,
	    "Delete a product" },
	{ "order", "create", cmd_order_create, order_create_opts,
	    "Order a quantity of a product (takes it from stock)" },
	{ "order", "list", cmd_order_list, order_list_opts,
	    "List orders, one page or --all" },
	{ "order", "get", cmd_order_get, order_id_opts,
	    "Show one order" },
	{ "order", "pay", cmd_order_move, order_id_opts,
	    "Mark a pending order PAID" },
	{ "order", "ship", cmd_order_move, order_id_opts,
	    "Mark a paid order SHIPPED" },
	{ "order", "cancel", cmd_order_move, order_id_opts,
	    "Cancel an order (its quantity returns to stock)" },
	{ "order", "delete", cmd_order_delete, order_id_opts,
	    "Delete an order" },
	{ "webhook", "send", cmd_webhook_send, webhook_send_opts,
	    "Sign and send a payment event, as a provider would" },
	{ "health", NULL, cmd_health, no_opts,
	    "Check that invd answers" },
	{ "api", NULL, cmd_api, no_opts,
	    "Print the OpenAPI document of the API invd serves" },
	{ NULL, NULL, NULL, NULL, NULL }
};

const struct opt_spec cmd_common_opts[] = {
	{ "json", ARG_FLAG, 0, 0, 0, NULL, NULL,
	    "print the API's JSON reply as it is, nothing else" },
	{ "help", ARG_FLAG, 0, 0, 0, NULL, NULL, "show this help" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

const struct opt_spec cmd_global_opts[] = {
	{ "socket", ARG_STR, 0, 0, 0, "PATH", NULL,
	    "talk to invd on this Unix socket" },
	{ "url", ARG_STR, 0, 0, 0, "URL", NULL,
	    "talk to invd at http://HOST:PORT" },
	{ "json", ARG_FLAG, 0, 0, 0, NULL, NULL,
	    "print the API's JSON replies as they are" },
	{ "timeout", ARG_INT, 0, 1, 3600, "SECONDS", NULL,
	    "give up on a request after this long (default 10)" },
	{ "help", ARG_FLAG, 0, 0, 0, NULL, NULL, "show this help" },
	{ "version", ARG_FLAG, 0, 0, 0, NULL, NULL, "print the version" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static void
print_opt(FILE *f, const struct opt_spec *o)
{
	char	left[64];

	if (o->flags & OPT_POSITIONAL)
		snprintf(left, sizeof left, "%s", o->metavar);
	else if (o->metavar != NULL)
		snprintf(left, sizeof left, "--%s %s", o->name, o->metavar);
	else
		snprintf(left, sizeof left, "--%s", o->name);
	fprintf(f, "  %-18s %s\n", left, o->help);
}

/* The command's words, e.g. "product add" or "health". */
static void
print_words(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "%s%s%s", e->noun, e->verb ? " " : "",
	    e->verb ? e->verb : "");
}

void
commands_usage(const struct cmd_entry *e, FILE *f)
{
	const struct opt_spec	*o;
	int			 oneof = 0;

	if (e == NULL) {
		fprintf(f, "usage: invctl [--socket PATH | --url URL] [--json]"
		    " [--timeout SECONDS] [command [arguments]]\n");
		return;
	}
	fprintf(f, "usage: invctl ");
	print_words(e, f);
	for (o = e->opts; o->name != NULL; o++) {
		if (o->flags & OPT_ONEOF) {
			/* Alternatives print as one group: {ID | --sku S} */
			fprintf(f, oneof++ ? " | " : " {");
		} else {
			if (oneof > 0) {
				fprintf(f, "}");
				oneof = -1;
			}
			fprintf(f, (o->flags & OPT_REQUIRED) ? " " : " [");
		}
		if (o->flags & OPT_POSITIONAL)
			fprintf(f, "%s", o->metavar);
		else if (o->metavar != NULL)
			fprintf(f, "--%s %s", o->name, o->metavar);
		else
			fprintf(f, "--%s", o->name);
		if (!(o->flags & (OPT_REQUIRED | OPT_ONEOF)))
			fprintf(f, "]");
	}
	if (oneof > 0)
		fprintf(f, "}");
	fprintf(f, " [--json]\n");
}

void
commands_help(const struct cmd_entry *e, FILE *f)
{
	const struct cmd_entry	*c;
	const struct opt_spec	*o;
	char			 words[64];

	commands_usage(e, f);
	if (e != NULL) {
		fprintf(f, "\n%s.\n", e->summary);
		if (e->opts[0].name != NULL)
			fprintf(f, "\nArguments:\n");
		for (o = e->opts; o->name != NULL; o++)
			print_opt(f, o);
		fprintf(f, "\nCommon options:\n");
		for (o = cmd_common_opts; o->name != NULL; o++)
			print_opt(f, o);
		return;
	}
	fprintf(f, "\nWith no command, invctl reads commands from standard "
	    "input: an interactive\nshell on a terminal, one command a line "
	    "otherwise.\n\nCommands:\n");
	for (c = cmd_table; c->noun != NULL; c++) {
		snprintf(words, sizeof words, "%s%s%s", c->noun,
		    c->verb ? " " : "", c->verb ? c->verb : "");
		fprintf(f, "  %-18s %s\n", words, c->summary);
	}
	fprintf(f, "\nGlobal options:\n");
	for (o = cmd_global_opts; o->name != NULL; o++)
		print_opt(f, o);
	fprintf(f, "\nRun 'invctl COMMAND --help' for its arguments; see "
	    "invctl(1).\nExit status: 0 success, 1 refused by the API, 2 "
	    "usage error,\n3 cannot connect or timed out.\n");
}

/* The commands of one noun, for "invctl product --help". */
static void
noun_help(const char *noun, FILE *f)
{
	const struct cmd_entry	*c;

	for (c = cmd_table; c->noun != NULL; c++)
		if (strcmp(c->noun, noun) == 0)
			commands_usage(c, f);
}

enum cmd_retval
cmd_usage_error(struct ctl *ctl, const struct cmd_entry *e, const char *fmt,
    ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	out_error(ctl, "%s", msg);
	commands_usage(e, stderr);
	return CMD_USAGE;
}

int
commands_noun_has_verbs(const char *noun)
{
	const struct cmd_entry	*c;

	for (c = cmd_table; c->noun != NULL; c++)
		if (strcmp(c->noun, noun) == 0)
			return c->verb != NULL;
	return 0;
}

const char *
commands_find_word(const char *noun, const char *word, int *ambiguous)
{
	const struct cmd_entry	*c;
	const char		*found = NULL, *name;
	size_t			 len = strlen(word);

	*ambiguous = 0;
	for (c = cmd_table; c->noun != NULL; c++) {
		if (noun != NULL && (strcmp(c->noun, noun) != 0 ||
		    c->verb == NULL))
			continue;
		name = noun != NULL ? c->verb : c->noun;
		if (strcmp(name, word) == 0)
			return name;
		if (len == 0 || strncmp(name, word, len) != 0)
			continue;
		/* Nouns repeat, one row per verb: count each once. */
		if (found != NULL && strcmp(found, name) != 0)
			*ambiguous = 1;
		else
			found = name;
	}
	return *ambiguous ? NULL : found;
}

/* "add, list, get" or "product, order, health": the names a word matched. */
static void
word_candidates(const char *noun, const char *word, char *out, size_t len)
{
	const struct cmd_entry	*c, *p;
	const char		*name;
	size_t			 used = 0;
	int			 seen;

	out[0] = '\0';
	for (c = cmd_table; c->noun != NULL; c++) {
		if (noun != NULL && (strcmp(c->noun, noun) != 0 ||
		    c->verb == NULL))
			continue;
		name = noun != NULL ? c->verb : c->noun;
		if (strncmp(name, word, strlen(word)) != 0)
			continue;
		seen = 0;
		for (p = cmd_table; p < c; p++)
			if (noun == NULL && strcmp(p->noun, name) == 0)
				seen = 1;
		if (seen)
			continue;
		used += (size_t)snprintf(out + used, used < len ? len - used :
		    0, "%s%s", used ? ", " : "", name);
	}
}

const struct cmd_entry *
commands_find(const char *noun, const char *verb)
{
	const struct cmd_entry	*c;

	for (c = cmd_table; c->noun != NULL; c++) {
		if (strcmp(c->noun, noun) != 0)
			continue;
		if (verb == NULL ? c->verb == NULL :
		    (c->verb != NULL && strcmp(c->verb, verb) == 0))
			return c;
	}
	return NULL;
}

/*
 * A long option of a spec list by unique prefix. Returns its index, -1
 * when none matches, -2 when several do (their names in cands).
 */
static int
opt_find(const struct opt_spec *opts, const char *name, size_t len,
    char *cands, size_t clen)
{
	int	i, found = -1, n = 0;
	size_t	used = 0;

	cands[0] = '\0';
	for (i = 0; opts[i].name != NULL; i++) {
		if (opts[i].flags & OPT_POSITIONAL)
			continue;
		if (strlen(opts[i].name) == len &&
		    strncmp(opts[i].name, name, len) == 0)
			return i;
		if (strncmp(opts[i].name, name, len) != 0)
			continue;
		found = i;
		n++;
		used += (size_t)snprintf(cands + used, used < clen ?
		    clen - used : 0, "%s--%s", used ? ", " : "",
		    opts[i].name);
	}
	return n > 1 ? -2 : found;
}

const struct opt_spec *
commands_opt(const struct cmd_entry *e, const char *name)
{
	const struct opt_spec	*o;

	if (strncmp(name, "--", 2) == 0)
		name += 2;
	for (o = e->opts; o->name != NULL; o++)
		if (!(o->flags & OPT_POSITIONAL) && strcmp(o->name, name) == 0)
			return o;
	for (o = cmd_common_opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

int
commands_choice(const struct opt_spec *o, int n, char *out, size_t len)
{
	const char	*p = o->lookup, *end;
	size_t		 wlen;

	if (o->type != ARG_CHOICE || p == NULL || n < 0)
		return -1;
	for (;;) {
		end = p + strcspn(p, "|");
		wlen = (size_t)(end - p);
		if (n-- == 0) {
			if (wlen >= len)
				return -1;
			memcpy(out, p, wlen);
			out[wlen] = '\0';
			return (int)wlen;
		}
		if (*end == '\0')
			return -1;
		p = end + 1;
	}
}

/* "a or b", "a, b or c": the values of an ARG_CHOICE spec. */
static void
choice_names(const struct opt_spec *o, char *out, size_t len)
{
	char	word[64], next[64];
	size_t	used = 0;
	int	i;

	out[0] = '\0';
	for (i = 0; commands_choice(o, i, word, sizeof word) != -1; i++)
		used += (size_t)snprintf(out + used, used < len ? len - used :
		    0, "%s%s", i == 0 ? "" : commands_choice(o, i + 1, next,
		    sizeof next) == -1 ? " or " : ", ", word);
}

/* Check a value against its spec's type; field names it in the detail. */
static int
check_value(const struct opt_spec *o, const char *field, const char *s,
    struct arg_value *v, struct inv_error *err)
{
	char		 detail[INV_DETAIL_MAX];
	const char	*name;
	int		 i;

	v->str = s;
	switch (o->type) {
	case ARG_FLAG:
		return 0;
	case ARG_ID:
		return validate_id(field, s, &v->id, err);
	case ARG_INT:
		return validate_int(field, s, o->min, o->max, &v->num, err);
	case ARG_PRICE:
		return validate_price(field, s, &v->num, err);
	case ARG_STATUS:
		return validate_status(field, s, &v->status, err);
	case ARG_SKU:
	case ARG_NAME:
		if ((o->type == ARG_SKU ? validate_sku(s, strlen(s), err) :
		    validate_name(s, strlen(s), err)) == 0)
			return 0;
		/* "sku must not be empty" becomes "--sku must not be empty". */
		inv_strlcpy(detail, err->detail, sizeof detail);
		name = strchr(detail, ' ');
		return inv_error_set(err, INV_EINVALID, "%s%s", field,
		    name != NULL ? name : "");
	case ARG_FILE:
		if (access(s, R_OK) == -1)
			return inv_error_set(err, INV_EINVALID,
			    "%s: cannot read %s", field, s);
		return 0;
	case ARG_EVENT:
		if (payment_event_parse(s, &v->event) == 0)
			return 0;
		detail[0] = '\0';
		for (i = 0; i < PAYMENT_NEVENTS; i++)
			snprintf(detail + strlen(detail), sizeof detail -
			    strlen(detail), "%s%s", i == 0 ? "" : i + 1 ==
			    PAYMENT_NEVENTS ? " or " : ", ",
			    payment_event_name((enum payment_event)i));
		return inv_error_set(err, INV_EINVALID, "%s must be %s", field,
		    detail);
	case ARG_CHOICE:
		for (v->num = 0; commands_choice(o, (int)v->num, detail,
		    sizeof detail) != -1; v->num++)
			if (strcmp(detail, s) == 0)
				return 0;
		choice_names(o, detail, sizeof detail);
		return inv_error_set(err, INV_EINVALID, "%s must be %s", field,
		    detail);
	case ARG_STR:
		return 0;
	}
	return 0;
}

const struct arg_value *
cmd_arg(const struct cmd_ctx *ctx, const char *name)
{
	const struct opt_spec	*o;
	int			 i;

	for (i = 0, o = ctx->entry->opts; o->name != NULL; o++, i++)
		if (strcmp(o->name, name) == 0)
			return ctx->vals[i].set ? &ctx->vals[i] : NULL;
	return NULL;
}

/* "ID or --sku": the alternatives of a command's OPT_ONEOF group. */
static void
oneof_names(const struct cmd_entry *e, char *out, size_t len)
{
	const struct opt_spec	*o;
	size_t			 used = 0;

	out[0] = '\0';
	for (o = e->opts; o->name != NULL; o++) {
		if (!(o->flags & OPT_ONEOF))
			continue;
		used += (size_t)snprintf(out + used, used < len ? len - used :
		    0, "%s%s%s", used ? " or " : "",
		    (o->flags & OPT_POSITIONAL) ? "" : "--",
		    (o->flags & OPT_POSITIONAL) ? o->metavar : o->name);
	}
}

enum cmd_retval
commands_parse(struct ctl *ctl, const struct cmd_entry *e, int argc,
    char **argv, struct arg_value *vals, int *jsonp, int *run)
{
	struct inv_error	 err;
	const struct opt_spec	*o;
	char			 field[80], cands[256];
	const char		*w, *name, *value;
	size_t			 nlen;
	int			 i, k, nopts, json = ctl->json, only_dashes = 0;
	int			 oneof = 0, oneof_set = 0;

	*run = 0;
	memset(vals, 0, MAX_OPTS * sizeof *vals);
	inv_error_clear(&err);
	for (nopts = 0; e->opts[nopts].name != NULL; nopts++)
		;
	for (i = 0; i < argc; i++) {
		w = argv[i];
		if (only_dashes || w[0] != '-' || w[1] == '\0') {
			/* A bare word fills the next positional argument. */
			for (k = 0; k < nopts; k++)
				if ((e->opts[k].flags & OPT_POSITIONAL) &&
				    !vals[k].set)
					break;
			if (k == nopts)
				return cmd_usage_error(ctl, e,
				    "unexpected argument '%s'", w);
			o = &e->opts[k];
			snprintf(field, sizeof field, "%s", o->metavar);
			if (check_value(o, field, w, &vals[k], &err) == -1)
				return cmd_usage_error(ctl, e, "%s",
				    err.detail);
			vals[k].set = 1;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			only_dashes = 1;
			continue;
		}
		if (strcmp(w, "-h") == 0) {
			commands_help(e, stdout);
			return CMD_OK;
		}
		if (w[1] != '-')
			return cmd_usage_error(ctl, e, "unknown option %s", w);
		name = w + 2;
		value = strchr(name, '=');
		nlen = value ? (size_t)(value - name) : strlen(name);
		if (value != NULL)
			value++;
		k = opt_find(e->opts, name, nlen, cands, sizeof cands);
		if (k == -1) {
			/* Not the command's own: --json or --help. */
			k = opt_find(cmd_common_opts, name, nlen, cands,
			    sizeof cands);
			if (k == -2)
				return cmd_usage_error(ctl, e,
				    "ambiguous option %s: %s", w, cands);
			if (k == -1)
				return cmd_usage_error(ctl, e,
				    "unknown option --%.*s", (int)nlen, name);
			if (value != NULL)
				return cmd_usage_error(ctl, e,
				    "--%s takes no value",
				    cmd_common_opts[k].name);
			if (strcmp(cmd_common_opts[k].name, "help") == 0) {
				commands_help(e, stdout);
				return CMD_OK;
			}
			json = 1;
			continue;
		}
		if (k == -2)
			return cmd_usage_error(ctl, e,
			    "ambiguous option %s: %s", w, cands);
		o = &e->opts[k];
		if (vals[k].set)
			return cmd_usage_error(ctl, e, "--%s given twice",
			    o->name);
		if (o->type == ARG_FLAG) {
			if (value != NULL)
				return cmd_usage_error(ctl, e,
				    "--%s takes no value", o->name);
			vals[k].set = 1;
			continue;
		}
		if (value == NULL) {
			if (i + 1 == argc)
				return cmd_usage_error(ctl, e,
				    "--%s needs a value (%s)", o->name,
				    o->metavar);
			value = argv[++i];
		}
		snprintf(field, sizeof field, "--%s", o->name);
		if (check_value(o, field, value, &vals[k], &err) == -1)
			return cmd_usage_error(ctl, e, "%s", err.detail);
		vals[k].set = 1;
	}
	for (k = 0; k < nopts; k++) {
		o = &e->opts[k];
		if (o->flags & OPT_ONEOF) {
			oneof++;
			oneof_set += vals[k].set;
			continue;
		}
		if ((o->flags & OPT_REQUIRED) && !vals[k].set) {
			if (o->flags & OPT_POSITIONAL)
				return cmd_usage_error(ctl, e, "missing %s",
				    o->metavar);
			return cmd_usage_error(ctl, e, "missing --%s", o->name);
		}
	}
	if (oneof > 0 && oneof_set != 1) {
		oneof_names(e, cands, sizeof cands);
		return cmd_usage_error(ctl, e, oneof_set == 0 ?
		    "missing %s" : "give only one of %s", cands);
	}
	*jsonp = json;
	*run = 1;
	return CMD_OK;
}

/* Parse the words after the command's name into vals and run it. */
static enum cmd_retval
run_entry(struct ctl *ctl, const struct cmd_entry *e, int argc, char **argv)
{
	struct arg_value	vals[MAX_OPTS];
	struct cmd_ctx		ctx;
	enum cmd_retval		rv;
	int			json, run;

	rv = commands_parse(ctl, e, argc, argv, vals, &json, &run);
	if (rv != CMD_OK || !run)
		return rv;
	ctx.ctl = ctl;
	ctx.entry = e;
	ctx.vals = vals;
	ctx.json = json;
	return e->exec(&ctx);
}

/* "help", "help product", "help product add". */
static enum cmd_retval
run_help(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd_entry	*e;
	const char		*noun, *verb = NULL;
	int			 amb;

	if (argc == 0) {
		commands_help(NULL, stdout);
		return CMD_OK;
	}
	if ((noun = commands_find_word(NULL, argv[0], &amb)) == NULL)
		return cmd_usage_error(ctl, NULL, "unknown command '%s'",
		    argv[0]);
	if (commands_noun_has_verbs(noun)) {
		if (argc < 2) {
			noun_help(noun, stdout);
			return CMD_OK;
		}
		if ((verb = commands_find_word(noun, argv[1], &amb)) == NULL)
			return cmd_usage_error(ctl, NULL,
			    "unknown command '%s %s'", noun, argv[1]);
	}
	e = commands_find(noun, verb);
	commands_help(e, stdout);
	return CMD_OK;
}

enum cmd_retval
commands_run(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd_entry	*e;
	const char		*noun, *verb = NULL;
	char			 cands[256];
	int			 amb;

	if (argc == 0)
		return cmd_usage_error(ctl, NULL, "no command given");
	if (strcmp(argv[0], "help") == 0)
		return run_help(ctl, argc - 1, argv + 1);
	if ((noun = commands_find_word(NULL, argv[0], &amb)) == NULL) {
		if (amb) {
			word_candidates(NULL, argv[0], cands, sizeof cands);
			return cmd_usage_error(ctl, NULL,
			    "ambiguous command '%s': could be %s", argv[0],
			    cands);
		}
		return cmd_usage_error(ctl, NULL, "unknown command '%s'",
		    argv[0]);
	}
	if (commands_noun_has_verbs(noun)) {
		if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0) {
			if (argc >= 2) {
				noun_help(noun, stdout);
				return CMD_OK;
			}
			word_candidates(noun, "", cands, sizeof cands);
			out_error(ctl, "missing command after '%s': one of %s",
			    noun, cands);
			noun_help(noun, stderr);
			return CMD_USAGE;
		}
		if ((verb = commands_find_word(noun, argv[1], &amb)) == NULL) {
			word_candidates(noun, amb ? argv[1] : "", cands,
			    sizeof cands);
			out_error(ctl, amb ?
			    "ambiguous command '%s %s': could be %s" :
			    "unknown command '%s %s': expected one of %s",
			    noun, argv[1], cands);
			noun_help(noun, stderr);
			return CMD_USAGE;
		}
		argc--;
		argv++;
	}
	e = commands_find(noun, verb);
	return run_entry(ctl, e, argc - 1, argv + 1);
}

int
commands_global(struct ctl *ctl, int argc, char **argv, int allow_target,
    enum cmd_retval *rv)
{
	const struct opt_spec	*o;
	struct inv_error	 err;
	struct arg_value	 v;
	char			 cands[256], field[32];
	const char		*w, *name, *value;
	size_t			 nlen;
	int			 i, k;

	for (i = 0; i < argc; i++) {
		w = argv[i];
		if (strcmp(w, "--") == 0)
			return i + 1;
		if (w[0] != '-' || w[1] == '\0')
			return i;
		if (strcmp(w, "-h") == 0 || strcmp(w, "-V") == 0) {
			w = strcmp(w, "-h") == 0 ? "--help" : "--version";
		} else if (w[1] != '-') {
			*rv = cmd_usage_error(ctl, NULL, "unknown option %s",
			    w);
			return -1;
		}
		name = w + 2;
		value = strchr(name, '=');
		nlen = value ? (size_t)(value - name) : strlen(name);
		if (value != NULL)
			value++;
		k = opt_find(cmd_global_opts, name, nlen, cands, sizeof cands);
		if (k < 0) {
			*rv = cmd_usage_error(ctl, NULL, k == -2 ?
			    "ambiguous option %s: %s" : "unknown option %s%.0s",
			    w, cands);
			return -1;
		}
		o = &cmd_global_opts[k];
		if (o->type == ARG_FLAG && value != NULL) {
			*rv = cmd_usage_error(ctl, NULL, "--%s takes no value",
			    o->name);
			return -1;
		}
		if (o->type != ARG_FLAG && value == NULL) {
			if (i + 1 == argc) {
				*rv = cmd_usage_error(ctl, NULL,
				    "--%s needs a value (%s)", o->name,
				    o->metavar);
				return -1;
			}
			value = argv[++i];
		}
		if (strcmp(o->name, "help") == 0) {
			commands_help(NULL, stdout);
			*rv = CMD_OK;
			return -1;
		}
		if (strcmp(o->name, "version") == 0) {
			printf("invctl %s\n", INV_VERSION);
			*rv = CMD_OK;
			return -1;
		}
		if (strcmp(o->name, "json") == 0) {
			ctl->json = 1;
			continue;
		}
		if (strcmp(o->name, "timeout") == 0) {
			snprintf(field, sizeof field, "--%s", o->name);
			if (check_value(o, field, value, &v, &err) == -1) {
				*rv = cmd_usage_error(ctl, NULL, "%s",
				    err.detail);
				return -1;
			}
			ctl->client.timeout = (int)v.num;
			continue;
		}
		if (!allow_target) {
			*rv = cmd_usage_error(ctl, NULL,
			    "--%s only goes on invctl's command line", o->name);
			return -1;
		}
		if ((strcmp(o->name, "socket") == 0 ?
		    client_conf_socket(&ctl->client, value, &err) :
		    client_conf_url(&ctl->client, value, &err)) == -1) {
			*rv = cmd_usage_error(ctl, NULL, "%s", err.detail);
			return -1;
		}
	}
	return i;
}
