/*
 * The evhttp edge: the only code that touches evhttp_request. Binds TCP
 * addresses and the Unix socket, copies each request into a plain struct
 * request for the router, and sends exactly one JSON reply.
 */
#ifndef INV_SERVER_H
#define INV_SERVER_H

struct event_base;
struct app;
struct config;
struct server;
struct writer;

/*
 * Serve on the nfds inherited listening sockets in fds when there are any
 * (socket activation), else bind every configured listener. On failure
 * returns -1 with *cause set to a heap message the caller frees; nothing
 * stays bound.
 */
int	server_start(struct server **, struct event_base *, struct app *,
	    const struct config *, const int *, int, char **);
/* From now on, hand write requests to w for group commit. */
void	server_set_writer(struct server *, struct writer *);
/*
 * Stop accepting (closing listeners, removing the socket file) and call
 * done once every reply already queued, or waiting for its commit, has
 * been sent.
 */
void	server_drain(struct server *, void (*)(void *), void *);
/* Free the server and its connections. NULL is fine. */
void	server_free(struct server *);

#endif
