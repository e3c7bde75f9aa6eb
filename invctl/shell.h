/*
 * invctl with no command: an interactive readline shell on a terminal,
 * otherwise one command a line from standard input.
 */
#ifndef INV_SHELL_H
#define INV_SHELL_H

#include "invctl/commands.h"

/*
 * Run commands from standard input until quit or end of input. On a
 * terminal, returns 0; otherwise stops at the first command that fails
 * and returns its status.
 */
int	shell_run(struct ctl *);

/*
 * Split a command line into words: blanks separate, '...' and "..." quote,
 * a backslash escapes the next character, # starts a comment. Returns the
 * number of words in *argv (a NULL-terminated array the caller frees with
 * shell_free_words()), or -1 with *error set for an unterminated quote.
 */
int	shell_split(const char *, char ***, const char **);
void	shell_free_words(char **);

#endif
