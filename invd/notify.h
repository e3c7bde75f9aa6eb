/*
 * systemd integration without libsystemd: readiness over NOTIFY_SOCKET
 * (the sd_notify protocol) and inherited listeners (sd_listen_fds).
 */
#ifndef INV_NOTIFY_H
#define INV_NOTIFY_H

#define NOTIFY_FDS_START	3	/* SD_LISTEN_FDS_START */
#define NOTIFY_FDS_MAX		16

/*
 * Send a state string ("READY=1", "STOPPING=1", ...) to the socket in
 * NOTIFY_SOCKET. 0 when sent or when not run by a service manager; -1 on
 * a send failure (logged).
 */
int	notify_send(const char *);

/*
 * Sockets passed by the service manager when LISTEN_PID is this process:
 * fills fds (up to max) and returns their number, 0 when none were
 * passed; unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES so children
 * never see them.
 */
int	notify_listen_fds(int *, int);

#endif
