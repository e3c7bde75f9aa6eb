/*
 * The HTTP side of invctl: one request at a time to invd over TCP or its
 * Unix socket, with libevent's HTTP client.
 */
#ifndef INV_CLIENT_H
#define INV_CLIENT_H

#include "common/errors.h"
#include "common/util.h"

/* Where invd is: a Unix socket path, or a host and port. */
struct client_conf {
	char	*socket_path;		/* NULL for TCP */
	char	*host;
	int	 port;
	char	*display;		/* the target as the user named it */
	int	 timeout;		/* seconds, for connect and reply */
};

struct client_reply {
	int		 status;	/* HTTP status */
	struct buf	 body;
	char		*next;		/* Link rel="next" path, or NULL */
};

/* Fill conf from a Unix socket path. -1 with a detail on failure. */
int	client_conf_socket(struct client_conf *, const char *,
	    struct inv_error *);
/*
 * Fill conf from http://HOST[:PORT][/]; -1 with a detail naming the URL
 * when it is not one.
 */
int	client_conf_url(struct client_conf *, const char *, struct inv_error *);
/* Free what client_conf_* allocated; the struct can be filled again. */
void	client_conf_deinit(struct client_conf *);

void	client_reply_init(struct client_reply *);
void	client_reply_deinit(struct client_reply *);

/* A request header added by the caller; a list ends with a NULL name. */
struct client_header {
	const char	*name;
	const char	*value;		/* no CR or LF */
};

/*
 * Send method path (with body, a JSON text, when not NULL) and wait for
 * the reply. Returns 0 when a reply arrived, whatever its status; -1 when
 * there is none (cannot connect, timed out, connection lost), with a
 * detail saying which and naming the target.
 */
int	client_request(const struct client_conf *, const char *, const char *,
	    const char *, struct client_reply *, struct inv_error *);
/*
 * client_request() with extra headers (borrowed; NULL for none), sent
 * after invctl's own. The body goes out byte for byte as given.
 */
int	client_request_headers(const struct client_conf *, const char *,
	    const char *, const char *, const struct client_header *,
	    struct client_reply *, struct inv_error *);

#endif
