/*
 * The shell: readline with history in ~/.invctl_history and completion
 * from the command table on a terminal; one command a line, stopping at
 * the first failure, when standard input is a file or a pipe. Both run
 * each line through commands_run(), as one-shot mode does.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "common/api.h"
#include "invctl/complete.h"
#include "invctl/output.h"
#include "invctl/shell.h"

#define HISTORY_FILE	".invctl_history"
#define HISTORY_MAX	1000

/*
 * readline's callbacks take no argument: the run's settings and the
 * candidates being handed out live here while the shell runs.
 */
static struct ctl		*shell_ctl;
static struct complete_list	 shell_cands;
static size_t			 shell_next;

static int
words_add(char ***v, int *n, int *cap, char *w)
{
	char	**nv;

	if (*n + 1 >= *cap) {
		*cap = *cap ? *cap * 2 : 8;
		if ((nv = realloc(*v, (size_t)*cap * sizeof *nv)) == NULL)
			return -1;
		*v = nv;
	}
	(*v)[(*n)++] = w;
	(*v)[*n] = NULL;
	return 0;
}

void
shell_free_words(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
shell_split(const char *line, char ***argvp, const char **error)
{
	char		**v = NULL, *w = NULL;
	const char	 *p = line;
	size_t		  len;
	int		  n = 0, cap = 0, inword;
	char		  quote;

	*error = NULL;
	if (words_add(&v, &n, &cap, NULL) == -1)
		goto oom;
	n = 0;
	if ((w = malloc(strlen(line) + 1)) == NULL)
		goto oom;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		len = 0;
		inword = 1;
		quote = '\0';
		while (inword && *p != '\0') {
			if (quote == '\0' && (*p == ' ' || *p == '\t' ||
			    *p == '\r' || *p == '\n'))
				break;
			if (quote == '\0' && (*p == '\'' || *p == '"')) {
				quote = *p++;
				continue;
			}
			if (quote != '\0' && *p == quote) {
				quote = '\0';
				p++;
				continue;
			}
			/* Single quotes keep backslashes, as in sh. */
			if (*p == '\\' && quote != '\'' && p[1] != '\0')
				p++;
			w[len++] = *p++;
		}
		if (quote != '\0') {
			*error = "unterminated quote";
			goto fail;
		}
		w[len] = '\0';
		if (words_add(&v, &n, &cap, strdup(w)) == -1 ||
		    v[n - 1] == NULL)
			goto oom;
	}
	free(w);
	*argvp = v;
	return n;
oom:
	*error = "out of memory";
fail:
	free(w);
	shell_free_words(v);
	*argvp = NULL;
	return -1;
}

/* Run one line; *quit is set by quit and exit. */
static int
shell_line(struct ctl *ctl, const char *line, int *quit)
{
	char		**argv = NULL;
	const char	 *error;
	int		  argc, rv;

	if ((argc = shell_split(line, &argv, &error)) == -1) {
		out_error(ctl, "%s", error);
		return CMD_USAGE;
	}
	if (argc == 0)
		rv = CMD_OK;
	else if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "exit") == 0) {
		*quit = 1;
		rv = CMD_OK;
	} else
		rv = commands_run(ctl, argc, argv);
	shell_free_words(argv);
	fflush(stdout);
	return rv;
}

static char *
shell_generator(const char *text, int state)
{
	(void)text;
	if (state == 0)
		shell_next = 0;
	if (shell_next < shell_cands.n)
		return strdup(shell_cands.v[shell_next++]);
	return NULL;
}

/* The words before the cursor, then the one being typed. */
static char **
shell_completion(const char *text, int start, int end)
{
	char		**argv = NULL, **words = NULL, *before = NULL;
	const char	 *error;
	char		**matches = NULL;
	int		  argc, i;

	(void)end;
	rl_attempted_completion_over = 1;
	complete_list_free(&shell_cands);
	if ((before = strndup(rl_line_buffer, (size_t)start)) == NULL)
		goto out;
	if ((argc = shell_split(before, &argv, &error)) == -1)
		goto out;
	if ((words = calloc((size_t)argc + 2, sizeof *words)) == NULL)
		goto out;
	for (i = 0; i < argc; i++)
		words[i] = argv[i];
	words[argc] = (char *)text;
	if (complete_words(shell_ctl, argc + 1, words, 1, &shell_cands) == -1)
		goto out;
	matches = rl_completion_matches(text, shell_generator);
out:
	free(words);
	shell_free_words(argv);
	free(before);
	return matches;
}

/* ~/.invctl_history; NULL when there is no home directory. */
static char *
history_path(void)
{
	const char	*home = getenv("HOME");
	struct passwd	*pw;
	char		*path;

	if (home == NULL || *home == '\0') {
		if ((pw = getpwuid(getuid())) == NULL)
			return NULL;
		home = pw->pw_dir;
	}
	if (asprintf(&path, "%s/%s", home, HISTORY_FILE) == -1)
		return NULL;
	return path;
}

static int
shell_interactive(struct ctl *ctl)
{
	char	*line, *hist;
	int	 quit = 0;

	shell_ctl = ctl;
	hist = history_path();
	rl_readline_name = "invctl";
	rl_attempted_completion_function = shell_completion;
	using_history();
	stifle_history(HISTORY_MAX);
	if (hist != NULL)
		read_history(hist);
	printf("invctl %s on %s. Type 'help' for the commands, 'quit' "
	    "to leave.\n", INV_VERSION, ctl->client.display);
	while (!quit && (line = readline("invctl> ")) != NULL) {
		if (line[strspn(line, " \t")] != '\0') {
			add_history(line);
			/* Saved as typed: a killed shell keeps its history. */
			if (hist != NULL && append_history(1, hist) != 0)
				write_history(hist);
		}
		shell_line(ctl, line, &quit);
		free(line);
	}
	if (!quit)
		putchar('\n');
	if (hist != NULL)
		history_truncate_file(hist, HISTORY_MAX);
	clear_history();
	complete_list_free(&shell_cands);
	free(hist);
	shell_ctl = NULL;
	return 0;
}

static int
shell_script(struct ctl *ctl)
{
	char	*line = NULL;
	size_t	 cap = 0;
	long	 lineno = 0;
	int	 rv = CMD_OK, quit = 0;

	while (!quit && getline(&line, &cap, stdin) != -1) {
		lineno++;
		if ((rv = shell_line(ctl, line, &quit)) != CMD_OK) {
			out_error(ctl, "stopped at line %ld of the input",
			    lineno);
			break;
		}
	}
	free(line);
	return rv;
}

int
shell_run(struct ctl *ctl)
{
	if (isatty(STDIN_FILENO))
		return shell_interactive(ctl);
	return shell_script(ctl);
}
