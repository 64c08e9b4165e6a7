/*
 * A published port, `-p [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]` as Docker writes it: the host
 * address (IPv4, or IPv6 in brackets; any address when left out), the host port, the
 * node's port, the protocol.  Pure: parsing and formatting only (containode/publish.c
 * relays).
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORTSPEC_MAX 32    /* -p options per node */
#define PORTSPEC_STRLEN 80 /* the longest formatted spec, NUL included */

struct portspec {
	int family; /* AF_INET or AF_INET6 of the host address */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} host;             /* all zeros: any address */
	uint16_t host_port; /* 1-65535 */
	uint16_t port;      /* the node's, 1-65535 */
	bool udp;
};

/*
 * Parses one -p value into *ret; -EINVAL with a one-line reason naming the part that is
 * wrong in why (at least 128 bytes).
 */
int portspec_parse(const char *s, struct portspec *ret, char *why, size_t why_size);
/* "0.0.0.0:8080:80/tcp", "[::1]:53:53/udp": what parses back to the same. */
void portspec_format(const struct portspec *p, char buf[PORTSPEC_STRLEN]);
