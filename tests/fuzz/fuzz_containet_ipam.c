/*
 * Lines of the switch's lease file, and segment addressing.  Input: a first byte 0 makes
 * the rest one line for ipam_lease_parse (what parses formats back to the same line and
 * loads); otherwise the rest is seven NUL-separated fields: five for ipam_pool_parse
 * (subnet, service, gateway, dhcp, ipv6) and two for ipam_pool_options (domain, slice),
 * whose result must hold together: a slice lies within the subnet and the DHCP range.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "containet/ipam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_line(const char *line)
{
	struct ipam_lease l, again;
	struct ipam t = {};
	char buf[512];
	int n;

	if (ipam_lease_parse(line, &l) < 0)
		return;
	n = ipam_lease_format(&l, buf, sizeof(buf));
	assert(n > 0 && buf[n - 1] == '\n');
	buf[n - 1] = '\0';
	assert(ipam_lease_parse(buf, &again) == 0);
	assert(!memcmp(&l, &again, sizeof(l)));
	assert(ipam_load(&t, &l) == 0 && t.n == 1);
	ipam_free(&t);
}

static void
fuzz_pool(char *text, size_t size)
{
	const char *f[7] = { "", "", "", "", "", "", "" }, *err = NULL;
	struct ipam_pool p, whole;
	size_t k = 0;

	for (char *s = text; k < 7 && s < text + size; s += strlen(s) + 1)
		f[k++] = s;
	if (ipam_pool_parse(f[0], f[1], f[2], f[3], f[4], size & 1, &p, &err) < 0) {
		assert(err && err[0] == '"');
		return;
	}
	whole = p;
	if (ipam_pool_options(&p, f[5], f[6], size & 2, &err) < 0) {
		assert(err && err[0] == '"');
		assert(!memcmp(&p, &whole, sizeof(p)));
		return;
	}
	assert(strlen(p.domain) < sizeof(p.domain));
	if (p.len) {
		assert(p.auto_first >= whole.auto_first && p.auto_last <= whole.auto_last);
		assert(p.auto_first <= p.auto_last);
		assert(ipam_pool_size(&p) <= ipam_pool_size(&whole));
	}
	if (p.dhcp_first)
		assert(p.dhcp_lo >= p.dhcp_first && p.dhcp_hi <= p.dhcp_last &&
		       p.dhcp_lo <= p.dhcp_hi);
	assert(p.len == 0 || (p.len >= 8 && p.len <= 30));
	assert(!p.service || ipam_pool_size(&p) < (1u << (32 - p.len)));
	assert(!p.dhcp_first || p.dhcp_first <= p.dhcp_last);
	assert(!ipam_pool_has(&p, p.service) && !ipam_pool_has(&p, p.gateway));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1 || size > 600)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] == 0)
		fuzz_line(text);
	else
		fuzz_pool(text, size - 1);
	free(text);
	return 0;
}
