/*
 * Completion from the command table, for the shell's readline and for the
 * hidden "invctl __complete WORDS..." that bash, zsh and fish call.
 */
#ifndef INV_COMPLETE_H
#define INV_COMPLETE_H

#include <stddef.h>

#include "invctl/commands.h"

/* A list of candidate words; each string is the list's. */
struct complete_list {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

/*
 * Candidates for the last of argc words (the one being typed, maybe ""),
 * given the words before it. shell adds help and quit and leaves out the
 * global options. With ctl not NULL, an id argument is completed by
 * asking invd for a page of ids (a short timeout; silent when it is
 * down). Returns 0, or -1 on allocation failure.
 */
int	complete_words(struct ctl *, int, char **, int,
	    struct complete_list *);
void	complete_list_free(struct complete_list *);

/* The __complete command: print the candidates, one a line. */
int	complete_print(struct ctl *, int, char **);

#endif
