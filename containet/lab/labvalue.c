#include "labvalue.h"

#include "netmask.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
labvalue_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int
labvalue_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v = 0;

	if (n == 0 || s[n])
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}
int
labvalue_ipv4(const char *s, struct in_addr *ret)
{
	return inet_pton(AF_INET, s, ret) == 1 ? 0 : -EINVAL;
}

int
labvalue_prefix(const char *s, int family, unsigned min_len, unsigned max_len, void *ret_addr,
                unsigned *ret_len)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	uint64_t len;
	size_t n;

	if (!slash)
		return -EINVAL;
	n = slash - s;
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (labvalue_uint(slash + 1, 0, family == AF_INET ? 32 : 128, &len) < 0 ||
	    (slash[1] == '0' && slash[2]))
		return -EINVAL;
	if (inet_pton(family, buf, ret_addr) != 1)
		return -EINVAL;
	if (len < min_len || len > max_len)
		return -ERANGE;
	*ret_len = len;
	return 0;
}

bool
labvalue_prefix_is_network(int family, const void *addr, unsigned len)
{
	const uint8_t *b = addr;
	unsigned bytes = family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned bit0 = i * 8;
		uint8_t host_mask;

		if (bit0 + 8 <= len)
			continue;
		host_mask = bit0 >= len ? 0xff : (uint8_t)(0xff >> (len - bit0));
		if (b[i] & host_mask)
			return false;
	}
	return true;
}

bool
labvalue_ipv4_in(const struct in_addr *addr, const struct in_addr *net, unsigned len)
{
	uint32_t mask = netmask_v4(len);

	return (ntohl(addr->s_addr) & mask) == (ntohl(net->s_addr) & mask);
}

int
labvalue_mac(const char *s, uint8_t ret[6])
{
	static const char hex[] = "0123456789abcdefABCDEF";

	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 17; i++) {
		bool colon = i % 3 == 2;

		if (colon ? s[i] != ':' : !strchr(hex, s[i]))
			return -EINVAL;
	}
	for (int i = 0; i < 6; i++)
		ret[i] = (uint8_t)strtoul((char[]){ s[3 * i], s[3 * i + 1], '\0' }, NULL, 16);
	return 0;
}

int
labvalue_dns_name(const char *s)
{
	static const char chars[] =
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
	size_t total = strlen(s);

	if (total == 0 || total > 253)
		return -EINVAL;
	while (*s) {
		size_t n = strspn(s, chars);

		if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
			return -EINVAL;
		s += n;
		if (*s == '.') {
			s++;
			if (!*s)
				return -EINVAL;
		} else if (*s) {
			return -EINVAL;
		}
	}
	return 0;
}

bool
labvalue_utf8(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}
