#include "fwd.h"

#include <string.h>

static inline int
mac_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

static inline int
mac_is_zero(const uint8_t *mac)
{
	static const uint8_t zero[6];

	return !memcmp(mac, zero, 6);
}

/* IEEE 802.1D reserves 01:80:c2:00:00:00-0f for link-local protocols bridges must not relay. */
static inline int
mac_is_reserved(const uint8_t *mac)
{
	static const uint8_t prefix[5] = { 0x01, 0x80, 0xc2, 0x00, 0x00 };

	return !memcmp(mac, prefix, 5) && (mac[5] & 0xf0) == 0;
}

enum fwd_verdict
fwd_decide(struct fdb *fdb, uint16_t seg, uint32_t in_port, const uint8_t *buf, size_t len,
           size_t hdr_len, size_t max_len, uint64_t now, uint32_t *ret_port)
{
	return fwd_decide_vlan(fdb, seg, 0, in_port, buf, len, hdr_len, max_len, now, ret_port);
}

enum fwd_verdict
fwd_decide_vlan(struct fdb *fdb, uint16_t seg, uint16_t vlan, uint32_t in_port, const uint8_t *buf,
                size_t len, size_t hdr_len, size_t max_len, uint64_t now, uint32_t *ret_port)
{
	const uint8_t *dst, *src;
	uint32_t out;

	if (len < hdr_len + ETH_HDR_LEN)
		return FWD_DROP_RUNT;
	if (len > max_len)
		return FWD_DROP_OVERSIZE;
	dst = buf + hdr_len;
	src = dst + 6;
	if (mac_is_multicast(src) || mac_is_zero(src))
		return FWD_DROP_BAD_SRC;
	fdb_learn(fdb, seg, vlan, src, in_port, now);
	if (mac_is_multicast(dst))
		return mac_is_reserved(dst) ? FWD_DROP_RESERVED : FWD_FLOOD;
	out = fdb_lookup(fdb, seg, vlan, dst, now);
	if (out == FDB_NONE)
		return FWD_FLOOD;
	if (out == in_port)
		return FWD_DROP_LOCAL;
	*ret_port = out;
	return FWD_UNICAST;
}

const char *
fwd_verdict_name(enum fwd_verdict v)
{
	static const char *const names[] = {
		[FWD_UNICAST] = "unicast",
		[FWD_FLOOD] = "flood",
		[FWD_DROP_RUNT] = "runt",
		[FWD_DROP_OVERSIZE] = "oversize",
		[FWD_DROP_BAD_SRC] = "bad source",
		[FWD_DROP_RESERVED] = "reserved destination",
		[FWD_DROP_LOCAL] = "local destination",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
