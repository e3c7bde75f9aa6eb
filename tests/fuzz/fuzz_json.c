/*
 * Fuzz the strict JSON reader: any input either parses, and then its
 * compact form parses again to the same text, or is refused with a
 * detail; never a crash, a leak or a read past the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o = NULL, *back = NULL;
	struct inv_error	 err;
	const char		*text, *again;
	char			*copy, *first;
	size_t			 len, len2;

	/* An exact-size copy: the parser must not read a terminator. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (json_parse_strict(copy, size, &o, &err) == -1) {
		if (err.detail[0] == '\0')
			abort();
		free(copy);
		return 0;
	}
	text = json_dump(o, &len);
	if ((first = strndup(text, len)) == NULL)
		abort();
	if (json_parse_strict(first, len, &back, &err) == -1)
		abort();
	again = json_dump(back, &len2);
	if (len2 != len || memcmp(again, first, len) != 0)
		abort();
	json_object_put(back);
	json_object_put(o);
	free(first);
	free(copy);
	return 0;
}
