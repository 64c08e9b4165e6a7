#include "parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
parse_ipv4_prefix(const char *s, struct in_addr *ret_addr, unsigned *ret_len)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct in_addr addr;
	unsigned long len;
	uint8_t first;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &addr) != 1)
		return -EINVAL;

	if (slash) {
		if (parse_uint(slash + 1, 0, 32, &len) < 0)
			return -EINVAL;
	} else {
		first = ntohl(addr.s_addr) >> 24;
		if (first < 128)
			len = 8;
		else if (first < 192)
			len = 16;
		else if (first < 224)
			len = 24;
		else
			return -EINVAL;
	}
	*ret_addr = addr;
	*ret_len = len;
	return 0;
}
