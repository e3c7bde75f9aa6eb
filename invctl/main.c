/*
 * invctl: the command-line client of invd. Global options, then one
 * command, or the shell when none is given.
 */
#include <sys/stat.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/api.h"
#include "invctl/commands.h"
#include "invctl/complete.h"
#include "invctl/output.h"
#include "invctl/shell.h"

#define DEFAULT_URL	"http://" INV_DEFAULT_LISTEN
#define DEFAULT_TIMEOUT	10

/*
 * Where to find invd when no --socket or --url was given: INVD_SOCKET,
 * INVD_URL, the default socket when it exists, else the default URL.
 */
static int
default_target(struct ctl *ctl)
{
	struct inv_error	 err;
	struct stat		 st;
	const char		*env;

	if ((env = getenv("INVD_SOCKET")) != NULL && *env != '\0') {
		if (client_conf_socket(&ctl->client, env, &err) == -1)
			goto bad;
		return 0;
	}
	if ((env = getenv("INVD_URL")) != NULL && *env != '\0') {
		if (client_conf_url(&ctl->client, env, &err) == -1)
			goto bad;
		return 0;
	}
	if (stat(INV_DEFAULT_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode))
		return client_conf_socket(&ctl->client, INV_DEFAULT_SOCKET,
		    &err);
	return client_conf_url(&ctl->client, DEFAULT_URL, &err);
bad:
	out_error(ctl, "%s %s", getenv("INVD_SOCKET") ? "INVD_SOCKET:" :
	    "INVD_URL:", err.detail);
	return -1;
}

/* Color only for a terminal, and never when NO_COLOR is set. */
static int
use_color(int fd)
{
	const char	*term = getenv("TERM");

	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		return 0;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}

int
main(int argc, char **argv)
{
	struct ctl	ctl;
	enum cmd_retval	rv = CMD_OK;
	int		n;

	setlocale(LC_CTYPE, "");
	memset(&ctl, 0, sizeof ctl);
	ctl.client.timeout = DEFAULT_TIMEOUT;
	ctl.stdout_tty = isatty(STDOUT_FILENO);
	ctl.color = use_color(STDOUT_FILENO);
	ctl.color_err = use_color(STDERR_FILENO);

	argc--;
	argv++;
	if ((n = commands_global(&ctl, argc, argv, 1, &rv)) == -1)
		goto out;
	argc -= n;
	argv += n;
	if (ctl.client.display == NULL && default_target(&ctl) == -1) {
		rv = CMD_USAGE;
		goto out;
	}
	if (argc > 0 && strcmp(argv[0], "__complete") == 0) {
		/* Hidden: the shell completion scripts call this. */
		rv = complete_print(&ctl, argc - 1, argv + 1);
		goto out;
	}
	if (argc == 0)
		rv = shell_run(&ctl);
	else
		rv = commands_run(&ctl, argc, argv);
out:
	client_conf_deinit(&ctl.client);
	if (fflush(stdout) == EOF && rv == CMD_OK)
		rv = CMD_REFUSED;
	return rv;
}
