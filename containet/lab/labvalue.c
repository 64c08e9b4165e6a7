#include "labvalue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
	const char *name;
	double factor;
};

/* tc's time units (get_time64): a bare number is microseconds. */
static const struct unit time_units[] = {
	{ "s", 1e9 },     { "sec", 1e9 }, { "secs", 1e9 }, { "ms", 1e6 },    { "msec", 1e6 },
	{ "msecs", 1e6 }, { "us", 1e3 },  { "usec", 1e3 }, { "usecs", 1e3 }, { "ns", 1 },
	{ "nsec", 1 },    { "nsecs", 1 }, { "", 1e3 },
};

/* tc's rate units (get_rate64), in bit/s: SI and IEC multiples of bits and of bytes. */
static const struct unit rate_units[] = {
	{ "bit", 1 },
	{ "kbit", 1e3 },
	{ "mbit", 1e6 },
	{ "gbit", 1e9 },
	{ "tbit", 1e12 },
	{ "kibit", 1024. },
	{ "mibit", 1048576. },
	{ "gibit", 1073741824. },
	{ "tibit", 1099511627776. },
	{ "bps", 8 },
	{ "kbps", 8e3 },
	{ "mbps", 8e6 },
	{ "gbps", 8e9 },
	{ "tbps", 8e12 },
	{ "kibps", 8 * 1024. },
	{ "mibps", 8 * 1048576. },
	{ "gibps", 8 * 1073741824. },
	{ "tibps", 8 * 1099511627776. },
	{ "", 1 },
};

#define DURATION_MAX_NS 4294000000000ULL /* netem keeps times in 32 bits of microseconds */
#define RATE_MAX_BPS 1e15

/* "D+[.D+]" then a unit from the table; the product as a double. */
static int
number_with_unit(const char *s, const struct unit *units, size_t n_units, double *ret)
{
	size_t digits = strspn(s, "0123456789");
	const char *p = s + digits;
	char num[64];
	double v;

	if (digits == 0)
		return -EINVAL;
	if (*p == '.') {
		size_t frac = strspn(p + 1, "0123456789");

		if (frac == 0)
			return -EINVAL;
		p += 1 + frac;
	}
	if ((size_t)(p - s) >= sizeof(num))
		return -ERANGE;
	memcpy(num, s, p - s);
	num[p - s] = '\0';
	v = strtod(num, NULL);
	for (size_t i = 0; i < n_units; i++)
		if (strcasecmp(p, units[i].name) == 0) {
			*ret = v * units[i].factor;
			return 0;
		}
	return -EINVAL;
}

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
labvalue_duration(const char *s, uint64_t *ret_ns)
{
	double v;
	int r = number_with_unit(s, time_units, sizeof(time_units) / sizeof(time_units[0]), &v);

	if (r < 0)
		return r;
	if (!(v <= (double)DURATION_MAX_NS))
		return -ERANGE;
	*ret_ns = (uint64_t)v;
	return 0;
}

int
labvalue_rate(const char *s, uint64_t *ret_bps)
{
	double v;
	int r = number_with_unit(s, rate_units, sizeof(rate_units) / sizeof(rate_units[0]), &v);

	if (r < 0)
		return r;
	if (!(v >= 1 && v <= RATE_MAX_BPS))
		return -ERANGE;
	*ret_bps = (uint64_t)v;
	return 0;
}

int
labvalue_percent(const char *s, double *ret)
{
	static const struct unit percent[] = { { "%", 1 } };
	double v;
	int r = number_with_unit(s, percent, 1, &v);

	if (r < 0)
		return r;
	if (!(v <= 100))
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
	uint32_t mask = len == 0 ? 0 : ~0U << (32 - len);

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
