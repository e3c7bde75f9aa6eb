/*
 * HMAC-SHA256 webhook signatures, both schemes, with OpenSSL. Comparisons
 * go through CRYPTO_memcmp; secrets are wiped with OPENSSL_cleanse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "common/hmac.h"
#include "common/util.h"

static void
secret_wipe(struct secret *s)
{
	if (s->raw != NULL) {
		OPENSSL_cleanse(s->raw, s->rawlen);
		free(s->raw);
	}
	if (s->key != NULL && s->key != s->raw) {
		OPENSSL_cleanse(s->key, s->keylen);
		free(s->key);
	}
	memset(s, 0, sizeof *s);
}

void
secrets_clear(struct secrets *ss)
{
	size_t	i;

	for (i = 0; i < ss->n; i++)
		secret_wipe(&ss->v[i]);
	ss->n = 0;
}

/* Base64 decode (standard alphabet, padding optional). -1 if invalid. */
static int
b64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char	*buf, *tmp;
	size_t		 padded = (len + 3) / 4 * 4, i;
	int		 n, pad = 0;

	if (len == 0)
		return -1;
	if ((tmp = malloc(padded + 1)) == NULL)
		return -1;
	memcpy(tmp, in, len);
	for (i = len; i < padded; i++)
		tmp[i] = '=';
	for (i = padded; i > 0 && tmp[i - 1] == '='; i--)
		pad++;
	if ((buf = malloc(padded / 4 * 3 + 1)) == NULL) {
		free(tmp);
		return -1;
	}
	n = EVP_DecodeBlock(buf, tmp, (int)padded);
	OPENSSL_cleanse(tmp, padded);
	free(tmp);
	if (n < 0 || pad > 2 || n < pad) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)(n - pad);
	return 0;
}

static int
secret_add(struct secrets *ss, const char *s, size_t len,
    struct inv_error *err)
{
	struct secret	*sec;

	if (ss->n == HMAC_SECRETS_MAX)
		return inv_error_set(err, INV_EINVALID,
		    "at most %d webhook secrets", HMAC_SECRETS_MAX);
	sec = &ss->v[ss->n];
	if ((sec->raw = malloc(len + 1)) == NULL)
		return inv_error_set(err, INV_EINTERNAL, "out of memory");
	memcpy(sec->raw, s, len);
	sec->raw[len] = '\0';
	sec->rawlen = len;
	if (len > 6 && strncmp(s, "whsec_", 6) == 0) {
		if (b64_decode(s + 6, len - 6, &sec->key, &sec->keylen) == -1) {
			secret_wipe(sec);
			return inv_error_set(err, INV_EINVALID,
			    "webhook secret %zu: whsec_ value is not valid "
			    "base64", ss->n + 1);
		}
	} else {
		sec->key = sec->raw;
		sec->keylen = len;
	}
	ss->n++;
	return 0;
}

int
secrets_add_text(struct secrets *ss, const char *text, size_t len,
    struct inv_error *err)
{
	const char	*p = text, *end = text + len, *nl;
	size_t		 n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* Trim surrounding blanks and a CR from CRLF files. */
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' ||
		    p[n - 1] == '\t'))
			n--;
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n > 0 && *p != '#' && secret_add(ss, p, n, err) == -1)
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int
secrets_load_file(struct secrets *ss, const char *path, struct inv_error *err)
{
	FILE		*f;
	char		 buf[8192];
	const char	*bad;
	size_t		 n, before;
	int		 r;

	if ((f = fopen(path, "re")) == NULL)
		return inv_error_set(err, INV_EINVALID, "%s: %s", path,
		    strerror(errno));
	n = fread(buf, 1, sizeof buf, f);
	bad = ferror(f) ? "read error" : !feof(f) ? "file too large" : NULL;
	fclose(f);
	if (bad != NULL) {
		OPENSSL_cleanse(buf, sizeof buf);
		return inv_error_set(err, INV_EINVALID, "%s: %s", path, bad);
	}
	before = ss->n;
	r = secrets_add_text(ss, buf, n, err);
	OPENSSL_cleanse(buf, sizeof buf);
	if (r == 0 && ss->n == before)
		return inv_error_set(err, INV_EINVALID, "%s: no secret in file",
		    path);
	return r;
}

int
hmac_sha256(const void *key, size_t keylen, const void *const *parts,
    const size_t *lens, size_t nparts, unsigned char out[HMAC_SHA256_LEN])
{
	static EVP_MAC	*mac;
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];
	size_t		 outlen = 0, i;
	int		 ok;

	/* Fetching the algorithm is the slow part: do it once. */
	if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* An empty key is legal HMAC; OpenSSL wants a non-NULL pointer. */
	ok = EVP_MAC_init(ctx, keylen ? key : (const void *)"", keylen,
	    params);
	for (i = 0; ok && i < nparts; i++)
		ok = EVP_MAC_update(ctx, parts[i], lens[i]);
	ok = ok && EVP_MAC_final(ctx, out, &outlen, HMAC_SHA256_LEN) &&
	    outlen == HMAC_SHA256_LEN;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
