#include "tcvalue.h"

#include <errno.h>
#include <stdio.h>
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
tcvalue_duration(const char *s, uint64_t *ret_ns)
{
	double v;
	int r = number_with_unit(s, time_units, sizeof(time_units) / sizeof(time_units[0]), &v);

	if (r < 0)
		return r;
	if (!(v <= (double)TCVALUE_DURATION_MAX_NS))
		return -ERANGE;
	*ret_ns = (uint64_t)v;
	return 0;
}

int
tcvalue_rate(const char *s, uint64_t *ret_bps)
{
	double v;
	int r = number_with_unit(s, rate_units, sizeof(rate_units) / sizeof(rate_units[0]), &v);

	if (r < 0)
		return r;
	if (!(v >= 1 && v <= (double)TCVALUE_RATE_MAX_BPS))
		return -ERANGE;
	*ret_bps = (uint64_t)v;
	return 0;
}

int
tcvalue_percent(const char *s, double *ret)
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
tcvalue_loss_ge(const char *s, double ret[4])
{
	double v[4] = { 0, 0, 100, 0 };
	char word[TCVALUE_TEXT_MAX];
	int n = 0, r;

	for (;;) {
		size_t len = strcspn(s, ",");

		if (n == 4)
			return -EINVAL;
		if (len == 0 || len >= sizeof(word))
			return -EINVAL;
		memcpy(word, s, len);
		word[len] = '\0';
		r = tcvalue_percent(word, &v[n++]);
		if (r < 0)
			return r;
		if (!s[len])
			break;
		s += len + 1;
	}
	if (n < 2)
		v[1] = 100 - v[0];
	memcpy(ret, v, sizeof(v));
	return 0;
}

/* Writes v with at most 3 decimals and no trailing zeros, then the unit. */
static void
format_scaled(double v, const char *unit, char ret[TCVALUE_TEXT_MAX])
{
	char *dot;
	size_t n;

	snprintf(ret, TCVALUE_TEXT_MAX, "%.3f", v);
	dot = strchr(ret, '.');
	if (dot) {
		n = strlen(ret);
		while (n > 0 && ret[n - 1] == '0')
			ret[--n] = '\0';
		if (ret[n - 1] == '.')
			ret[n - 1] = '\0';
	}
	strncat(ret, unit, TCVALUE_TEXT_MAX - strlen(ret) - 1);
}

void
tcvalue_format_duration(uint64_t ns, char ret[TCVALUE_TEXT_MAX])
{
	if (ns >= 1000000000ULL)
		format_scaled(ns / 1e9, "s", ret);
	else if (ns >= 1000000)
		format_scaled(ns / 1e6, "ms", ret);
	else if (ns >= 1000)
		format_scaled(ns / 1e3, "us", ret);
	else
		snprintf(ret, TCVALUE_TEXT_MAX, "%lluns", (unsigned long long)ns);
}

void
tcvalue_format_rate(uint64_t bps, char ret[TCVALUE_TEXT_MAX])
{
	if (bps >= 1000000000000ULL)
		format_scaled(bps / 1e12, "tbit", ret);
	else if (bps >= 1000000000)
		format_scaled(bps / 1e9, "gbit", ret);
	else if (bps >= 1000000)
		format_scaled(bps / 1e6, "mbit", ret);
	else if (bps >= 1000)
		format_scaled(bps / 1e3, "kbit", ret);
	else
		snprintf(ret, TCVALUE_TEXT_MAX, "%llubit", (unsigned long long)bps);
}

void
tcvalue_format_percent(double pct, char ret[TCVALUE_TEXT_MAX])
{
	format_scaled(pct, "%", ret);
}

void
tcvalue_format_loss_ge(const double ge[4], char ret[4 * TCVALUE_TEXT_MAX])
{
	char one[TCVALUE_TEXT_MAX];

	ret[0] = '\0';
	for (int i = 0; i < 4; i++) {
		tcvalue_format_percent(ge[i], one);
		if (i)
			strcat(ret, ",");
		strcat(ret, one);
	}
}
