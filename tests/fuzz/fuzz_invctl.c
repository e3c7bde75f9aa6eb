/*
 * Fuzz invctl's command line without running anything: the input is an
 * argv, words separated by NUL bytes. Global options go through
 * commands_global(), the command is found by unique prefix as
 * commands_run() does, and its words are parsed and type-checked by
 * commands_parse(). Nothing connects anywhere.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/argv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf, *argv[FUZZ_ARGS + 1], *p, *end;
	int	 argc = 0;

	/* One word per NUL-terminated piece, each in its own allocation. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	end = buf + size;
	for (p = buf; p <= end && argc < FUZZ_ARGS; p += strlen(p) + 1)
		if ((argv[argc] = strdup(p)) != NULL)
			argc++;
	argv[argc] = NULL;
	fuzz_invctl_argv(argc, argv, 1);
	while (argc > 0)
		free(argv[--argc]);
	free(buf);
	return 0;
}
