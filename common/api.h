/*
 * The wire contract shared by invd, invctl and the tests: paths, field
 * names, limits. Change it, change both programs and the tests together.
 */
#ifndef INV_API_H
#define INV_API_H

#define INV_VERSION		"0.1.0"

#define INV_DEFAULT_LISTEN	"127.0.0.1:8080"
#define INV_DEFAULT_DATA	"./var/data"
#define INV_DEFAULT_SOCKET	"./var/invd.sock"
#define INV_DEFAULT_CONFIG	"/etc/invd/invd.conf"

#define INV_MAX_BODY		(1024 * 1024)	/* request body, bytes */
#define INV_MAX_HEADERS		(16 * 1024)	/* request line + headers */
#define INV_JSON_DEPTH		16

#define INV_LIST_DEFAULT	100
#define INV_LIST_MAX		1000

#define INV_SKU_MAX		64	/* bytes */
#define INV_NAME_MAX		200	/* bytes */
#define INV_STOCK_MAX		2147483647LL
#define INV_QUANTITY_MAX	2147483647LL
#define INV_PRICE_MAX_CENTS	99999999999999LL	/* 999,999,999,999.99 */

#define INV_MIME_JSON		"application/json"

#endif
