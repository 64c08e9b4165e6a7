#include "labping.h"

#include "../pkt.h" /* the internet checksum */

#include <errno.h>
#include <string.h>

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

void
labping_request(uint8_t buf[LABPING_LEN], uint16_t id, uint16_t seq, uint32_t nonce,
                uint32_t tag)
{
	memset(buf, 0, LABPING_LEN);
	buf[0] = ICMP_ECHO_REQUEST;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	put32(buf + 8, nonce);
	put32(buf + 12, tag);
	put16(buf + 2, pkt_csum(buf, LABPING_LEN, 0));
}

int
labping_parse(const uint8_t *pkt, size_t len, uint16_t id, uint32_t nonce,
              struct labping_reply *ret)
{
	size_t ihl, total;
	const uint8_t *icmp;

	if (len < 20 || pkt[0] >> 4 != 4)
		return -EINVAL;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = get16(pkt + 2);
	/* The kernel hands a raw socket the whole datagram: the lengths must agree. */
	if (ihl < 20 || total < ihl + 8 || total > len || pkt[9] != 1)
		return -EINVAL;
	icmp = pkt + ihl;
	if (pkt_csum(icmp, total - ihl, 0) != 0)
		return -EINVAL;
	if (icmp[0] != ICMP_ECHO_REPLY || icmp[1] != 0 || total - ihl != LABPING_LEN ||
	    get16(icmp + 4) != id || get32(icmp + 8) != nonce)
		return -ENOMSG;
	memcpy(&ret->src, pkt + 12, 4);
	ret->seq = get16(icmp + 6);
	ret->tag = get32(icmp + 12);
	return 0;
}
