/*
 * invctl's parsing of one command line, as commands_run() does it but
 * without running the command: shared by the argv and shell fuzzers.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/argv.h"

void
fuzz_invctl_argv(int argc, char **argv, int one_shot)
{
	struct ctl		 ctl;
	struct arg_value	 vals[CMD_MAX_OPTS];
	const struct cmd_entry	*e;
	const char		*noun, *verb = NULL;
	enum cmd_retval		 rv;
	int			 n, amb, json, run;

	memset(&ctl, 0, sizeof ctl);
	if ((n = commands_global(&ctl, argc, argv, one_shot, &rv)) == -1)
		goto out;
	argc -= n;
	argv += n;
	if (argc == 0 || (noun = commands_find_word(NULL, argv[0],
	    &amb)) == NULL)
		goto out;
	if (commands_noun_has_verbs(noun)) {
		if (argc < 2 || (verb = commands_find_word(noun, argv[1],
		    &amb)) == NULL)
			goto out;
		argc--;
		argv++;
	}
	if ((e = commands_find(noun, verb)) == NULL)
		abort();
	rv = commands_parse(&ctl, e, argc - 1, argv + 1, vals, &json, &run);
	if (rv != CMD_OK && rv != CMD_USAGE)
		abort();
	if (rv == CMD_USAGE && run)
		abort();
out:
	client_conf_deinit(&ctl.client);
}