hmac_sign_seed(const struct secret *s, const void *body, size_t len,
    char *out, size_t outlen)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 mac[HMAC_SHA256_LEN];
	const void		*parts[1] = { body };
	size_t			 i;

	if (outlen < 7 + 2 * HMAC_SHA256_LEN + 1 ||
	    hmac_sha256(s->raw, s->rawlen, parts, &len, 1, mac) == -1)
		return -1;
	memcpy(out, "sha256=", 7);
	for (i = 0; i < HMAC_SHA256_LEN; i++) {
		out[7 + 2 * i] = hex[mac[i] >> 4];
		out[8 + 2 * i] = hex[mac[i] & 0xf];
	}
	out[7 + 2 * HMAC_SHA256_LEN] = '\0';
	return 0;
}

int
hmac_sign_standard(const struct secret *s, const char *id, const char *ts,
    const void *body, size_t len, char *out, size_t outlen)
{
	unsigned char	 mac[HMAC_SHA256_LEN];
	const void	*parts[5] = { id, ".", ts, ".", body };
	size_t		 lens[5] = { strlen(id), 1, strlen(ts), 1, len };

	if (outlen < 3 + 44 + 1 ||
	    hmac_sha256(s->key, s->keylen, parts, lens, 5, mac) == -1)
		return -1;
	memcpy(out, "v1,", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, mac, HMAC_SHA256_LEN);
	return 0;
}

int
hmac_verify_seed(const struct secrets *ss, const char *header,
    const void *body, size_t len)
{
	unsigned char	 want[HMAC_SHA256_LEN], mac[HMAC_SHA256_LEN];
	const void	*parts[1] = { body };
	size_t		 i;
	int		 hi, lo, ok = 0;

	while (*header == ' ')
		header++;
	if (strncmp(header, "sha256=", 7) != 0)
		return 0;
	header += 7;
	for (i = 0; i < HMAC_SHA256_LEN; i++) {
		if ((hi = hex_value(header[2 * i])) == -1 ||
		    (lo = hex_value(header[2 * i + 1])) == -1)
			return 0;
		want[i] = (unsigned char)(hi << 4 | lo);
	}
	header += 2 * HMAC_SHA256_LEN;
	while (*header == ' ')
		header++;
	if (*header != '\0')
		return 0;
	/* Try every secret, even after a match: time tells nothing. */
	for (i = 0; i < ss->n; i++) {
		if (hmac_sha256(ss->v[i].raw, ss->v[i].rawlen, parts, &len, 1,
		    mac) == 0 && CRYPTO_memcmp(mac, want, sizeof mac) == 0)
			ok = 1;
	}
	OPENSSL_cleanse(mac, sizeof mac);
	return ok;
}

int
hmac_verify_standard(const struct secrets *ss, const char *id,
    const char *ts, const char *header, const void *body, size_t len,
    int64_t now, int64_t tolerance)
{
	unsigned char	 macs[HMAC_SECRETS_MAX][HMAC_SHA256_LEN];
	unsigned char	*sig = NULL;
	const void	*parts[5] = { id, ".", ts, ".", body };
	size_t		 lens[5] = { strlen(id), 1, strlen(ts), 1, len };
	const char	*p, *tok;
	char		*end;
	long long	 t;
	size_t		 i, n, siglen;
	int		 ok = 0;

	if (*id == '\0' || *ts < '0' || *ts > '9')
		return 0;
	errno = 0;
	t = strtoll(ts, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	if (t < now - tolerance || t > now + tolerance)
		return 0;
	for (i = 0; i < ss->n; i++)
		if (hmac_sha256(ss->v[i].key, ss->v[i].keylen, parts, lens, 5,
		    macs[i]) == -1)
			return 0;
	for (p = header; *p != '\0'; p += n) {
		while (*p == ' ')
			p++;
		tok = p;
		n = strcspn(p, " ");
		if (n == 0)
			break;
		if (n <= 3 || strncmp(tok, "v1,", 3) != 0)
			continue;
		if (b64_decode(tok + 3, n - 3, &sig, &siglen) == -1)
			continue;
		if (siglen == HMAC_SHA256_LEN)
			for (i = 0; i < ss->n; i++)
				if (CRYPTO_memcmp(sig, macs[i],
				    HMAC_SHA256_LEN) == 0)
					ok = 1;
		free(sig);
		sig = NULL;
	}
	OPENSSL_cleanse(macs, sizeof macs);
	return ok;
}
