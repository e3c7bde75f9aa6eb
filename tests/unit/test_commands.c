/*
 * The invctl command table and its completion function, without a
 * daemon: unique-prefix lookup, usage lines, and the candidates offered
 * for each position of a command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "invctl/commands.h"
#include "invctl/complete.h"
#include "invctl/shell.h"

/* Candidates for words (the last one being typed), joined by spaces. */
static char *
cands(int shell, int argc, const char **words)
{
	struct complete_list	 l = { NULL, 0, 0 };
	static char		 out[1024];
	size_t			 i, used = 0;

	assert_int_equal(complete_words(NULL, argc, (char **)words, shell,
	    &l), 0);
	out[0] = '\0';
	for (i = 0; i < l.n; i++)
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%s",
		    i ? " " : "", l.v[i]);
	complete_list_free(&l);
	return out;
}

static void
test_table_rows(void **state)
{
	const struct cmd_entry	*c;
	const struct opt_spec	*o;

	(void)state;
	for (c = cmd_table; c->noun != NULL; c++) {
		assert_non_null(c->exec);
		assert_non_null(c->summary);
		assert_ptr_equal(commands_find(c->noun, c->verb), c);
		for (o = c->opts; o->name != NULL; o++) {
			assert_non_null(o->help);
			if (o->type != ARG_FLAG)
				assert_non_null(o->metavar);
		}
	}
	assert_non_null(commands_find("order", "pay"));
	assert_non_null(commands_find("health", NULL));
	assert_non_null(commands_find("api", NULL));
	assert_non_null(commands_find("webhook", "send"));
	assert_null(commands_find("order", "nope"));
}

static void
test_find_word(void **state)
{
	int	amb;

	(void)state;
	assert_string_equal(commands_find_word(NULL, "prod", &amb), "product");
	assert_int_equal(amb, 0);
	assert_string_equal(commands_find_word(NULL, "o", &amb), "order");
	assert_string_equal(commands_find_word(NULL, "w", &amb), "webhook");
	assert_string_equal(commands_find_word("webhook", "s", &amb), "send");
	assert_string_equal(commands_find_word("order", "cr", &amb),
	    "create");
	assert_string_equal(commands_find_word("order", "ca", &amb),
	    "cancel");
	assert_null(commands_find_word("order", "c", &amb));
	assert_int_equal(amb, 1);
	assert_null(commands_find_word(NULL, "x", &amb));
	assert_int_equal(amb, 0);
	assert_null(commands_find_word("product", "pay", &amb));
	assert_int_equal(commands_noun_has_verbs("product"), 1);
	assert_int_equal(commands_noun_has_verbs("health"), 0);
	assert_int_equal(commands_noun_has_verbs("webhook"), 1);
}

static void
test_complete_nouns_verbs(void **state)
{
	const char	*w1[] = { "" };
	const char	*w2[] = { "order", "" };
	const char	*w3[] = { "order", "c" };
	const char	*w4[] = { "prod", "u" };
	const char	*w5[] = { "q" };
	const char	*w6[] = { "--socket", "/x", "order", "p" };

	(void)state;
	assert_string_equal(cands(0, 1, w1),
	    "product order webhook health api");
	assert_string_equal(cands(1, 1, w1),
	    "product order webhook health api help quit exit");
	assert_string_equal(cands(0, 2, w2),
	    "create list get pay ship cancel delete");
	assert_string_equal(cands(0, 2, w3), "create cancel");
	assert_string_equal(cands(0, 2, w4), "update");
	assert_string_equal(cands(1, 1, w5), "quit");
	assert_string_equal(cands(0, 1, w5), "");
	assert_string_equal(cands(0, 4, w6), "pay");
}

