/*
 * containode's -p values: whatever parses has ports in range and formats to a text that
 * parses back to the same.  The input is the option's value.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containode/portspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[256], why[160], buf[PORTSPEC_STRLEN];
	struct portspec p, q;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (portspec_parse(text, &p, why, sizeof(why)) < 0) {
		assert(why[0]);
		return 0;
	}
	assert(p.host_port >= 1 && p.port >= 1);
	assert(p.family == AF_INET || p.family == AF_INET6);
	portspec_format(&p, buf);
	assert(portspec_parse(buf, &q, why, sizeof(why)) == 0);
	assert(memcmp(&p, &q, sizeof(p)) == 0);
	return 0;
}
