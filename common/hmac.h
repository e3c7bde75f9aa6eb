/*
 * Webhook signing and verification with OpenSSL: the seed's scheme
 * (X-Webhook-Signature: sha256=<hex of HMAC-SHA256(secret, body)>) and
 * Standard Webhooks (webhook-signature: v1,<base64 of HMAC-SHA256(key,
 * id.timestamp.body)>). Secrets live in one struct, wiped when freed.
 */
#ifndef INV_HMAC_H
#define INV_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"

#define HMAC_SHA256_LEN		32
#define HMAC_SECRETS_MAX	16

struct secret {
	unsigned char	*raw;		/* the bytes as written */
	size_t		 rawlen;
	unsigned char	*key;		/* Standard Webhooks key */
	size_t		 keylen;
};

struct secrets {
	struct secret	v[HMAC_SECRETS_MAX];
	size_t		n;
};

/*
 * Add every non-empty line of text (a '#' line is a comment) as a secret.
 * A secret written whsec_<base64> has its decoded bytes as the Standard
 * Webhooks key; otherwise the key is the secret's bytes. -1 with a detail
 * (never containing the secret) on error.
 */
int	secrets_add_text(struct secrets *, const char *, size_t,
	    struct inv_error *);
/* Read a file of secrets, one per line. */
int	secrets_load_file(struct secrets *, const char *, struct inv_error *);
/* Wipe and free. The struct is reusable afterwards. */
void	secrets_clear(struct secrets *);

/* HMAC-SHA256 of the concatenation of n parts. 0 or -1. */
int	hmac_sha256(const void *, size_t, const void *const *, const size_t *,
	    size_t, unsigned char [HMAC_SHA256_LEN]);

/* "sha256=<lowercase hex>" for body under secret s; out >= 72 bytes. */
int	hmac_sign_seed(const struct secret *, const void *, size_t, char *,
	    size_t);
/* "v1,<base64>" for id.ts.body under s; out >= 48 bytes. */
int	hmac_sign_standard(const struct secret *, const char *, const char *,
	    const void *, size_t, char *, size_t);

/*
 * Verify an X-Webhook-Signature header against every secret, in constant
 * time per comparison. 1 valid, 0 invalid.
 */
int	hmac_verify_seed(const struct secrets *, const char *, const void *,
	    size_t);
/*
 * Verify Standard Webhooks headers: any of the space-separated v1
 * signatures under any secret, and a timestamp within tolerance seconds of
 * now in either direction. 1 valid, 0 invalid.
 */
int	hmac_verify_standard(const struct secrets *, const char *,
	    const char *, const char *, const void *, size_t, int64_t,
	    int64_t);

#endif
