/*
 * What lab test reads from a node (labsig_probe's output): any input is refused with a
 * reason, or becomes sorted lines without repeats, each a word then words of printable
 * ASCII; the difference of a signature with itself is empty, and with nothing counts its
 * lines.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containet/lab/labsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sig = NULL, *err = NULL, *d = NULL;
	char *macs[] = { "eth0", NULL };
	int r = labsig_build((const char *)data, size, macs, &sig, &err);
	size_t lines = 0;

	if (r < 0) {
		assert(r == -EINVAL || r == -ENOMEM);
		assert(!sig);
		assert(r == -ENOMEM || (err && *err));
		free(err);
		return 0;
	}
	for (const char *p = sig, *prev = NULL; *p;) {
		const char *nl = strchr(p, '\n');

		assert(nl && nl > p);
		for (const char *c = p; c < nl; c++)
			assert(*c >= ' ' && *c <= '~');
		if (prev)
			assert(strncmp(prev, p, (size_t)(nl - p) + 1) < 0 ||
			       memcmp(prev, p, (size_t)(nl - p)) != 0);
		prev = p;
		p = nl + 1;
		lines++;
	}
	assert(labsig_diff(sig, sig, &d) == 0 && *d == '\0');
	free(d);
	assert(labsig_diff(sig, "", &d) == (int)lines);
	free(d);
	free(sig);
	return 0;
}
