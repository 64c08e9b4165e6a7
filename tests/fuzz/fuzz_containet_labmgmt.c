/*
 * A lab's management state file and the host's /etc/hosts (labmgmt.h): any state file is
 * refused or read into one that formats back to the same bytes; any hosts file is refused
 * or edited so that the lab's block is there once with its lines, and removing it again
 * gives a file without it that a second removal leaves alone.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containet/lab/labmgmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct labmgmt_host hosts[] = { { "172.30.5.1", "pc1", "lm" },
		                                     { "172.30.5.2", "r1", "lm" } };
	const char *text = (const char *)data;
	struct labmgmt m;
	char *out = NULL, *gone = NULL, *again = NULL;
	size_t len = 0, glen = 0, alen = 0;
	int r;

	if (labmgmt_parse(text, size, &m) == 0) {
		char *f = labmgmt_format(&m);

		assert(f && strlen(f) == size && memcmp(f, text, size) == 0);
		free(f);
	}
	r = labmgmt_hosts_edit(text, size, "lm", hosts, 2, &out, &len);
	assert(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r != 0)
		return 0;
	static const char tail[] = "\n172.30.5.2\tr1.lm r1\n# containet lab lm end\n";

	assert(memmem(out, len, tail, strlen(tail)));
	r = labmgmt_hosts_edit(out, len, "lm", NULL, 0, &gone, &glen);
	assert(r == 0 || r == -ENOMEM);
	if (r == 0) {
		assert(labmgmt_hosts_edit(gone, glen, "lm", NULL, 0, &again, &alen) == 0);
		assert(alen == glen && memcmp(again, gone, glen) == 0);
	}
	free(out);
	free(gone);
	free(again);
	return 0;
}
