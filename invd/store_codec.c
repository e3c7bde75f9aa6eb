/*
 * Fixed binary layouts for product and order records and index keys, with
 * a version byte so the format can change without guessing.
 */
#include <string.h>

#include "invd/store_codec.h"

void
codec_put_u64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

uint64_t
codec_get_u64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* [ver][price 8][stock 8][sku_len 1][name_len 1][sku][name] */
size_t
codec_product_encode(const struct product *p, unsigned char *buf)
{
	size_t	sl = strlen(p->sku), nl = strlen(p->name);

	buf[0] = CODEC_VERSION;
	codec_put_u64(buf + 1, (uint64_t)p->price_cents);
	codec_put_u64(buf + 9, (uint64_t)p->stock);
	buf[17] = (unsigned char)sl;
	buf[18] = (unsigned char)nl;
	memcpy(buf + 19, p->sku, sl);
	memcpy(buf + 19 + sl, p->name, nl);
	return 19 + sl + nl;
}

int
codec_product_decode(const void *data, size_t len, struct product *p)
{
	const unsigned char	*b = data;
	size_t			 sl, nl;

	if (len < 19 || b[0] != CODEC_VERSION)
		return -1;
	sl = b[17];
	nl = b[18];
	if (sl > INV_SKU_MAX || nl > INV_NAME_MAX || len != 19 + sl + nl)
		return -1;
	p->price_cents = (int64_t)codec_get_u64(b + 1);
	p->stock = (int64_t)codec_get_u64(b + 9);
	memcpy(p->sku, b + 19, sl);
	p->sku[sl] = '\0';
	memcpy(p->name, b + 19 + sl, nl);
	p->name[nl] = '\0';
	return 0;
}

/* [ver][product_id 8][quantity 8][status 1][created_at 8] */
void
codec_order_encode(const struct order *o, unsigned char *buf)
{
	buf[0] = CODEC_VERSION;
	codec_put_u64(buf + 1, o->product_id);
	codec_put_u64(buf + 9, (uint64_t)o->quantity);
	buf[17] = (unsigned char)o->status;
	codec_put_u64(buf + 18, (uint64_t)o->created_at);
}

int
codec_order_decode(const void *data, size_t len, struct order *o)
{
	const unsigned char	*b = data;

	if (len != ORDER_REC_LEN || b[0] != CODEC_VERSION ||
	    b[17] >= ORDER_NSTATUS)
		return -1;
	o->product_id = codec_get_u64(b + 1);
	o->quantity = (int64_t)codec_get_u64(b + 9);
	o->status = (enum order_status)b[17];
	o->created_at = (int64_t)codec_get_u64(b + 18);
	return 0;
}

void
codec_event_encode(int64_t at, uint64_t order_id, enum order_status st,
    unsigned char *buf)
{
	buf[0] = CODEC_VERSION;
	codec_put_u64(buf + 1, (uint64_t)at);
	codec_put_u64(buf + 9, order_id);
	buf[17] = (unsigned char)st;
}

int
codec_event_decode(const void *data, size_t len, int64_t *at,
    uint64_t *order_id, enum order_status *st)
{
	const unsigned char	*b = data;

	if (len != EVENT_REC_LEN || b[0] != CODEC_VERSION ||
	    b[17] >= ORDER_NSTATUS)
		return -1;
	*at = (int64_t)codec_get_u64(b + 1);
	*order_id = codec_get_u64(b + 9);
	*st = (enum order_status)b[17];
	return 0;
}

void
codec_pair_key(unsigned char *k, uint64_t a, uint64_t b)
{
	codec_put_u64(k, a);
	codec_put_u64(k + 8, b);
}

void
codec_status_key(unsigned char *k, enum order_status s, uint64_t id)
{
	k[0] = (unsigned char)s;
	codec_put_u64(k + 1, id);
}
