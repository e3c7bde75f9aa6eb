/*
 * On-disk encodings of keys and records. Only store.c and the data checker
 * use these; everything is big-endian so keys sort by number.
 */
#ifndef INV_STORE_CODEC_H
#define INV_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/model.h"

#define CODEC_VERSION		1
#define PRODUCT_REC_MAX		(1 + 8 + 8 + 1 + 1 + INV_SKU_MAX + INV_NAME_MAX)
#define ORDER_REC_LEN		(1 + 8 + 8 + 1 + 8)

void	 codec_put_u64(unsigned char *, uint64_t);
uint64_t codec_get_u64(const unsigned char *);

/* Encode into buf (PRODUCT_REC_MAX bytes); returns the length. */
size_t	 codec_product_encode(const struct product *, unsigned char *);
/* Decode; the id is not in the record. -1 on a malformed record. */
int	 codec_product_decode(const void *, size_t, struct product *);

void	 codec_order_encode(const struct order *, unsigned char *);
int	 codec_order_decode(const void *, size_t, struct order *);

#define EVENT_REC_LEN		(1 + 8 + 8 + 1)

/* [ver][processed_at 8][order_id 8][new_status 1] */
void	 codec_event_encode(int64_t, uint64_t, enum order_status,
	    unsigned char *);
int	 codec_event_decode(const void *, size_t, int64_t *, uint64_t *,
	    enum order_status *);

/* A (prefix, id) key: 8+8 bytes, or 1+8 bytes for a status prefix. */
void	 codec_pair_key(unsigned char *, uint64_t, uint64_t);
void	 codec_status_key(unsigned char *, enum order_status, uint64_t);

#endif
