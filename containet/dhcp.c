#include "dhcp.h"

#include "be.h"

#include <string.h>

#define DHCP_COOKIE 0x63825363u
#define OPT_PAD 0
#define OPT_END 255
#define OPT_OVERLOAD 52

/* Walks the options in p[0..len); fills ret; *overload from option 52. */
static enum dhcp_err
dhcp_options(const uint8_t *p, size_t len, struct dhcp_msg *r, uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i], olen;
		const uint8_t *v;

		if (code == OPT_END)
			return DHCP_OK;
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + p[i + 1] > len)
			return DHCP_BAD_OPTION;
		olen = p[i + 1];
		v = p + i + 2;
		switch (code) {
		case 53:
			if (olen != 1)
				return DHCP_BAD_OPTION;
			r->type = v[0];
			break;
		case 50:
		case 54:
			if (olen != 4)
				return DHCP_BAD_OPTION;
			memcpy(code == 50 ? &r->requested : &r->server_id, v, 4);
			break;
		case 12: {
			size_t n = olen < DHCP_HOSTNAME_MAX - 1 ? olen : DHCP_HOSTNAME_MAX - 1;
			bool printable = olen > 0;

			for (size_t k = 0; k < n; k++)
				printable &= v[k] > ' ' && v[k] < 0x7f;
			if (printable) {
				memcpy(r->hostname, v, n);
				r->hostname[n] = '\0';
			}
			break;
		}
		case 61:
			if (olen > sizeof(r->client_id) || olen < 2)
				return DHCP_BAD_OPTION;
			memcpy(r->client_id, v, olen);
			r->client_id_len = olen;
			break;
		case OPT_OVERLOAD:
			if (olen != 1)
				return DHCP_BAD_OPTION;
			*overload = v[0];
			break;
		}
		i += 2 + olen;
	}
	/* No end option: RFC 2131 asks for one, but clients in the wild leave it off. */
	return DHCP_OK;
}

enum dhcp_err
dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *ret)
{
	struct dhcp_msg m = {};
	uint8_t overload = 0, ignored = 0;
	enum dhcp_err e;

	if (len < DHCP_MIN_LEN)
		return DHCP_SHORT;
	if (p[0] != 1)
		return DHCP_NOT_REQUEST;
	if (p[1] != 1 || p[2] != 6)
		return DHCP_BAD_HW;
	if (be_get32(p + DHCP_FIXED_LEN) != DHCP_COOKIE)
		return DHCP_BAD_COOKIE;
	memcpy(&m.xid, p + 4, 4);
	memcpy(&m.flags, p + 10, 2);
	memcpy(&m.ciaddr, p + 12, 4);
	memcpy(&m.giaddr, p + 24, 4);
	memcpy(m.chaddr, p + 28, 6);
	e = dhcp_options(p + DHCP_MIN_LEN, len - DHCP_MIN_LEN, &m, &overload);
	/* Option overload (RFC 2132 9.3): file (1), sname (2) or both (3) hold options too. */
	if (e == DHCP_OK && (overload & 1))
		e = dhcp_options(p + 108, 128, &m, &ignored);
	if (e == DHCP_OK && (overload & 2))
		e = dhcp_options(p + 44, 64, &m, &ignored);
	if (e != DHCP_OK)
		return e;
	switch (m.type) {
	case DHCP_DISCOVER:
	case DHCP_REQUEST:
	case DHCP_DECLINE:
	case DHCP_RELEASE:
	case DHCP_INFORM:
		break;
	default:
		return DHCP_NO_TYPE;
	}
	*ret = m;
	return DHCP_OK;
}

const char *
dhcp_err_name(enum dhcp_err e)
{
	static const char *const names[] = {
		[DHCP_OK] = "ok",
		[DHCP_SHORT] = "short",
		[DHCP_NOT_REQUEST] = "not a request",
		[DHCP_BAD_HW] = "not ethernet",
		[DHCP_BAD_COOKIE] = "bad magic cookie",
		[DHCP_BAD_OPTION] = "malformed option",
		[DHCP_NO_TYPE] = "no client message type",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "?";
}

static uint8_t *
put_opt(uint8_t *o, uint8_t code, const void *v, size_t len)
{
	o[0] = code;
	o[1] = (uint8_t)len;
	memcpy(o + 2, v, len);
	return o + 2 + len;
}

static uint8_t *
put_u32(uint8_t *o, uint8_t code, uint32_t host)
{
	uint8_t v[4] = { host >> 24, host >> 16, host >> 8, host };

	return put_opt(o, code, v, 4);
}

/* A string option, cut to what one option holds. */
static uint8_t *
put_str(uint8_t *o, uint8_t code, const char *s)
{
	size_t n = strlen(s);

	return put_opt(o, code, s, n > 63 ? 63 : n);
}

size_t
dhcp_build(uint8_t *buf, const struct dhcp_msg *req, const struct dhcp_offer *of)
{
	uint8_t *o = buf + DHCP_MIN_LEN;
	uint32_t cookie = DHCP_COOKIE;

	memset(buf, 0, DHCP_MIN_LEN);
	buf[0] = 2; /* BOOTREPLY */
	buf[1] = 1;
	buf[2] = 6;
	memcpy(buf + 4, &req->xid, 4);
	memcpy(buf + 10, &req->flags, 2);
	if (req->type == DHCP_INFORM)
		memcpy(buf + 12, &req->ciaddr, 4);
	memcpy(buf + 16, &of->yiaddr, 4);
	if (of->type != DHCP_NAK)
		memcpy(buf + 20, &of->server, 4);
	memcpy(buf + 24, &req->giaddr, 4);
	memcpy(buf + 28, req->chaddr, 6);
	for (int i = 0; i < 4; i++)
		buf[DHCP_FIXED_LEN + i] = cookie >> (24 - 8 * i);
	o = put_opt(o, 53, &of->type, 1);
	o = put_opt(o, 54, &of->server, 4);
	if (req->client_id_len && of->type == DHCP_NAK)
		o = put_opt(o, 61, req->client_id, req->client_id_len);
	if (of->type == DHCP_NAK) {
		if (of->message)
			o = put_str(o, 56, of->message);
		*o++ = OPT_END;
		return o - buf;
	}
	if (of->lease_s) {
		o = put_u32(o, 51, of->lease_s);
		o = put_u32(o, 58, of->lease_s / 2);
		o = put_u32(o, 59, of->lease_s / 8 * 7);
	}
	if (of->netmask)
		o = put_opt(o, 1, &of->netmask, 4);
	if (of->router)
		o = put_opt(o, 3, &of->router, 4);
	if (of->ndns)
		o = put_opt(o, 6, of->dns, 4 * (of->ndns < DHCP_DNS_MAX ? of->ndns : DHCP_DNS_MAX));
	if (of->hostname && of->hostname[0])
		o = put_str(o, 12, of->hostname);
	if (of->domain && of->domain[0])
		o = put_str(o, 15, of->domain);
	if (of->mtu) {
		uint8_t v[2] = { of->mtu >> 8, of->mtu & 0xff };

		o = put_opt(o, 26, v, 2);
	}
	if (of->broadcast)
		o = put_opt(o, 28, &of->broadcast, 4);
	*o++ = OPT_END;
	/* BOOTP relays and old clients expect at least 300 bytes (RFC 1542 2.1). */
	while (o - buf < 300)
		*o++ = OPT_PAD;
	return o - buf;
}
