/* cJSON with scope-bound cleanup and the few accessors every caller wants. */
#pragma once

#include "cleanup.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

DEFINE_CLEANUP_FUNC(cJSON *, cJSON_Delete)
#define _cleanup_json_ _cleanup_(cJSON_Deletep)

/* The string member key of obj, or NULL when absent or not a string. */
static inline const char *
json_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * The number member key of obj as a non-negative integer, or def when absent, not a
 * number, negative or too large for 64 bits (converting such a double is undefined).
 */
static inline uint64_t
json_uint(const cJSON *obj, const char *key, uint64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 0x1p64))
		return def;
	return (uint64_t)v->valuedouble;
}

/*
 * Whether JSON text holds a NUL byte or a \u0000 escape.  cJSON's strings end at the
 * first NUL without a word, so a reader whose strings become names, argv or environment
 * refuses such text rather than act on a string cut short.
 */
static inline bool
json_has_nul(const char *text, size_t len)
{
	bool in_string = false;

	if (len && memchr(text, '\0', len))
		return true;
	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			in_string = text[i] == '"';
		} else if (text[i] == '"') {
			in_string = false;
		} else if (text[i] == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && len - i >= 6 &&
			    memcmp(text + i + 2, "0000", 4) == 0)
				return true;
			i++;
		}
	}
	return false;
}

/*
 * Parses len bytes of JSON text into *ret_root (the caller's to free), refusing a NUL byte
 * or \u0000 escape (json_has_nul), text that is not JSON, and a top level that is not of
 * type (cJSON_Object, cJSON_Array...; cJSON_Invalid: any).  -EINVAL for all three, -ENOMEM
 * when cJSON ran out of memory.  *ret_root is written only on success.
 */
int json_parse_checked(const char *text, size_t len, int type, cJSON **ret_root);

/*
 * Why json_parse_checked refused the same text, for a message: "holds a NUL character",
 * "is not JSON", "is not a JSON object", "is not a JSON array"... (a static string).
 */
const char *json_parse_failure(const char *text, size_t len, int type);
