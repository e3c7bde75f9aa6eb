/*
 * A strict RFC 8259 reader that builds json-c objects, and the writers for
 * the API's shapes. json-c's own tokener accepts NaN, single quotes and
 * other extensions even in strict mode, so reading is done here.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/api.h"
#include "common/json.h"
#include "common/util.h"

struct jp {
	const unsigned char	*p;
	const unsigned char	*start;
	const unsigned char	*end;
	struct inv_error	*err;
};

static struct json_object *jp_value(struct jp *, int);

static int
jp_fail(struct jp *jp, const char *what)
{
	return inv_error_set(jp->err, INV_EBADREQ,
	    "Malformed JSON: %s at byte %zu", what,
	    (size_t)(jp->p - jp->start));
}

static void
jp_ws(struct jp *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
	    *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int
jp_hex4(struct jp *jp, unsigned *out)
{
	unsigned	v = 0;
	int		i, c;

	if (jp->end - jp->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = jp->p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	jp->p += 4;
	*out = v;
	return 0;
}

static int
buf_put_utf8(struct buf *b, unsigned cp)
{
	char	s[4];
	size_t	n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(b, s, n);
}

/* Parse a string body after the opening quote into b (NUL terminated). */
static int
jp_string(struct jp *jp, struct buf *b)
{
	const unsigned char	*run;
	unsigned		 cp, lo;
	size_t			 n;

	for (;;) {
		run = jp->p;
		while (jp->p < jp->end && *jp->p != '"' && *jp->p != '\\' &&
		    *jp->p >= 0x20 && *jp->p < 0x80)
			jp->p++;
		if (jp->p > run && buf_add(b, run, (size_t)(jp->p - run)) == -1)
			return inv_error_set(jp->err, INV_EINTERNAL,
			    "Out of memory");
		if (jp->p >= jp->end)
			return jp_fail(jp, "unterminated string");
		if (*jp->p == '"') {
			jp->p++;
			return 0;
		}
		if (*jp->p < 0x20)
			return jp_fail(jp, "control character in string");
		if (*jp->p >= 0x80) {
			n = utf8_valid_prefix(jp->p, (size_t)(jp->end - jp->p));
			if (n == 0)
				return jp_fail(jp, "invalid UTF-8");
			if (buf_add(b, jp->p, n) == -1)
				return inv_error_set(jp->err, INV_EINTERNAL,
				    "Out of memory");
			jp->p += n;
			continue;
		}
		/* Backslash escape. */
		jp->p++;
		if (jp->p >= jp->end)
			return jp_fail(jp, "unterminated string");
		switch (*jp->p++) {
		case '"':  cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/':  cp = '/'; break;
		case 'b':  cp = '\b'; break;
		case 'f':  cp = '\f'; break;
		case 'n':  cp = '\n'; break;
		case 'r':  cp = '\r'; break;
		case 't':  cp = '\t'; break;
		case 'u':
			if (jp_hex4(jp, &cp) == -1)
				return jp_fail(jp, "bad \\u escape");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return jp_fail(jp, "lone surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (jp->end - jp->p < 2 || jp->p[0] != '\\' ||
				    jp->p[1] != 'u')
					return jp_fail(jp, "lone surrogate");
				jp->p += 2;
				if (jp_hex4(jp, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return jp_fail(jp, "lone surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			break;
		default:
			jp->p--;
			return jp_fail(jp, "bad escape");
		}
		if (buf_put_utf8(b, cp) == -1)
			return inv_error_set(jp->err, INV_EINTERNAL,
			    "Out of memory");
	}
}

static struct json_object *
jp_number(struct jp *jp)
{
	const unsigned char	*s = jp->p;
	char			 text[64];
	size_t			 len;
	int			 is_int = 1;
	long long		 v;
	double			 d;
	char			*end;
	struct json_object	*o;

	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p >= jp->end)
		goto bad;
	if (*jp->p == '0')
		jp->p++;
	else if (*jp->p >= '1' && *jp->p <= '9')
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	else
		goto bad;
	if (jp->p < jp->end && *jp->p == '.') {
		is_int = 0;
		jp->p++;
		if (jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
			goto bad;
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		is_int = 0;
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (jp->p >= jp->end || *jp->p < '0' || *jp->p > '9')
			goto bad;
		while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	len = (size_t)(jp->p - s);
	if (len >= sizeof text) {
		jp->p = s;
		jp_fail(jp, "number too long");
		return NULL;
	}
	memcpy(text, s, len);
	text[len] = '\0';
	if (is_int) {
		errno = 0;
		v = strtoll(text, &end, 10);
		if (errno == 0)
			return json_object_new_int64(v);
	}
	/* A fraction, an exponent, or an integer beyond int64. */
	d = strtod(text, &end);
	o = json_object_new_double_s(d, text);
	if (o == NULL)
		inv_error_set(jp->err, INV_EINTERNAL, "Out of memory");
	return o;
bad:
	jp_fail(jp, "invalid number");
	return NULL;
}

static int
jp_literal(struct jp *jp, const char *word)
{
	size_t	n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
		return -1;
	jp->p += n;
	return 0;
}

static struct json_object *
jp_object(struct jp *jp, int depth)
{
	struct json_object	*obj, *val;
	struct buf		 key = BUF_INIT;

	if ((obj = json_object_new_object()) == NULL)
		goto oom;
	jp->p++;
	jp_ws(jp);
	if (jp->p < jp->end && *jp->p == '}') {
		jp->p++;
		return obj;
	}
	for (;;) {
		jp_ws(jp);
		if (jp->p >= jp->end || *jp->p != '"') {
			jp_fail(jp, "expected a string key");
			goto fail;
		}
		jp->p++;
		buf_reset(&key);
		if (jp_string(jp, &key) == -1)
			goto fail;
		jp_ws(jp);
		if (jp->p >= jp->end || *jp->p != ':') {
			jp_fail(jp, "expected ':'");
			goto fail;
		}
		jp->p++;
		if ((val = jp_value(jp, depth + 1)) == NULL &&
		    jp->err->code != INV_OK)
			goto fail;
		/* A key with an embedded NUL cannot be a field we know. */
		if (strlen(buf_str(&key)) != key.len) {
			json_object_put(val);
			jp_fail(jp, "NUL in key");
			goto fail;
		}
		if (json_object_object_add(obj, buf_str(&key), val) != 0) {
			json_object_put(val);
			goto oom;
		}
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == '}') {
			jp->p++;
			break;
		}
		jp_fail(jp, "expected ',' or '}'");
		goto fail;
	}
	buf_free(&key);
	return obj;
oom:
	inv_error_set(jp->err, INV_EINTERNAL, "Out of memory");
fail:
	buf_free(&key);
	json_object_put(obj);
	return NULL;
}

static struct json_object *
jp_array(struct jp *jp, int depth)
{
	struct json_object	*arr, *val;

	if ((arr = json_object_new_array()) == NULL)
		goto oom;
	jp->p++;
	jp_ws(jp);
	if (jp->p < jp->end && *jp->p == ']') {
		jp->p++;
		return arr;
	}
	for (;;) {
		if ((val = jp_value(jp, depth + 1)) == NULL &&
		    jp->err->code != INV_OK)
			goto fail;
		if (json_object_array_add(arr, val) != 0) {
			json_object_put(val);
			goto oom;
		}
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == ']') {
			jp->p++;
			break;
		}
		jp_fail(jp, "expected ',' or ']'");
		goto fail;
	}
	return arr;
oom:
	inv_error_set(jp->err, INV_EINTERNAL, "Out of memory");
fail:
	json_object_put(arr);
	return NULL;
}

/*
 * Returns the value, or NULL: a JSON null when err->code stays INV_OK,
 * a failure otherwise.
 */
static struct json_object *
jp_value(struct jp *jp, int depth)
{
	struct buf		 s = BUF_INIT;
	struct json_object	*o;

	jp_ws(jp);
	if (jp->p >= jp->end) {
		jp_fail(jp, "unexpected end of input");
		return NULL;
	}
	/* Depth counts containers: 16 nested objects are fine, 17 not. */
	if ((*jp->p == '{' || *jp->p == '[') && depth > INV_JSON_DEPTH) {
		jp_fail(jp, "nesting too deep");
		return NULL;
	}
	switch (*jp->p) {
	case '{':
		return jp_object(jp, depth);
	case '[':
		return jp_array(jp, depth);
	case '"':
		jp->p++;
		if (jp_string(jp, &s) == -1) {
			buf_free(&s);
			return NULL;
		}
		o = json_object_new_string_len(buf_str(&s), (int)s.len);
		buf_free(&s);
		if (o == NULL)
			inv_error_set(jp->err, INV_EINTERNAL, "Out of memory");
		return o;
	case 't':
		if (jp_literal(jp, "true") == 0)
			return json_object_new_boolean(1);
		break;
	case 'f':
		if (jp_literal(jp, "false") == 0)
			return json_object_new_boolean(0);
		break;
	case 'n':
		if (jp_literal(jp, "null") == 0)
			return NULL;
		break;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return jp_number(jp);
	}
	jp_fail(jp, "unexpected character");
	return NULL;
}

int
json_parse_strict(const char *buf, size_t len, struct json_object **out,
    struct inv_error *err)
{
	struct jp		 jp;
	struct json_object	*o;

	*out = NULL;
	inv_error_clear(err);
	jp.start = jp.p = (const unsigned char *)buf;
	jp.end = jp.p + len;
	jp.err = err;
	jp_ws(&jp);
	if (jp.p >= jp.end)
		return inv_error_set(err, INV_EBADREQ,
		    "Malformed JSON: empty body");
	o = jp_value(&jp, 1);
	if (err->code != INV_OK)
		return -1;
	jp_ws(&jp);
	if (jp.p != jp.end) {
		json_object_put(o);
		return jp_fail(&jp, "trailing characters");
	}
	*out = o;
	return 0;
}

/*
 * Exact decimal arithmetic on the number's text: digits before and after
 * the point, shifted by the exponent, must leave at most two fractional
 * digits that are not zero.
 */
int
json_price_text(const char *field, const char *text, int64_t *cents,
    struct inv_error *err)
{
	const char	*p = text;
	char		 digits[64];
	size_t		 nd = 0, zeros = 0, i;
	long		 point, exp = 0;	/* digits before the point */
	int		 neg = 0, saw_point = 0, any = 0;
	int64_t		 v = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	point = 0;
	for (; *p != '\0' && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.') {
			if (saw_point)
				goto bad;
			saw_point = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto bad;
		any = 1;
		if (*p == '0') {
			/* Leading zeros are nothing; later ones may be. */
			if (nd > 0)
				zeros++;
			if (nd > 0 && !saw_point)
				point++;
			else if (nd == 0 && saw_point)
				point--;
			continue;
		}
		/* Zeros between significant digits are significant. */
		if (nd + zeros + 1 > sizeof digits) {
			if (saw_point)
				goto decimals;
			goto range;
		}
		memset(digits + nd, '0', zeros);
		nd += zeros;
		zeros = 0;
		digits[nd++] = *p;
		if (!saw_point)
			point++;
	}
	if (!any)
		goto bad;
	if (*p == 'e' || *p == 'E') {
		char	*end;

		errno = 0;
		exp = strtol(p + 1, &end, 10);
		if (*end != '\0' || end == p + 1)
			goto bad;
		if (nd == 0)
			exp = 0;	/* zero stays zero at any scale */
		else if (errno != 0 || exp > 64)
			goto range;
		else if (exp < -64)
			goto decimals;
	}
	point += exp;
	/* Trailing zeros were never stored: they carry no precision. */
	if (nd == 0)
		goto notpos;
	if ((long)nd - point > 2)
		goto decimals;
	if (point > 14)
		goto range;
	/* value = 0.digits * 10^point; cents = that * 100. */
	for (i = 0; i < nd; i++)
		v = v * 10 + (digits[i] - '0');
	for (i = 0; (long)i < point + 2 - (long)nd; i++)
		v *= 10;
	if (neg)
		goto notpos;
	if (v > INV_PRICE_MAX_CENTS)
		goto range;
	*cents = v;
	return 0;
bad:
	return inv_error_set(err, INV_EINVALID, "%s must be a number", field);
notpos:
	return inv_error_set(err, INV_EINVALID,
	    "%s must be greater than 0", field);
decimals:
	return inv_error_set(err, INV_EINVALID,
	    "%s must have at most 2 decimal places", field);
range:
	return inv_error_set(err, INV_EINVALID,
	    "%s must be at most 999999999999.99", field);
}

void
json_price_format(int64_t cents, char *out, size_t len)
{
	int64_t	whole = cents / 100, frac = cents % 100;

	if (frac < 0)
		frac = -frac;
	if (frac == 0)
		snprintf(out, len, "%" PRId64 ".0", whole);
	else if (frac % 10 == 0)
		snprintf(out, len, "%" PRId64 ".%" PRId64, whole, frac / 10);
	else
		snprintf(out, len, "%" PRId64 ".%02" PRId64, whole, frac);
}

struct json_object *
json_price_new(int64_t cents)
{
	char	text[32];

	json_price_format(cents, text, sizeof text);
	return json_object_new_double_s((double)cents / 100.0, text);
}

void
json_time_format(int64_t us, char *out, size_t len)
{
	time_t		t = (time_t)(us / 1000000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

int
json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL)
		return -1;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

struct json_object *
json_product_new(const struct product *p)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_add(o, "id", json_object_new_int64((int64_t)p->id)) == -1 ||
	    json_add(o, "sku", json_object_new_string(p->sku)) == -1 ||
	    json_add(o, "name", json_object_new_string(p->name)) == -1 ||
	    json_add(o, "price", json_price_new(p->price_cents)) == -1 ||
	    json_add(o, "stock", json_object_new_int64(p->stock)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
json_order_new(const struct order *ord)
{
	struct json_object	*o;
	char			 when[40];

	json_time_format(ord->created_at, when, sizeof when);
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_add(o, "id", json_object_new_int64((int64_t)ord->id)) == -1 ||
	    json_add(o, "product_id",
	    json_object_new_int64((int64_t)ord->product_id)) == -1 ||
	    json_add(o, "quantity", json_object_new_int64(ord->quantity)) == -1 ||
	    json_add(o, "status",
	    json_object_new_string(order_status_name(ord->status))) == -1 ||
	    json_add(o, "created_at", json_object_new_string(when)) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

const char *
json_dump(struct json_object *o, size_t *len)
{
	return json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

char *
json_error_body(const char *detail)
{
	struct json_object	*o;
	char			*s = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_add(o, "detail", json_object_new_string(detail)) == 0)
		s = strdup(json_dump(o, NULL));
	json_object_put(o);
	return s;
}
