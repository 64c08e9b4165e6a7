/* Strict parsing of numbers and addresses from the command line and the wire. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* Decimal only, no sign, no trailing garbage, within [min, max]. -EINVAL or -ERANGE. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/*
 * "A.B.C.D[/LEN]".  Without /LEN, the classful prefix (A: 8, B: 16, C: 24) as the
 * original tool did; class D and E addresses need an explicit length.
 */
int parse_ipv4_prefix(const char *s, struct in_addr *ret_addr, unsigned *ret_len);
