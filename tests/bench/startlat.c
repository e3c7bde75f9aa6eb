/*
 * startlat: how long invd takes from exec to ready, measured the way
 * systemd sees it: a notify socket that receives READY=1.
 *
 *   startlat PIDFILE INVD [ARGS...]
 *
 * Starts INVD with NOTIFY_SOCKET set, waits (at most 30 s) for READY=1,
 * writes invd's pid to PIDFILE, prints the microseconds on stdout and
 * leaves invd running. Exit 1 if invd exited or never became ready.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

int
main(int argc, char **argv)
{
	struct sockaddr_un	sun;
	struct pollfd		pfd;
	char			buf[512], path[sizeof sun.sun_path];
	int64_t			t0, deadline;
	ssize_t			n;
	pid_t			pid;
	FILE			*f;
	int			fd;

	if (argc < 3) {
		fprintf(stderr, "usage: startlat PIDFILE INVD [ARGS...]\n");
		return 2;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(path, sizeof path, "%s.notify", argv[1]);
	unlink(path);
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		perror("startlat: notify socket");
		return 1;
	}
	setenv("NOTIFY_SOCKET", path, 1);
	t0 = mono_us();
	if ((pid = fork()) == -1) {
		perror("startlat: fork");
		return 1;
	}
	if (pid == 0) {
		execv(argv[2], argv + 2);
		perror("startlat: exec");
		_exit(127);
	}
	deadline = t0 + 30 * 1000000;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (mono_us() > deadline || waitpid(pid, NULL, WNOHANG) != 0) {
			fprintf(stderr, "startlat: invd never became ready\n");
			kill(pid, SIGKILL);
			return 1;
		}
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof buf - 1, 0)) <= 0)
			continue;
		buf[n] = '\0';
		if (strncmp(buf, "READY=1", 7) == 0 ||
		    strstr(buf, "\nREADY=1") != NULL)
			break;
	}
	printf("%lld\n", (long long)(mono_us() - t0));
	if ((f = fopen(argv[1], "w")) != NULL) {
		fprintf(f, "%ld\n", (long)pid);
		fclose(f);
	}
	close(fd);
	unlink(path);
	return 0;
}
