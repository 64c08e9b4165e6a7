/*
 * What lab pingall and lab wait read from the nodes (`ip -j addr`, `containode ps
 * --json`): any input is refused or read into addresses that are dotted quads on named
 * interfaces.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containet/lab/labaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct labaddr *v = NULL;
	char *st = NULL;
	size_t n = 0;
	int r = labaddr_parse((const char *)data, size, &v, &n);

	if (r < 0) {
		assert(r == -EINVAL || r == -ENOMEM);
		assert(!v && n == 0);
	}
	for (size_t i = 0; i < n; i++) {
		struct in_addr a;

		assert(v[i].ifname[0] && strlen(v[i].ifname) <= LABADDR_IFNAME_MAX);
		assert(strcmp(v[i].ifname, "lo") != 0);
		assert(inet_pton(AF_INET, v[i].addr, &a) == 1);
		assert(v[i].prefixlen <= 32);
		assert(labaddr_same_subnet(v[i].addr, v[i].prefixlen, v[i].addr));
	}
	free(v);
	r = labaddr_ps_status((const char *)data, size, "lab-r1", &st);
	assert(r == 0 || r == -EINVAL || r == -ENOMEM);
	assert(r == 0 || !st);
	free(st);
	int pid = -1;

	r = labaddr_ps_pid((const char *)data, size, "lab-r1", &pid);
	assert(r == 0 || r == -EINVAL || r == -ENOMEM);
	assert(pid >= 0 && (r == 0 || pid == 0));
	return 0;
}
