/*
 * The --change lines of mocker import: the input is lines (split at '\n'), applied in
 * order to an image config.  Each is applied or refused with a reason, and a refused one
 * leaves the config exactly as it was.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mocker/change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = strndup((const char *)data, size);
	_cleanup_json_ cJSON *config = cJSON_Parse("{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]}");
	char *save = NULL;

	if (!text || !config)
		return 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *before = cJSON_PrintUnformatted(config), *why = NULL;
		_cleanup_free_ char *after = NULL;
		int r = change_apply(config, line, &why);

		assert(cJSON_IsObject(config));
		after = cJSON_PrintUnformatted(config);
		if (r == -EINVAL) {
			assert(why && *why);
			assert(before && after && strcmp(before, after) == 0);
		} else if (r < 0) {
			assert(r == -ENOMEM);
		}
	}
	return 0;
}
