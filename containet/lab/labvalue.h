/*
 * The values a lab's files carry, checked as far as pure code can: booleans, addresses and
 * prefixes, MAC addresses, names (tc's words for durations, rates and percentages are in
 * common/tcvalue.h, shared with the switch).  Each
 * returns 0 or -EINVAL (-ERANGE for a number out of its range); none allocates.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Python's strtobool, as Kathara reads its booleans: y yes t true on 1 / n no f false off 0. */
int labvalue_bool(const char *s, bool *ret);

/* Decimal digits only (leading zeros allowed), within [min, max]. */
int labvalue_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* "A.B.C.D" exactly. */
int labvalue_ipv4(const char *s, struct in_addr *ret);

/* "ADDR/LEN" with LEN in [min_len, max_len]; family AF_INET or AF_INET6, ret is in_addr or
 * in6_addr. */
int labvalue_prefix(const char *s, int family, unsigned min_len, unsigned max_len, void *ret_addr,
                    unsigned *ret_len);

/* True when the bits of addr past len are all zero (a network address). */
bool labvalue_prefix_is_network(int family, const void *addr, unsigned len);

/* True when addr lies in the IPv4 network net/len. */
bool labvalue_ipv4_in(const struct in_addr *addr, const struct in_addr *net, unsigned len);

/* "aa:bb:cc:dd:ee:ff", hex digits either case, as Kathara's interface regex has it. */
int labvalue_mac(const char *s, uint8_t ret[6]);

/* A DNS name: dot-separated labels of letters, digits and '-' (not at either end), each 1 to
 * 63 long, 253 in all. */
int labvalue_dns_name(const char *s);

/* True when s is valid UTF-8 of n bytes (no overlong forms, no surrogates). */
bool labvalue_utf8(const char *s, size_t n);
