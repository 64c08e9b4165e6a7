/*
 * A lab as JSON (`containet lab up FILE.json`): any input is refused with a message that
 * names the file, or read into a lab that renders to JSON which reads back to the same.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json.h"
#include "containet/lab/labconf.h"
#include "containet/lab/labjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab *lab = NULL, *back = NULL;
	_cleanup_json_ cJSON *j = NULL, *k = NULL;
	_cleanup_free_ char *err = NULL, *text = NULL, *ta = NULL, *tb = NULL;
	int r = labjson_parse((const char *)data, size, "f.json", &lab, &err);

	if (r < 0) {
		assert(r == -EINVAL || r == -EFBIG || r == -ENOMEM);
		assert(!lab);
		assert(r == -ENOMEM || (err && strncmp(err, "f.json", 6) == 0));
		return 0;
	}
	j = labjson_render(lab);
	assert(j);
	text = cJSON_PrintUnformatted(j);
	assert(text);
	free(err);
	err = NULL;
	r = labjson_parse(text, strlen(text), "g.json", &back, &err);
	assert(r == 0 || r == -ENOMEM);
	if (r == 0) {
		k = labjson_render(back);
		assert(k);
		cJSON_DeleteItemFromObject(j, "warnings");
		cJSON_DeleteItemFromObject(k, "warnings");
		ta = cJSON_PrintUnformatted(j);
		tb = cJSON_PrintUnformatted(k);
		assert(ta && tb && strcmp(ta, tb) == 0);
	}
	labconf_free(back);
	labconf_free(lab);
	return 0;
}
