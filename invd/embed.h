/*
 * Files built into invd (see the Makefile): the OpenAPI document, with
 * invd's version filled in, and the reference page that renders it.
 */
#ifndef INV_EMBED_H
#define INV_EMBED_H

#include <stddef.h>

extern const unsigned char	embed_openapi_json[];
extern const size_t		embed_openapi_json_len;
extern const unsigned char	embed_docs_html[];
extern const size_t		embed_docs_html_len;

#endif
