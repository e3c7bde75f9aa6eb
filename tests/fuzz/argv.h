/*
 * Parse argv the way invctl does (global options, the command by unique
 * prefix, its typed arguments) and abort() on an impossible result.
 * one_shot allows the target options (--socket, --url) as the command
 * line does; the shell does not.
 */
#ifndef INV_FUZZ_ARGV_H
#define INV_FUZZ_ARGV_H

#include "invctl/commands.h"

#define FUZZ_ARGS	64

void	fuzz_invctl_argv(int, char **, int);

#endif
