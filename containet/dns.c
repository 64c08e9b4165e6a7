#include "dns.h"

#include "be.h"

#include <string.h>
#include <strings.h>

/* The question's name: plain labels only (a question has nothing to point back to). */
static bool
dns_name(const uint8_t *p, size_t len, size_t *at, char ret[DNS_NAME_MAX])
{
	size_t i = *at, out = 0;

	for (;;) {
		uint8_t l;

		if (i >= len)
			return false;
		l = p[i++];
		if (l == 0)
			break;
		if (l > 63 || i + l > len || out + l + 1 >= DNS_NAME_MAX)
			return false;
		if (out)
			ret[out++] = '.';
		for (uint8_t k = 0; k < l; k++) {
			uint8_t c = p[i + k];

			/* Names are letters, digits, '-' and '_': anything else matches nothing. */
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '_'))
				return false;
			ret[out++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		i += l;
	}
	ret[out] = '\0';
	*at = i;
	return true;
}

enum dns_err
dns_parse(const uint8_t *p, size_t len, struct dns_query *ret)
{
	size_t at = DNS_HDR_LEN;

	memset(ret, 0, sizeof(*ret));
	if (len < DNS_HDR_LEN)
		return DNS_SHORT;
	if (p[2] & 0x80)
		return DNS_NOT_QUERY;
	ret->id = be_get16(p);
	ret->rd = p[2] & 0x01;
	if (((p[2] >> 3) & 0xf) != 0 || be_get16(p + 4) != 1)
		return DNS_NOTIMP;
	if (!dns_name(p, len, &at, ret->name) || at + 4 > len)
		return DNS_FORMERR;
	ret->qtype = be_get16(p + at);
	ret->qclass = be_get16(p + at + 2);
	ret->question = p + DNS_HDR_LEN;
	ret->question_len = at + 4 - DNS_HDR_LEN;
	return DNS_OK;
}

const char *
dns_err_name(enum dns_err e)
{
	static const char *const names[] = {
		[DNS_OK] = "ok",
		[DNS_SHORT] = "short",
		[DNS_NOT_QUERY] = "not a query",
		[DNS_FORMERR] = "malformed question",
		[DNS_NOTIMP] = "not a standard query",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

size_t
dns_build(uint8_t *buf, const struct dns_query *q, uint8_t rcode, const struct dns_answer *a,
          size_t n, uint32_t ttl)
{
	bool has_q = q->question && q->question_len <= DNS_REPLY_MAX - DNS_HDR_LEN;
	size_t at = DNS_HDR_LEN, done = 0;

	be_put16(buf, q->id);
	buf[2] = 0x80 | 0x04 | (q->rd ? 1 : 0); /* QR, AA, RD as asked */
	buf[3] = rcode & 0xf;                   /* RA 0: this server does not recurse */
	be_put16(buf + 4, has_q);
	be_put16(buf + 8, 0);
	be_put16(buf + 10, 0);
	if (has_q) {
		memcpy(buf + at, q->question, q->question_len);
		at += q->question_len;
	}
	for (size_t i = 0; has_q && i < n && i < DNS_ANSWERS_MAX; i++) {
		size_t rdlen = a[i].type == DNS_TYPE_A ? 4 : 16;

		if (at + 12 + rdlen > DNS_REPLY_MAX)
			break;
		be_put16(buf + at, 0xc000 | DNS_HDR_LEN); /* the question's name */
		be_put16(buf + at + 2, a[i].type);
		be_put16(buf + at + 4, DNS_CLASS_IN);
		be_put16(buf + at + 6, ttl >> 16);
		be_put16(buf + at + 8, ttl & 0xffff);
		be_put16(buf + at + 10, (uint16_t)rdlen);
		memcpy(buf + at + 12, a[i].addr, rdlen);
		at += 12 + rdlen;
		done++;
	}
	be_put16(buf + 6, (uint16_t)done);
	return at;
}

enum dns_scope
dns_scope(const char *name, const char *domain, char ret[DNS_NAME_MAX])
{
	size_t n = strnlen(name, DNS_NAME_MAX - 1), d = strlen(domain);

	memcpy(ret, name, n);
	ret[n] = '\0';
	if (d && !strcasecmp(ret, domain))
		return DNS_SCOPE_APEX;
	if (d && n > d + 1 && ret[n - d - 1] == '.' && !strcasecmp(ret + n - d, domain)) {
		ret[n - d - 1] = '\0';
		return DNS_SCOPE_DOMAIN;
	}
	return !n || strchr(ret, '.') ? DNS_SCOPE_OUTSIDE : DNS_SCOPE_LABEL;
}
