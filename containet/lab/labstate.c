#include "labstate.h"

#include "cleanup.h"
#include "fileio.h"
#include "json.h"
#include "labjson.h"
#include "log.h"
#include "strprintf.h"

#include <errno.h>
#include <string.h>

int
labstate_write(const char *state_dir, const char *leaf, const char *text)
{
	_cleanup_free_ char *path = strprintf("%s/%s", state_dir, leaf);
	int e;

	if (!path) {
		log_error("out of memory");
		return -ENOMEM;
	}
	e = write_file_atomic(path, text, strlen(text), 0);
	if (e < 0)
		log_error_errno(e, "write '%s'", path);
	return e;
}

int
labstate_write_lab(const char *state_dir, const struct lab *lab, const cJSON *run)
{
	_cleanup_json_ cJSON *o = labjson_render(lab);
	_cleanup_free_ char *text = NULL;
	cJSON *copy = run ? cJSON_Duplicate(run, true) : NULL;

	if (!o || (run && (!copy || !cJSON_AddItemToObject(o, "lab", copy)))) {
		cJSON_Delete(copy);
		log_error("out of memory");
		return -ENOMEM;
	}
	text = cJSON_Print(o);
	if (!text) {
		log_error("out of memory");
		return -ENOMEM;
	}
	return labstate_write(state_dir, "lab.json", text);
}
