#include "portspec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A port number, 1-65535, nothing else in the len bytes at s. */
static bool
port_parse(const char *s, size_t len, uint16_t *ret)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*ret = (uint16_t)v;
	return true;
}

/* "WHAT 'PART' WHY", PART the len bytes at s (cut at 60). */
static int
fail(char *why, size_t why_size, const char *what, const char *s, size_t len, const char *reason)
{
	snprintf(why, why_size, "%s '%.*s' %s", what, (int)(len < 60 ? len : 60), s, reason);
	return -EINVAL;
}

/* The host address: "1.2.3.4" or "[::1]" (len bytes at s). */
static int
host_parse(const char *s, size_t len, struct portspec *p, char *why, size_t why_size)
{
	char buf[INET6_ADDRSTRLEN + 2];

	if (len >= sizeof(buf))
		return fail(why, why_size, "host address", s, len, "is not an IP address");
	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return fail(why, why_size, "host address", s, len, "lacks its closing ']'");
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		p->family = AF_INET6;
		if (inet_pton(AF_INET6, buf, &p->host.v6) != 1)
			return fail(why, why_size, "host address", s, len,
			            "is not an IPv6 address");
		return 0;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	p->family = AF_INET;
	if (inet_pton(AF_INET, buf, &p->host.v4) != 1)
		return fail(why, why_size, "host address", s, len,
		            "is not an IPv4 address (IPv6 goes in brackets)");
	return 0;
}

int
portspec_parse(const char *s, struct portspec *ret, char *why, size_t why_size)
{
	struct portspec p = { .family = AF_INET };
	const char *slash = strchr(s, '/'), *end = slash ? slash : s + strlen(s);
	const char *colon, *first;
	int r;

	if (slash) {
		if (strcmp(slash + 1, "udp") == 0)
			p.udp = true;
		else if (strcmp(slash + 1, "tcp") != 0)
			return fail(why, why_size, "protocol", slash + 1, strlen(slash + 1),
			            "is neither tcp nor udp");
	}
	/* The node's port: after the last ':' (an IPv6 address has them inside brackets). */
	colon = NULL;
	for (const char *c = s; c < end; c++)
		if (*c == ':')
			colon = c;
	if (!colon)
		return fail(why, why_size, "value", s, (size_t)(end - s), "is not HOSTPORT:PORT");
	if (!port_parse(colon + 1, (size_t)(end - colon - 1), &p.port))
		return fail(why, why_size, "port", colon + 1, (size_t)(end - colon - 1),
		            "is not a number from 1 to 65535");
	/* HOSTPORT, after HOSTIP: when there is one. */
	first = colon;
	while (first > s && first[-1] != ':' && first[-1] != ']')
		first--;
	if (first > s && first[-1] == ']')
		return fail(why, why_size, "value", s, (size_t)(colon - s),
		            "lacks the host port after the address");
	if (!port_parse(first, (size_t)(colon - first), &p.host_port))
		return fail(why, why_size, "host port", first, (size_t)(colon - first),
		            "is not a number from 1 to 65535");
	if (first > s) {
		r = host_parse(s, (size_t)(first - 1 - s), &p, why, why_size);
		if (r < 0)
			return r;
	}
	*ret = p;
	return 0;
}

void
portspec_format(const struct portspec *p, char buf[PORTSPEC_STRLEN])
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->family, &p->host, addr, sizeof(addr));
	snprintf(buf, PORTSPEC_STRLEN, p->family == AF_INET6 ? "[%s]:%u:%u/%s" : "%s:%u:%u/%s",
	         addr, p->host_port, p->port, p->udp ? "udp" : "tcp");
}