static void
test_complete_options(void **state)
{
	const char	*w1[] = { "product", "add", "--" };
	const char	*w2[] = { "product", "add", "--sku", "A", "--" };
	const char	*w3[] = { "order", "list", "--status", "" };
	const char	*w4[] = { "order", "list", "--status", "P" };
	const char	*w5[] = { "order", "list", "--st" };
	const char	*w6[] = { "--js" };
	const char	*w7[] = { "health", "" };

	(void)state;
	assert_string_equal(cands(0, 3, w1),
	    "--sku --name --price --stock --json --help");
	assert_string_equal(cands(0, 5, w2),
	    "--name --price --stock --json --help");
	assert_string_equal(cands(0, 4, w3), "PENDING PAID SHIPPED CANCELED");
	assert_string_equal(cands(0, 4, w4), "PENDING PAID");
	assert_string_equal(cands(0, 3, w5), "--status");
	assert_string_equal(cands(0, 1, w6), "--json");
	assert_string_equal(cands(0, 2, w7), "--json --help");
}

static void
test_complete_webhook(void **state)
{
	const char	*w1[] = { "webhook", "send", "--event", "" };
	const char	*w2[] = { "webhook", "send", "--scheme", "s" };
	const char	*w3[] = { "webhook", "send", "--se" };
	const char	*w4[] = { "webhook", "send", "--event", "payment.f" };
	const char	*w5[] = { "webhook", "send", "--order", "1", "--" };

	(void)state;
	assert_string_equal(cands(0, 4, w1),
	    "payment.succeeded payment.failed");
	assert_string_equal(cands(0, 4, w2), "seed standard");
	assert_string_equal(cands(0, 3, w3), "--secret --secret-file");
	assert_string_equal(cands(0, 4, w4), "payment.failed");
	assert_string_equal(cands(0, 5, w5),
	    "--event --event-id --secret --secret-file --scheme --print "
	    "--json --help");
}

static void
test_choice(void **state)
{
	const struct opt_spec	*o;
	char			 w[16];

	(void)state;
	assert_non_null(o = commands_opt(commands_find("webhook", "send"),
	    "--scheme"));
	assert_int_equal(o->type, ARG_CHOICE);
	assert_int_equal(commands_choice(o, 0, w, sizeof w), 4);
	assert_string_equal(w, "seed");
	assert_int_equal(commands_choice(o, 1, w, sizeof w), 8);
	assert_string_equal(w, "standard");
	assert_int_equal(commands_choice(o, 2, w, sizeof w), -1);
	assert_int_equal(commands_choice(o, 1, w, 4), -1);
	assert_int_equal(commands_choice(o, -1, w, sizeof w), -1);
}

static void
test_usage_line(void **state)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f;

	(void)state;
	assert_non_null(f = open_memstream(&text, &len));
	commands_usage(commands_find("product", "list"), f);
	commands_usage(commands_find("product", "get"), f);
	commands_usage(commands_find("webhook", "send"), f);
	fclose(f);
	assert_string_equal(text,
	    "usage: invctl product list [--limit N] [--after ID] [--all] "
	    "[--json]\n"
	    "usage: invctl product get {ID | --sku S} [--json]\n"
	    "usage: invctl webhook send --order ID [--event TYPE] "
	    "[--event-id ID] [--secret S] [--secret-file F] [--scheme SCHEME] "
	    "[--print] [--json]\n");
	free(text);
}

static void
test_split(void **state)
{
	char		**v;
	const char	 *error;

	(void)state;
	assert_int_equal(shell_split("  product add --name 'Blue widget' "
	    "--sku \"A\\\"1\" # note", &v, &error), 6);
	assert_string_equal(v[3], "Blue widget");
	assert_string_equal(v[5], "A\"1");
	assert_null(v[6]);
	shell_free_words(v);
	assert_int_equal(shell_split("", &v, &error), 0);
	shell_free_words(v);
	assert_int_equal(shell_split("x 'open", &v, &error), -1);
	assert_string_equal(error, "unterminated quote");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_find_word),
		cmocka_unit_test(test_complete_nouns_verbs),
		cmocka_unit_test(test_complete_options),
		cmocka_unit_test(test_complete_webhook),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_usage_line),
		cmocka_unit_test(test_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
