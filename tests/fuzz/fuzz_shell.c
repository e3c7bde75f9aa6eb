/*
 * Fuzz the shell's line splitting (quotes, backslashes, comments) and
 * what follows it: each line the fuzzer writes is split by shell_split()
 * and, when it splits, parsed as the shell would run it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "invctl/shell.h"
#include "tests/fuzz/argv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*error;
	char		*line, **argv = NULL;
	int		 argc, i;

	if ((line = strndup((const char *)data, size)) == NULL)
		return 0;
	argc = shell_split(line, &argv, &error);
	if (argc == -1) {
		if (argv != NULL || error == NULL)
			abort();
	} else {
		if (argv == NULL || argv[argc] != NULL)
			abort();
		for (i = 0; i < argc; i++)
			if (argv[i] == NULL)
				abort();
		if (argc <= FUZZ_ARGS)
			fuzz_invctl_argv(argc, argv, 0);
	}
	shell_free_words(argv);
	free(line);
	return 0;
}
