/*
 * DNS (RFC 1035) for the switch's name service: one question parsed from a UDP payload,
 * the answer built into a buffer.  Pure: no I/O, no allocation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_HDR_LEN 12
#define DNS_NAME_MAX 254 /* a dotted name and its NUL */
#define DNS_REPLY_MAX 512
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5
#define DNS_ANSWERS_MAX 8

struct dns_query {
	uint16_t id;
	bool rd;                 /* recursion desired: echoed */
	char name[DNS_NAME_MAX]; /* lower case, dotted, no trailing dot; "" for the root */
	uint16_t qtype, qclass;
	size_t question_len; /* bytes of the question section, echoed in the answer */
	const uint8_t *question;
};

enum dns_err {
	DNS_OK = 0,
	DNS_SHORT,     /* shorter than a header */
	DNS_NOT_QUERY, /* a response: never answered (no loops) */
	DNS_FORMERR,   /* malformed question: answered with FORMERR */
	DNS_NOTIMP,    /* an opcode other than QUERY, or not exactly one question */
};

/* Parses a query.  DNS_OK; DNS_FORMERR and DNS_NOTIMP fill id and rd for the error answer. */
enum dns_err dns_parse(const uint8_t *p, size_t len, struct dns_query *ret);
const char *dns_err_name(enum dns_err e);

/* One address to answer with: 4 bytes for A, 16 for AAAA. */
struct dns_answer {
	uint16_t type;
	uint8_t addr[16];
};

/*
 * Builds the answer to q into buf (DNS_REPLY_MAX bytes): rcode, and n answers of q's name
 * (authoritative, TTL ttl).  q->question may be NULL (an error answer without the
 * question).  Returns the length.
 */
size_t dns_build(uint8_t *buf, const struct dns_query *q, uint8_t rcode, const struct dns_answer *a,
                 size_t n, uint32_t ttl);

/* Where a query's name falls for a segment whose nodes are named under domain. */
enum dns_scope {
	DNS_SCOPE_LABEL,   /* one label: a node's name, or nobody's */
	DNS_SCOPE_DOMAIN,  /* NAME.domain: node NAME's, or nobody's (this server knows) */
	DNS_SCOPE_APEX,    /* the domain itself: it exists, with no address */
	DNS_SCOPE_OUTSIDE, /* the root or a dotted name outside the domain: the wider world's */
};

/*
 * The scope of name (as dns_parse gives it) for domain ("" for none), and the node name it
 * asks for in ret: name less ".domain" for DNS_SCOPE_DOMAIN, name itself otherwise.
 * Letter case does not matter.
 */
enum dns_scope dns_scope(const char *name, const char *domain, char ret[DNS_NAME_MAX]);
