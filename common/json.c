#include "json.h"

#include <errno.h>

static const char *
type_name(int type)
{
	switch (type) {
	case cJSON_Object:
		return "is not a JSON object";
	case cJSON_Array:
		return "is not a JSON array";
	case cJSON_String:
		return "is not a JSON string";
	case cJSON_Number:
		return "is not a JSON number";
	default:
		return "is not of the expected JSON type";
	}
}

/* 0, or the failure of text as json_parse_failure names it (with *ret_root set on 0). */
static int
parse(const char *text, size_t len, int type, cJSON **ret_root, const char **ret_why)
{
	cJSON *root;

	if (!text || json_has_nul(text, len)) {
		*ret_why = "holds a NUL character";
		return -EINVAL;
	}
	/*
	 * cJSON fails the same way on bad text and on a failed malloc (it records where it
	 * stopped either way); malloc's errno tells them apart, strtod's ERANGE does not.
	 */
	errno = 0;
	root = cJSON_ParseWithLength(text, len);
	if (!root) {
		*ret_why = errno == ENOMEM ? "could not be parsed: out of memory" : "is not JSON";
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	}
	if (type != cJSON_Invalid && (root->type & 0xff) != type) {
		cJSON_Delete(root);
		*ret_why = type_name(type);
		return -EINVAL;
	}
	*ret_root = root;
	return 0;
}

int
json_parse_checked(const char *text, size_t len, int type, cJSON **ret_root)
{
	const char *why;

	return parse(text, len, type, ret_root, &why);
}

const char *
json_parse_failure(const char *text, size_t len, int type)
{
	_cleanup_json_ cJSON *root = NULL;
	const char *why = "is JSON of the expected type";

	parse(text, len, type, &root, &why);
	return why;
}
