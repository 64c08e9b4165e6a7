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
		/* Sorted without repeats: each line after the one before it. */
		if (prev) {
			size_t a = (size_t)(p - 1 - prev), b = (size_t)(nl - p);
			int c = memcmp(prev, p, a < b ? a : b);

			assert(c < 0 || (c == 0 && a < b));
		}
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
