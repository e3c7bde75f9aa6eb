/*
 * Small helpers shared by both programs: a growable byte buffer, UTF-8
 * checks, percent-encoding, time.
 */
#ifndef INV_UTIL_H
#define INV_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT	{ NULL, 0, 0 }

/* Append n bytes; -1 on allocation failure (the buffer is unchanged). */
int		 buf_add(struct buf *, const void *, size_t);
/* Append a printf-formatted string; -1 on failure. */
int		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* The contents as a C string; "" when empty. Borrowed. */
const char	*buf_str(const struct buf *);
void		 buf_reset(struct buf *);
void		 buf_free(struct buf *);

/*
 * Length of the valid UTF-8 sequence at s (1 to 4), or 0 when the bytes
 * there are not valid UTF-8 (overlong forms and surrogates included).
 */
size_t		 utf8_valid_prefix(const unsigned char *, size_t);
/* Whether all n bytes are valid UTF-8. */
int		 utf8_valid(const char *, size_t);

/* Append s percent-encoded for a URL query value (RFC 3986 unreserved). */
int		 buf_add_urlenc(struct buf *, const char *);

/* Wall clock and monotonic clock, microseconds. */
int64_t		 now_us(void);
int64_t		 mono_us(void);

/* Copy with truncation, always terminated; returns strlen(src). */
size_t		 inv_strlcpy(char *, const char *, size_t);

/* mkdir -p with the given mode for created directories; -1 with errno. */
int		 mkdir_p(const char *, unsigned int);
/* The value of one hex digit, or -1. */
int	hex_value(int);

#endif
