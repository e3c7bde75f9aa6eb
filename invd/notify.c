/*
 * The two halves of the systemd protocol a daemon needs, written out so
 * invd does not depend on libsystemd: sd_notify (one datagram per state
 * change to $NOTIFY_SOCKET) and sd_listen_fds ($LISTEN_FDS sockets from 3).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "invd/notify.h"

int
notify_send(const char *state)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	socklen_t		 len;
	size_t			 plen;
	int			 fd, r = 0;

	if (path == NULL || *path == '\0')
		return 0;
	/* Absolute paths and '@' for the abstract namespace only. */
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sun.sun_path) {
		log_warnx("NOTIFY_SOCKET: unsupported address %s", path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify: socket");
		return -1;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1) {
		log_warn("notify: %s", path);
		r = -1;
	}
	close(fd);
	return r;
}

int
notify_listen_fds(int *fds, int max)
{
	const char	*pid = getenv("LISTEN_PID");
	const char	*nfds = getenv("LISTEN_FDS");
	char		*end;
	long		 p, n, i;
	int		 flags, count = 0;

	if (pid == NULL || nfds == NULL)
		goto out;
	errno = 0;
	p = strtol(pid, &end, 10);
	if (errno != 0 || *end != '\0' || p != (long)getpid())
		goto out;
	n = strtol(nfds, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0)
		goto out;
	if (n > max) {
		log_warnx("LISTEN_FDS: %ld sockets passed, using the first %d",
		    n, max);
		n = max;
	}
	for (i = 0; i < n; i++) {
		int fd = NOTIFY_FDS_START + (int)i;

		/* Ours now: not to leak into anything we might run. */
		if ((flags = fcntl(fd, F_GETFD)) == -1) {
			log_warn("LISTEN_FDS: fd %d", fd);
			continue;
		}
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
		fds[count++] = fd;
	}
out:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return count;
}
